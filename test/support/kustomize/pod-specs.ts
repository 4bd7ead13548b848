/** Where workloads keep their pod specs, and kustomize's `images` rules applied to their containers. */
import { isObject, objectAt, objectsAt, type JsonObject, type Resource } from './json.js';

export function podSpecs(resource: Resource): JsonObject[] {
  const specs = [
    resource.kind === 'Pod' ? objectAt(resource, 'spec') : undefined,
    objectAt(resource, 'spec', 'template', 'spec'),
    objectAt(resource, 'spec', 'jobTemplate', 'spec', 'template', 'spec'),
  ];
  return specs.filter((s) => s !== undefined);
}

export interface ImageRule {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

/** Splits an image reference into its name and its :tag or @digest suffix. */
export function splitImage(image: string): { name: string; suffix: string } {
  const at = image.indexOf('@');
  if (at >= 0) return { name: image.slice(0, at), suffix: image.slice(at) };
  const colon = image.lastIndexOf(':');
  if (colon > image.lastIndexOf('/')) return { name: image.slice(0, colon), suffix: image.slice(colon) };
  return { name: image, suffix: '' };
}

export function setImages(resource: Resource, rules: readonly ImageRule[]): void {
  for (const spec of podSpecs(resource)) {
    for (const container of [...objectsAt(spec, 'containers'), ...objectsAt(spec, 'initContainers')]) {
      if (!isObject(container) || typeof container.image !== 'string') continue;
      const { name, suffix } = splitImage(container.image);
      const rule = rules.find((r) => r.name === name);
      if (rule === undefined) continue;
      const tail =
        rule.digest !== undefined
          ? `@${rule.digest}`
          : rule.newTag !== undefined
            ? `:${rule.newTag}`
            : suffix;
      container.image = `${rule.newName ?? name}${tail}`;
    }
  }
}
