/**
 * JSON Patch (RFC 6902): add, remove, replace, move, copy and test, with JSON Pointers (RFC 6901).
 * What kustomize applies for a patch whose content is a list of operations.
 */
import { clone, deepEqual, isObject, type Json, type JsonObject } from './json.js';

export interface PatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: Json;
  from?: string;
}

export class JsonPatchError extends Error {
  override readonly name = 'JsonPatchError';
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new JsonPatchError(`not a JSON pointer: ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function arrayIndex(token: string, length: number, forInsert: boolean, pointer: string): number {
  if (forInsert && token === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new JsonPatchError(`${pointer}: bad array index ${token}`);
  const index = Number(token);
  if (index > length || (!forInsert && index === length))
    throw new JsonPatchError(`${pointer}: index ${index} out of range`);
  return index;
}

/** The container that holds the pointer's last token, and that token. */
function locate(doc: Json, pointer: string): { parent: Json[] | JsonObject; key: string } {
  const tokens = parsePointer(pointer);
  const key = tokens.pop();
  if (key === undefined) throw new JsonPatchError('operations on the whole document are not supported');
  let current: Json = doc;
  for (const token of tokens) {
    let next: Json | undefined;
    if (Array.isArray(current)) next = current[arrayIndex(token, current.length, false, pointer)];
    else if (isObject(current)) next = current[token];
    if (next === undefined) throw new JsonPatchError(`${pointer}: ${token} does not exist`);
    current = next;
  }
  if (!Array.isArray(current) && !isObject(current))
    throw new JsonPatchError(`${pointer}: parent is not an object or array`);
  return { parent: current, key };
}

function get(doc: Json, pointer: string): Json {
  const { parent, key } = locate(doc, pointer);
  const value = Array.isArray(parent) ? parent[arrayIndex(key, parent.length, false, pointer)] : parent[key];
  if (value === undefined) throw new JsonPatchError(`${pointer} does not exist`);
  return value;
}

function add(doc: Json, pointer: string, value: Json): void {
  const { parent, key } = locate(doc, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length, true, pointer), 0, clone(value));
  else parent[key] = clone(value);
}

function remove(doc: Json, pointer: string): void {
  const { parent, key } = locate(doc, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length, false, pointer), 1);
  else if (key in parent) Reflect.deleteProperty(parent, key);
  else throw new JsonPatchError(`${pointer} does not exist`);
}

function required(op: PatchOperation): Json {
  if (op.value === undefined) throw new JsonPatchError(`${op.op} ${op.path}: no value`);
  return op.value;
}

function requiredFrom(op: PatchOperation): string {
  if (op.from === undefined) throw new JsonPatchError(`${op.op} ${op.path}: no from`);
  return op.from;
}

/** Applies the operations in order to `doc` (changed in place). */
export function applyJsonPatch(doc: JsonObject, operations: readonly PatchOperation[]): void {
  for (const op of operations) {
    switch (op.op) {
      case 'add':
        add(doc, op.path, required(op));
        break;
      case 'remove':
        remove(doc, op.path);
        break;
      case 'replace':
        get(doc, op.path);
        remove(doc, op.path);
        add(doc, op.path, required(op));
        break;
      case 'move': {
        const value = get(doc, requiredFrom(op));
        remove(doc, requiredFrom(op));
        add(doc, op.path, value);
        break;
      }
      case 'copy':
        add(doc, op.path, get(doc, requiredFrom(op)));
        break;
      case 'test':
        if (!deepEqual(get(doc, op.path), required(op)))
          throw new JsonPatchError(`test ${op.path}: expected ${JSON.stringify(op.value)}`);
        break;
    }
  }
}

const OPS: readonly PatchOperation['op'][] = ['add', 'remove', 'replace', 'move', 'copy', 'test'];

function isOp(value: Json | undefined): value is PatchOperation['op'] {
  return OPS.some((op) => op === value);
}

/** Checks that parsed YAML is a list of patch operations. */
export function toOperations(value: Json): PatchOperation[] {
  if (!Array.isArray(value)) throw new JsonPatchError('a JSON patch is a list of operations');
  return value.map((item) => {
    if (!isObject(item) || !isOp(item.op) || typeof item.path !== 'string')
      throw new JsonPatchError(`not a patch operation: ${JSON.stringify(item)}`);
    const op: PatchOperation = { op: item.op, path: item.path };
    if (item.value !== undefined) op.value = item.value;
    if (typeof item.from === 'string') op.from = item.from;
    return op;
  });
}
