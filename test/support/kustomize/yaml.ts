/** YAML files as JSON values (YAML 1.2 core schema, like kustomize's parser for these manifests). */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { isObject, type Json, type JsonObject } from './json.js';

export function toJson(value: unknown, where: string): Json {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${where}: ${value} is not a JSON number`);
    return value;
  }
  if (Array.isArray(value)) return value.map((item: unknown, i) => toJson(item, `${where}[${i}]`));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: JsonObject = {};
    for (const [key, v] of Object.entries(value)) out[key] = toJson(v, `${where}.${key}`);
    return out;
  }
  throw new Error(`${where}: not JSON data (${Object.prototype.toString.call(value)})`);
}

/** Every non-empty document of a YAML text. */
export function parseYamlDocuments(text: string, where: string): Json[] {
  const out: Json[] = [];
  for (const [i, doc] of parseAllDocuments(text).entries()) {
    if (doc.errors.length > 0) throw new Error(`${where}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) out.push(toJson(value, `${where}#${i}`));
  }
  return out;
}

export function readYamlFile(path: string): Json[] {
  return parseYamlDocuments(readFileSync(path, 'utf8'), path);
}

/** A file that holds exactly one YAML mapping. */
export function readYamlObject(path: string): JsonObject {
  const docs = readYamlFile(path);
  const [doc] = docs;
  if (docs.length !== 1 || !isObject(doc)) throw new Error(`${path}: expected one YAML mapping`);
  return doc;
}
