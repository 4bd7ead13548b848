/** The Kubernetes manifests of manifests/, built per overlay with the kustomize subset. */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kustomizeBuild } from './kustomize/build.js';
import { nameOf, type Resource } from './kustomize/json.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const MANIFESTS = join(REPO, 'manifests');
export const OVERLAYS = ['minikube', 'production'] as const;
export type Overlay = (typeof OVERLAYS)[number];

export function overlayDir(overlay: Overlay): string {
  return join(MANIFESTS, 'overlays', overlay);
}

export function buildOverlay(overlay: Overlay): Resource[] {
  return kustomizeBuild(overlayDir(overlay));
}

export function find(resources: readonly Resource[], kind: string, name: string): Resource {
  const found = resources.find((r) => r.kind === kind && nameOf(r) === name);
  if (found === undefined) throw new Error(`no ${kind}/${name} in the built manifests`);
  return found;
}

export function findAll(resources: readonly Resource[], kind: string): Resource[] {
  return resources.filter((r) => r.kind === kind);
}
