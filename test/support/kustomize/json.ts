/** JSON values as parsed from YAML manifests, and small typed accessors for them. */
export type Json = string | number | boolean | null | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A deep copy (manifests are plain JSON: no dates, no cycles). */
export function clone<T extends Json>(value: T): T {
  return structuredClone(value);
}

/** Structural equality; object key order does not matter. */
export function deepEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]))
    );
  }
  if (isObject(a) || isObject(b)) {
    if (!isObject(a) || !isObject(b)) return false;
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return a === b;
}

/** The value at `path` (object keys and array indexes), or undefined. */
export function at(value: Json | undefined, ...path: (string | number)[]): Json | undefined {
  let current: Json | undefined = value;
  for (const step of path) {
    if (typeof step === 'number') current = Array.isArray(current) ? current[step] : undefined;
    else current = isObject(current) ? current[step] : undefined;
    if (current === undefined) return undefined;
  }
  return current;
}

export function objectAt(value: Json | undefined, ...path: (string | number)[]): JsonObject | undefined {
  const found = at(value, ...path);
  return isObject(found) ? found : undefined;
}

export function arrayAt(value: Json | undefined, ...path: (string | number)[]): Json[] {
  const found = at(value, ...path);
  return Array.isArray(found) ? found : [];
}

export function objectsAt(value: Json | undefined, ...path: (string | number)[]): JsonObject[] {
  return arrayAt(value, ...path).filter(isObject);
}

/** A scalar as text (what Kubernetes would read from a string field); JSON for anything else. */
export function text(value: Json | undefined): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value === undefined ? '' : JSON.stringify(value);
}

export function stringAt(value: Json | undefined, ...path: (string | number)[]): string | undefined {
  const found = at(value, ...path);
  return typeof found === 'string' ? found : undefined;
}

/** The object at `key` of `parent`, created empty when absent. */
export function child(parent: JsonObject, key: string): JsonObject {
  const existing = parent[key];
  if (isObject(existing)) return existing;
  const created: JsonObject = {};
  parent[key] = created;
  return created;
}

/** A Kubernetes object: apiVersion, kind, metadata.name. */
export interface Resource extends JsonObject {
  apiVersion: string;
  kind: string;
  metadata: JsonObject;
}

export function isResource(value: Json): value is Resource {
  return (
    isObject(value) &&
    typeof value.apiVersion === 'string' &&
    typeof value.kind === 'string' &&
    typeof stringAt(value, 'metadata', 'name') === 'string'
  );
}

export function nameOf(resource: Resource): string {
  return stringAt(resource, 'metadata', 'name') ?? '';
}

/** kind/name, how messages and lookups name a resource. */
export function idOf(resource: Resource): string {
  return `${resource.kind}/${nameOf(resource)}`;
}
