/**
 * The real kustomize, when this machine has it (kubectl's built-in `kubectl kustomize`, offline):
 * the tests compare the subset's output with it. Absent on most machines; the comparison is then
 * skipped and the subset's own unit tests stand alone.
 */
import { spawnSync } from 'node:child_process';
import { parseYamlDocuments } from './kustomize/yaml.js';
import { isResource, stringAt, type Resource } from './kustomize/json.js';
import { toJson } from './kustomize/yaml.js';

/** "kubectl vX, kustomize vY", or undefined when kubectl is not on PATH. */
function probe(): string | undefined {
  const r = spawnSync('kubectl', ['version', '--client', '-o', 'json'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (r.status !== 0) return undefined;
  const parsed: unknown = JSON.parse(r.stdout);
  const v = toJson(parsed, 'kubectl version');
  return `kubectl ${stringAt(v, 'clientVersion', 'gitVersion') ?? '?'}, kustomize ${stringAt(v, 'kustomizeVersion') ?? '?'}`;
}

export const kubectlVersion: string | undefined = probe();

export function realKustomize(dir: string): Resource[] {
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir}: ${r.stderr}`);
  return parseYamlDocuments(r.stdout, `kubectl kustomize ${dir}`).filter(isResource);
}
