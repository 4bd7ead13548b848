/**
 * What the broker container of the built manifests gets: its command line and its environment, as
 * the kubelet would assemble it (ConfigMaps from envFrom, then env; fieldRefs and secretKeyRefs
 * resolved to stand-in values).
 */
import { at, objectAt, objectsAt, stringAt, text, type JsonObject, type Resource } from './kustomize/json.js';
import { find } from './manifests.js';

export const BROKER_STATEFULSET = 'mqttzoo';
export const ZOOKEEPER_STATEFULSET = 'zookeeper';
/** Stands in for the debug token that the Secret holds in a cluster. */
export const SECRET_STAND_IN = 'secret-from-kubernetes';

export function brokerContainer(resources: readonly Resource[]): JsonObject {
  const containers = objectsAt(
    find(resources, 'StatefulSet', BROKER_STATEFULSET),
    'spec',
    'template',
    'spec',
    'containers',
  );
  const broker = containers.find((c) => c.name === 'broker');
  if (broker === undefined) throw new Error('no broker container');
  return broker;
}

/** Where each variable comes from: literal value, a ConfigMap key, a pod field or a Secret key. */
export interface EnvSource {
  name: string;
  value: string;
  from: 'value' | 'configMap' | 'fieldRef' | 'secretKeyRef';
  ref?: string;
}

export function brokerEnv(resources: readonly Resource[], podOrdinal = 0): EnvSource[] {
  const container = brokerContainer(resources);
  const podName = `${BROKER_STATEFULSET}-${podOrdinal}`;
  const out: EnvSource[] = [];
  const set = (source: EnvSource): void => {
    const i = out.findIndex((e) => e.name === source.name);
    if (i >= 0) out.splice(i, 1);
    out.push(source);
  };
  for (const from of objectsAt(container, 'envFrom')) {
    const ref = stringAt(from, 'configMapRef', 'name');
    if (ref === undefined || from.prefix !== undefined)
      throw new Error(`unsupported envFrom ${JSON.stringify(from)}`);
    const data = objectAt(find(resources, 'ConfigMap', ref), 'data') ?? {};
    for (const [name, value] of Object.entries(data))
      set({ name, value: text(value), from: 'configMap', ref });
  }
  for (const env of objectsAt(container, 'env')) {
    const name = stringAt(env, 'name') ?? '';
    if (typeof env.value === 'string') {
      set({ name, value: env.value, from: 'value' });
      continue;
    }
    const field = stringAt(env, 'valueFrom', 'fieldRef', 'fieldPath');
    const secret = objectAt(env, 'valueFrom', 'secretKeyRef');
    if (field === 'metadata.name') set({ name, value: podName, from: 'fieldRef', ref: field });
    else if (secret !== undefined)
      set({
        name,
        value: SECRET_STAND_IN,
        from: 'secretKeyRef',
        ref: `${stringAt(secret, 'name') ?? ''}/${stringAt(secret, 'key') ?? ''}`,
      });
    else throw new Error(`unsupported env ${JSON.stringify(env)}`);
  }
  return out;
}

export function envRecord(sources: readonly EnvSource[]): Record<string, string> {
  return Object.fromEntries(sources.map((s) => [s.name, s.value]));
}

/** command + args as the container runtime resolves them against the image's ENTRYPOINT and CMD. */
export function effectiveCommand(container: JsonObject, entrypoint: string[], cmd: string[]): string[] {
  const strings = (key: string): string[] | undefined => {
    const v = at(container, key);
    return Array.isArray(v) ? v.map((x) => text(x)) : undefined;
  };
  const command = strings('command');
  const args = strings('args');
  if (command !== undefined) return [...command, ...(args ?? [])];
  return [...entrypoint, ...(args ?? cmd)];
}

/** Named container ports of a pod template: name -> containerPort. */
export function namedPorts(statefulSet: Resource): Map<string, number> {
  const ports = new Map<string, number>();
  for (const c of objectsAt(statefulSet, 'spec', 'template', 'spec', 'containers'))
    for (const p of objectsAt(c, 'ports'))
      if (typeof p.name === 'string' && typeof p.containerPort === 'number')
        ports.set(p.name, p.containerPort);
  return ports;
}

export function podLabels(statefulSet: Resource): JsonObject {
  return objectAt(statefulSet, 'spec', 'template', 'metadata', 'labels') ?? {};
}

/** matchLabels ⊆ labels. */
export function selects(selector: JsonObject | undefined, labels: JsonObject): boolean {
  if (selector === undefined || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}
