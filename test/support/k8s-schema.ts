/**
 * Validation of built manifests against the Kubernetes API schemas carried by the npm package
 * kubernetes-models, pinned at 4.5.1 (generated from the OpenAPI spec of Kubernetes v1.33.0):
 *  - `schemaErrors`: the package's JSON-schema validators (Ajv, compiled from the OpenAPI
 *    definitions): types, formats, enums, required fields;
 *  - `unknownFieldErrors`: the same package's TypeScript definitions, which the compiler checks the
 *    manifests against as object literals: a field the API does not have is an error there, as it is
 *    for `kubectl apply` (strict field validation). The JSON schemas alone allow unknown fields.
 */
import { join } from 'node:path';
import ts from 'typescript';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as coreV1 from 'kubernetes-models/v1';
import { idOf, type Resource } from './kustomize/json.js';
import { REPO } from './manifests.js';

export const SCHEMA_PACKAGE = 'kubernetes-models@4.5.1';
export const KUBERNETES_VERSION = 'v1.33.0';

interface Model {
  prototype: { validate(): void };
}

function isModel(value: unknown): value is Model {
  if (typeof value !== 'function' || !('prototype' in value)) return false;
  const proto: unknown = value.prototype;
  return (
    typeof proto === 'object' && proto !== null && 'validate' in proto && typeof proto.validate === 'function'
  );
}

const GROUPS: Readonly<Record<string, { module: string; models: Readonly<Record<string, unknown>> }>> = {
  v1: { module: 'kubernetes-models/v1', models: coreV1 },
  'apps/v1': { module: 'kubernetes-models/apps/v1', models: appsV1 },
  'policy/v1': { module: 'kubernetes-models/policy/v1', models: policyV1 },
};

function modelOf(resource: Resource): Model | undefined {
  const model = GROUPS[resource.apiVersion]?.models[resource.kind];
  return isModel(model) ? model : undefined;
}

/** Schema violations of one resource ([] when valid, a message when its kind is unknown). */
export function schemaErrors(resource: Resource): string[] {
  const model = modelOf(resource);
  if (model === undefined) return [`no schema for ${resource.apiVersion} ${resource.kind}`];
  try {
    model.prototype.validate.call(resource);
    return [];
  } catch (err) {
    return [err instanceof Error ? err.message : String(err)];
  }
}

const OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  skipLibCheck: true,
  types: [],
};

/** Type errors of the resources written as typed TypeScript constants, one message per error. */
export function unknownFieldErrors(resources: readonly Resource[]): string[] {
  const file = join(REPO, 'test', 'support', '__manifests_strict_check__.ts');
  const lines: string[] = [];
  const owners: { line: number; resource: Resource }[] = [];
  resources.forEach((resource, i) => {
    const group = GROUPS[resource.apiVersion];
    if (group === undefined || modelOf(resource) === undefined) return;
    lines.push(`import type { I${resource.kind} as T${i} } from '${group.module}/${resource.kind}';`);
  });
  resources.forEach((resource, i) => {
    if (modelOf(resource) === undefined) return;
    const line = lines.join('\n').split('\n').length;
    owners.push({ line, resource });
    lines.push(`export const r${i}: T${i} = ${JSON.stringify(resource, null, 2)};`);
  });
  const text = lines.join('\n');
  const host = ts.createCompilerHost(OPTIONS);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, onError) =>
    name === file ? ts.createSourceFile(name, text, version) : getSourceFile(name, version, onError);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], OPTIONS, host);
  const source = program.getSourceFile(file);
  if (source === undefined) throw new Error('the generated check did not load');
  const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
  return diagnostics.map((d) => {
    const line = d.start === undefined ? 0 : source.getLineAndCharacterOfPosition(d.start).line;
    const owner = [...owners].reverse().find((o) => o.line <= line);
    const name = owner ? idOf(owner.resource) : 'imports';
    return `${name} (line ${line - (owner?.line ?? 0)}): ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}
