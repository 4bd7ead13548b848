/**
 * `kustomize build` for the subset of kustomize that manifests/ uses, so the tests can build every
 * overlay without a kustomize binary. Supported kustomization fields: resources (YAML files and
 * kustomization directories), configMapGenerator (envs, literals; behavior create/merge/replace),
 * patches (strategic merge or JSON 6902; from a path or inline; target by kind/name/group/version),
 * labels (pairs, includeTemplates), images (newName, newTag, digest). Anything else is an error, so
 * the manifests cannot drift outside what is tested. Transformers run in kustomize's order:
 * patches, labels, images; generated ConfigMaps get their content hash suffix at the end and every
 * reference to them follows.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { kustomizeHash } from './hash.js';
import { applyJsonPatch, toOperations } from './json-patch.js';
import {
  arrayAt,
  child,
  idOf,
  isObject,
  isResource,
  nameOf,
  objectAt,
  objectsAt,
  stringAt,
  type Json,
  type JsonObject,
  type Resource,
} from './json.js';
import { strategicMerge } from './strategic-merge.js';
import { parseYamlDocuments, readYamlFile, readYamlObject } from './yaml.js';
import { parseEnvFile, parseLiteral } from './env-file.js';
import { podSpecs, setImages, type ImageRule } from './pod-specs.js';

const FIELDS = new Set([
  'apiVersion',
  'kind',
  'resources',
  'configMapGenerator',
  'patches',
  'labels',
  'images',
]);
const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export class KustomizeError extends Error {
  override readonly name = 'KustomizeError';
}

interface Accumulated {
  resources: Resource[];
  /** Generated ConfigMaps (by object) with the name that gets the hash suffix. */
  generated: Set<Resource>;
}

function fail(where: string, message: string): never {
  throw new KustomizeError(`${where}: ${message}`);
}

function strings(value: Json | undefined, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    fail(where, 'expected a list of strings');
  return value.filter((v) => typeof v === 'string');
}

function kustomizationFile(dir: string): string {
  const file = KUSTOMIZATION_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
  return file ?? fail(dir, 'no kustomization.yaml');
}

function addResource(acc: Accumulated, resource: Resource, where: string): void {
  if (acc.resources.some((r) => idOf(r) === idOf(resource))) fail(where, `${idOf(resource)} defined twice`);
  acc.resources.push(resource);
}

function loadResources(dir: string, k: JsonObject, acc: Accumulated): void {
  for (const entry of strings(k.resources, `${dir} resources`)) {
    const path = join(dir, entry);
    if (!existsSync(path)) fail(dir, `resource ${entry} does not exist`);
    if (statSync(path).isDirectory()) {
      const sub = build(path);
      for (const r of sub.resources) addResource(acc, r, path);
      for (const g of sub.generated) acc.generated.add(g);
      continue;
    }
    for (const doc of readYamlFile(path)) {
      if (!isResource(doc)) fail(path, 'every document must have apiVersion, kind and metadata.name');
      addResource(acc, doc, path);
    }
  }
}

function generateConfigMaps(dir: string, k: JsonObject, acc: Accumulated): void {
  for (const [i, gen] of arrayAt(k.configMapGenerator).entries()) {
    const where = `${dir} configMapGenerator[${i}]`;
    if (!isObject(gen) || typeof gen.name !== 'string') fail(where, 'needs a name');
    for (const key of Object.keys(gen))
      if (!['name', 'envs', 'literals', 'behavior'].includes(key)) fail(where, `${key} is not supported`);
    const data: JsonObject = {};
    for (const env of strings(gen.envs, where))
      Object.assign(data, parseEnvFile(readFileSync(join(dir, env), 'utf8'), env));
    for (const literal of strings(gen.literals, where)) Object.assign(data, parseLiteral(literal));
    const behavior = gen.behavior ?? 'create';
    const existing = acc.resources.find((r) => r.kind === 'ConfigMap' && nameOf(r) === gen.name);
    if (behavior === 'create') {
      const cm: Resource = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: gen.name } };
      if (Object.keys(data).length > 0) cm.data = data;
      addResource(acc, cm, where);
      acc.generated.add(cm);
    } else if (behavior === 'merge' || behavior === 'replace') {
      if (existing === undefined) fail(where, `no ConfigMap ${gen.name} to ${behavior}`);
      existing.data = behavior === 'merge' ? { ...objectAt(existing, 'data'), ...data } : data;
    } else {
      fail(where, `behavior ${JSON.stringify(behavior)} is not supported`);
    }
  }
}

function matches(resource: Resource, target: JsonObject, where: string): boolean {
  const [group, version] = resource.apiVersion.includes('/')
    ? resource.apiVersion.split('/')
    : ['', resource.apiVersion];
  for (const [key, value] of Object.entries(target)) {
    const actual = { kind: resource.kind, name: nameOf(resource), group, version }[key];
    if (actual === undefined) fail(where, `target.${key} is not supported`);
    if (value !== actual) return false;
  }
  return true;
}

function applyPatches(dir: string, k: JsonObject, acc: Accumulated): void {
  for (const [i, entry] of arrayAt(k.patches).entries()) {
    const where = `${dir} patches[${i}]`;
    if (!isObject(entry)) fail(where, 'expected a mapping');
    for (const key of Object.keys(entry))
      if (!['path', 'patch', 'target'].includes(key)) fail(where, `${key} is not supported`);
    const docs =
      typeof entry.path === 'string'
        ? readYamlFile(join(dir, entry.path))
        : typeof entry.patch === 'string'
          ? parseYamlDocuments(entry.patch, where)
          : fail(where, 'needs a path or a patch');
    const [content] = docs;
    if (docs.length !== 1 || content === undefined) fail(where, 'a patch is one YAML document');
    let target = objectAt(entry, 'target');
    if (target === undefined) {
      if (!isResource(content)) fail(where, 'a patch without target must name its kind and metadata.name');
      target = { kind: content.kind, name: nameOf(content) };
    }
    const selected = acc.resources.filter((r) => matches(r, target, where));
    if (selected.length === 0) fail(where, `no resource matches ${JSON.stringify(target)}`);
    for (const resource of selected) {
      if (Array.isArray(content)) applyJsonPatch(resource, toOperations(content));
      else if (isObject(content)) strategicMerge(resource, content);
      else fail(where, 'a patch is a mapping (strategic merge) or a list (JSON 6902)');
    }
  }
}

/** Pod templates, and for StatefulSets their volume claim templates, get template labels. */
const TEMPLATE_KINDS = new Set(['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet', 'Job']);

function applyLabels(dir: string, k: JsonObject, acc: Accumulated): void {
  for (const [i, entry] of arrayAt(k.labels).entries()) {
    const where = `${dir} labels[${i}]`;
    const pairs = objectAt(entry, 'pairs');
    if (!isObject(entry) || pairs === undefined) fail(where, 'needs pairs');
    for (const key of Object.keys(entry))
      if (!['pairs', 'includeSelectors', 'includeTemplates'].includes(key))
        fail(where, `${key} is not supported`);
    if (entry.includeSelectors === true) fail(where, 'includeSelectors is not supported');
    for (const resource of acc.resources) {
      const targets = [child(resource.metadata, 'labels')];
      if (entry.includeTemplates === true && TEMPLATE_KINDS.has(resource.kind)) {
        targets.push(child(child(child(child(resource, 'spec'), 'template'), 'metadata'), 'labels'));
        if (resource.kind === 'StatefulSet')
          for (const claim of objectsAt(resource, 'spec', 'volumeClaimTemplates'))
            targets.push(child(child(claim, 'metadata'), 'labels'));
      }
      for (const labels of targets) Object.assign(labels, pairs);
    }
  }
}

function applyImages(dir: string, k: JsonObject, acc: Accumulated): void {
  const rules: ImageRule[] = arrayAt(k.images).map((entry, i) => {
    const where = `${dir} images[${i}]`;
    if (!isObject(entry) || typeof entry.name !== 'string') fail(where, 'needs a name');
    for (const key of Object.keys(entry))
      if (!['name', 'newName', 'newTag', 'digest'].includes(key)) fail(where, `${key} is not supported`);
    const rule: ImageRule = { name: entry.name };
    for (const key of ['newName', 'newTag', 'digest'] as const) {
      const value = entry[key];
      if (value === undefined) continue;
      if (typeof value !== 'string') fail(where, `${key} must be a string (quote numeric tags)`);
      rule[key] = value;
    }
    return rule;
  });
  if (rules.length > 0) for (const resource of acc.resources) setImages(resource, rules);
}

function build(dir: string): Accumulated {
  const file = kustomizationFile(dir);
  const k = readYamlObject(file);
  for (const key of Object.keys(k)) if (!FIELDS.has(key)) fail(file, `${key} is not supported by this build`);
  if (k.kind !== undefined && k.kind !== 'Kustomization') fail(file, 'kind must be Kustomization');
  const acc: Accumulated = { resources: [], generated: new Set() };
  loadResources(dir, k, acc);
  generateConfigMaps(dir, k, acc);
  applyPatches(dir, k, acc);
  applyLabels(dir, k, acc);
  applyImages(dir, k, acc);
  return acc;
}

/** Renames generated ConfigMaps to name-hash and points every reference at the new name. */
function hashGenerated(acc: Accumulated): void {
  const renamed = new Map<string, string>();
  for (const cm of acc.generated) {
    const name = nameOf(cm);
    const hashed = `${name}-${kustomizeHash(cm)}`;
    cm.metadata.name = hashed;
    renamed.set(name, hashed);
  }
  const rename = (ref: JsonObject | undefined, field: string): void => {
    const old = stringAt(ref, field);
    const now = old === undefined ? undefined : renamed.get(old);
    if (ref !== undefined && now !== undefined) ref[field] = now;
  };
  for (const resource of acc.resources) {
    for (const spec of podSpecs(resource)) {
      for (const container of [...objectsAt(spec, 'containers'), ...objectsAt(spec, 'initContainers')]) {
        for (const from of objectsAt(container, 'envFrom')) rename(objectAt(from, 'configMapRef'), 'name');
        for (const env of objectsAt(container, 'env'))
          rename(objectAt(env, 'valueFrom', 'configMapKeyRef'), 'name');
      }
      for (const volume of objectsAt(spec, 'volumes')) {
        rename(objectAt(volume, 'configMap'), 'name');
        for (const source of objectsAt(volume, 'projected', 'sources'))
          rename(objectAt(source, 'configMap'), 'name');
      }
    }
  }
}

/** The resources `kustomize build dir` would print (in accumulation order, not kustomize's sort). */
export function kustomizeBuild(dir: string): Resource[] {
  const acc = build(dir);
  hashGenerated(acc);
  return acc.resources;
}
