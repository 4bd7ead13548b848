/**
 * The name suffix kustomize gives a generated ConfigMap: the first 10 hex digits of the SHA-256 of a
 * JSON encoding of kind, name and data (Go's json.Marshal: keys sorted, <, > and & escaped), with
 * some digits swapped for letters so the suffix never reads as a number. The name is always empty:
 * kustomize's hasher looks it up as one field called "metadata/name", which never exists.
 */
import { createHash } from 'node:crypto';
import { isObject, type Json, type Resource } from './json.js';

/** JSON as Go's encoding/json writes it for maps: keys sorted, HTML-sensitive characters escaped. */
function goJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${goJson(k)}:${goJson(value[k] ?? null)}`).join(',')}}`;
  }
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const SWAPS: Readonly<Record<string, string>> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };

export function kustomizeHash(resource: Resource): string {
  const encoded: Record<string, Json> = { kind: resource.kind, name: '', data: resource.data ?? '' };
  if (resource.kind === 'ConfigMap' && isObject(resource.binaryData))
    encoded.binaryData = resource.binaryData;
  const hex = createHash('sha256').update(goJson(encoded)).digest('hex');
  return hex.slice(0, 10).replace(/[013ae]/g, (c) => SWAPS[c] ?? c);
}
