/**
 * The subset of Kubernetes' strategic merge patch that the manifests use, as kustomize applies it:
 * maps merge key by key, `null` deletes a key, the lists below merge item by item on their merge key
 * (patch items first, in patch order, then the target's other items), every other list is replaced.
 * Lists that Kubernetes merges on a key not listed here, and `$patch`-style directives, are refused
 * rather than merged differently from kustomize.
 */
import { clone, isObject, text, type Json, type JsonObject } from './json.js';

const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  imagePullSecrets: 'name',
};

/** Merged by Kubernetes (patchStrategy merge, or retainKeys) in ways this subset does not implement. */
const UNSUPPORTED_LISTS = new Set([
  'ports',
  'volumes',
  'topologySpreadConstraints',
  'hostAliases',
  'ephemeralContainers',
  'volumeDevices',
  'resourceClaims',
  'schedulingGates',
  'finalizers',
  'ownerReferences',
]);

export class StrategicMergeError extends Error {
  override readonly name = 'StrategicMergeError';
}

/** The value without keys whose value is null (what a patch's nulls mean where nothing is deleted). */
function withoutNulls(value: Json): Json {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) if (v !== null) out[key] = withoutNulls(v);
  return out;
}

function mergeList(field: string, target: Json[], patch: Json[], path: string): Json[] {
  const key = MERGE_KEYS[field];
  if (key === undefined) return patch.map((item) => withoutNulls(clone(item)));
  const keyOf = (item: Json, side: string): Json => {
    if (!isObject(item) || item[key] === undefined)
      throw new StrategicMergeError(`${path}: ${side} item without ${key}`);
    return item[key];
  };
  const patchKeys = patch.map((item) => keyOf(item, 'patch'));
  const merged = patch.map((item, i) => {
    const existing = target.find((t) => isObject(t) && t[key] === patchKeys[i]);
    return isObject(existing) && isObject(item)
      ? mergeObject(clone(existing), item, `${path}[${text(patchKeys[i])}]`)
      : withoutNulls(clone(item));
  });
  const rest = target.filter((t) => !patchKeys.includes(keyOf(t, 'target')));
  return [...merged, ...rest.map((t) => clone(t))];
}

function mergeObject(target: JsonObject, patch: JsonObject, path: string): JsonObject {
  for (const [field, value] of Object.entries(patch)) {
    const here = `${path}.${field}`;
    if (field.startsWith('$')) throw new StrategicMergeError(`${here}: directives are not supported`);
    if (value === null) {
      Reflect.deleteProperty(target, field);
      continue;
    }
    const existing = target[field];
    if (Array.isArray(value)) {
      if (UNSUPPORTED_LISTS.has(field))
        throw new StrategicMergeError(`${here}: patching this list is not supported; use a JSON patch`);
      target[field] = Array.isArray(existing)
        ? mergeList(field, existing, value, here)
        : withoutNulls(clone(value));
    } else if (isObject(value) && isObject(existing)) {
      mergeObject(existing, value, here);
    } else {
      target[field] = withoutNulls(clone(value));
    }
  }
  return target;
}

/** Applies a strategic merge patch to `target` (changed in place). */
export function strategicMerge(target: JsonObject, patch: JsonObject): void {
  mergeObject(target, patch, '');
}
