/**
 * The manifests agree with the code: variable names, ports, probe paths and the ZooKeeper connect
 * string come from src/server/config.ts (OPTIONS, loadConfig) and src/server/http.ts, not from a
 * copy in this test; selectors, Services and disruption budgets agree with the StatefulSets.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, OPTIONS } from '../../src/server/config.js';
import { HEALTHZ_PATH, METRICS_PATH, READYZ_PATH } from '../../src/server/http.js';
import {
  BROKER_STATEFULSET,
  brokerContainer,
  brokerEnv,
  envRecord,
  namedPorts,
  podLabels,
  selects,
  ZOOKEEPER_STATEFULSET,
} from '../support/broker-env.js';
import {
  at,
  idOf,
  nameOf,
  objectAt,
  objectsAt,
  stringAt,
  text,
  type JsonObject,
  type Resource,
} from '../support/kustomize/json.js';
import { buildOverlay, find, findAll, OVERLAYS, REPO } from '../support/manifests.js';

const ENV_NAMES = new Set(OPTIONS.map((o) => o.env));
const pkg: unknown = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
const VERSION = typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : '';

function container(statefulSet: Resource, name: string): JsonObject {
  const found = objectsAt(statefulSet, 'spec', 'template', 'spec', 'containers').find((c) => c.name === name);
  if (found === undefined) throw new Error(`${idOf(statefulSet)} has no container ${name}`);
  return found;
}

function envValue(c: JsonObject, name: string): string {
  return (
    stringAt(
      objectsAt(c, 'env').find((e) => e.name === name),
      'value',
    ) ?? ''
  );
}

/** The variables Kubernetes' service links would define for a Service (docker link style). */
function serviceLinkVariables(service: Resource): string[] {
  const prefix = nameOf(service).toUpperCase().replace(/-/g, '_');
  const out = [`${prefix}_SERVICE_HOST`, `${prefix}_SERVICE_PORT`, `${prefix}_PORT`];
  for (const p of objectsAt(service, 'spec', 'ports')) {
    const port = text(p.port);
    const proto = text(p.protocol ?? 'TCP');
    if (typeof p.name === 'string')
      out.push(`${prefix}_SERVICE_PORT_${p.name.toUpperCase().replace(/-/g, '_')}`);
    for (const suffix of ['', '_PROTO', '_PORT', '_ADDR'])
      out.push(`${prefix}_PORT_${port}_${proto}${suffix}`);
  }
  return out;
}

describe.each(OVERLAYS)('overlay %s', (overlay) => {
  const resources = buildOverlay(overlay);
  const brokers = find(resources, 'StatefulSet', BROKER_STATEFULSET);
  const zookeeper = find(resources, 'StatefulSet', ZOOKEEPER_STATEFULSET);
  const broker = brokerContainer(resources);
  const env = brokerEnv(resources);
  const config = loadConfig({}, envRecord(env));
  const brokerPorts = namedPorts(brokers);
  const zkPorts = namedPorts(zookeeper);

  describe('broker configuration', () => {
    it('uses only MQTTZOO_* variables that src/server/config.ts defines', () => {
      const unknown = env.filter((e) => !ENV_NAMES.has(e.name)).map((e) => e.name);
      expect(unknown).toEqual([]);
    });

    it('takes the broker id from the pod name and the debug token from a Secret', () => {
      const byName = new Map(env.map((e) => [e.name, e]));
      const id = OPTIONS.find((o) => o.key === 'brokerId')?.env ?? '';
      const token = OPTIONS.find((o) => o.key === 'debugToken')?.env ?? '';
      expect(byName.get(id)).toMatchObject({ from: 'fieldRef', ref: 'metadata.name' });
      expect(byName.get(token)).toMatchObject({ from: 'secretKeyRef', ref: 'mqttzoo-debug-token/token' });
      expect(config.brokerId).toBe(`${BROKER_STATEFULSET}-0`);
      expect(config.debugToken).not.toBe('');
    });

    it('runs clustered with HTTP on every address, so kubelet and Prometheus reach it', () => {
      expect(config.standalone).toBe(false);
      expect(config.httpHost).toBe('0.0.0.0');
      expect(config.host).toBe('0.0.0.0');
    });

    it('names the ZooKeeper StatefulSet pods and client port in the connect string', () => {
      const replicas = Number(at(zookeeper, 'spec', 'replicas'));
      const service = text(at(zookeeper, 'spec', 'serviceName'));
      const clientPort = zkPorts.get('client');
      const expected = Array.from(
        { length: replicas },
        (_, i) => `${nameOf(zookeeper)}-${i}.${service}:${clientPort}`,
      );
      expect(config.zookeeper.split(',')).toEqual(expected);
      const headless = find(resources, 'Service', service);
      expect(at(headless, 'spec', 'clusterIP')).toBe('None');
      expect(at(headless, 'spec', 'publishNotReadyAddresses')).toBe(true);
      expect(objectsAt(headless, 'spec', 'ports')).toContainEqual(
        expect.objectContaining({ port: clientPort, targetPort: 'client' }),
      );
    });

    it('declares the container ports the broker is configured to listen on', () => {
      expect(brokerPorts.get('mqtt')).toBe(config.port);
      expect(brokerPorts.get('http')).toBe(config.httpPort);
    });

    it('has no Service whose service-link variables could shadow a setting, and no service links', () => {
      expect(at(brokers, 'spec', 'template', 'spec', 'enableServiceLinks')).toBe(false);
      const shadowing = findAll(resources, 'Service')
        .flatMap(serviceLinkVariables)
        .filter((v) => ENV_NAMES.has(v));
      expect(shadowing).toEqual([]);
    });
  });

  describe('probes and scraping', () => {
    it('probes the paths the broker serves, on its HTTP port', () => {
      expect(at(broker, 'readinessProbe', 'httpGet')).toEqual({ path: READYZ_PATH, port: 'http' });
      expect(at(broker, 'livenessProbe', 'httpGet')).toEqual({ path: HEALTHZ_PATH, port: 'http' });
      expect(at(broker, 'startupProbe', 'httpGet')).toEqual({ path: HEALTHZ_PATH, port: 'http' });
    });

    it('tells Prometheus where the metrics are', () => {
      expect(objectAt(brokers, 'spec', 'template', 'metadata', 'annotations')).toEqual({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(config.httpPort),
        'prometheus.io/path': METRICS_PATH,
      });
    });

    it('gives the load balancer time before SIGTERM, and the drain time after it', () => {
      const preStop = at(broker, 'lifecycle', 'preStop', 'exec', 'command');
      expect(Array.isArray(preStop) ? preStop.map(String) : []).toEqual([
        'sleep',
        expect.stringMatching(/^\d+$/),
      ]);
      const sleep = Array.isArray(preStop) ? Number(preStop[1]) : 0;
      const grace = Number(at(brokers, 'spec', 'template', 'spec', 'terminationGracePeriodSeconds'));
      expect(sleep).toBeGreaterThanOrEqual(5);
      expect(grace - sleep).toBeGreaterThanOrEqual(30);
    });

    it('has ZooKeeper ready only in a quorum (srvr), alive on ruok, and purging old logs', () => {
      const zk = container(zookeeper, 'zookeeper');
      const ready = text(at(zk, 'readinessProbe', 'exec', 'command', 2));
      expect(ready).toContain(`/dev/tcp/127.0.0.1/${zkPorts.get('client')}`);
      expect(ready).toContain('printf srvr');
      expect(ready).toContain("'^Mode: (leader|follower)$'");
      expect(text(at(zk, 'livenessProbe', 'exec', 'command', 2))).toContain('printf ruok');
      expect(envValue(zk, 'ZOO_4LW_COMMANDS_WHITELIST').split(',')).toEqual(
        expect.arrayContaining(['srvr', 'ruok']),
      );
      expect(Number(envValue(zk, 'ZOO_AUTOPURGE_PURGEINTERVAL'))).toBeGreaterThan(0);
      expect(Number(envValue(zk, 'ZOO_AUTOPURGE_SNAPRETAINCOUNT'))).toBeGreaterThanOrEqual(3);
    });

    it('gives each ZooKeeper server the ensemble and its myid from the pod ordinal', () => {
      const zk = container(zookeeper, 'zookeeper');
      const replicas = Number(at(zookeeper, 'spec', 'replicas'));
      const service = text(at(zookeeper, 'spec', 'serviceName'));
      const [client, quorum, election] = ['client', 'quorum', 'election'].map((p) => zkPorts.get(p));
      expect(envValue(zk, 'ZOO_SERVERS').split(' ')).toEqual(
        Array.from(
          { length: replicas },
          (_, i) => `server.${i + 1}=${nameOf(zookeeper)}-${i}.${service}:${quorum}:${election};${client}`,
        ),
      );
      expect(text(at(zk, 'command', 2))).toMatch(/^declare -ix ZOO_MY_ID=\$\{HOSTNAME##\*-\}\+1 && exec /);
      expect(at(zookeeper, 'spec', 'podManagementPolicy')).toBe('Parallel');
    });
  });

  describe('selectors, Services and disruption budgets', () => {
    const statefulSets = findAll(resources, 'StatefulSet');

    it.each(statefulSets.map((s) => [nameOf(s), s] as const))(
      'StatefulSet %s selects its own pods, through a headless Service',
      (_n, s) => {
        expect(selects(objectAt(s, 'spec', 'selector', 'matchLabels'), podLabels(s))).toBe(true);
        const service = find(resources, 'Service', text(at(s, 'spec', 'serviceName')));
        expect(at(service, 'spec', 'clusterIP')).toBe('None');
        expect(selects(objectAt(service, 'spec', 'selector'), podLabels(s))).toBe(true);
      },
    );

    it.each(findAll(resources, 'Service').map((s) => [nameOf(s), s] as const))(
      'Service %s selects one StatefulSet and its named ports',
      (_n, service) => {
        const selected = statefulSets.filter((s) =>
          selects(objectAt(service, 'spec', 'selector'), podLabels(s)),
        );
        expect(selected.map(nameOf)).toHaveLength(1);
        const [target] = selected;
        if (target === undefined) return;
        const ports = namedPorts(target);
        for (const p of objectsAt(service, 'spec', 'ports')) {
          expect(typeof p.targetPort === 'string' ? ports.get(p.targetPort) : undefined, text(p.name)).toBe(
            p.port,
          );
        }
      },
    );

    it('offers MQTT on the configured port through one LoadBalancer', () => {
      const balancers = findAll(resources, 'Service').filter((s) => at(s, 'spec', 'type') === 'LoadBalancer');
      expect(balancers.map(nameOf)).toEqual(['mqttzoo-mqtt']);
      expect(objectsAt(balancers[0], 'spec', 'ports')).toEqual([
        { name: 'mqtt', port: config.port, targetPort: 'mqtt' },
      ]);
    });

    it.each(findAll(resources, 'PodDisruptionBudget').map((p) => [nameOf(p), p] as const))(
      'PodDisruptionBudget %s covers exactly one StatefulSet, one pod at a time',
      (_n, pdb) => {
        const selector = objectAt(pdb, 'spec', 'selector', 'matchLabels');
        const covered = statefulSets.filter((s) => selects(selector, podLabels(s)));
        expect(covered.map(nameOf)).toEqual([nameOf(pdb)]);
        expect(selector).toEqual(objectAt(covered[0], 'spec', 'selector', 'matchLabels'));
        expect(at(pdb, 'spec', 'maxUnavailable')).toBe(1);
      },
    );

    it('keeps one budget per StatefulSet', () => {
      expect(findAll(resources, 'PodDisruptionBudget').map(nameOf).sort()).toEqual(
        statefulSets.map(nameOf).sort(),
      );
    });
  });

  describe('labels, images and resources', () => {
    const required = ['name', 'instance', 'component', 'part-of', 'managed-by'].map(
      (k) => `app.kubernetes.io/${k}`,
    );

    it.each(resources.filter((r) => r.kind !== 'ConfigMap').map((r) => [idOf(r), r] as const))(
      '%s has the recommended labels',
      (_id, r) => {
        expect(Object.keys(objectAt(r, 'metadata', 'labels') ?? {})).toEqual(
          expect.arrayContaining(required),
        );
        if (r.kind === 'StatefulSet')
          expect(Object.keys(podLabels(r))).toEqual(
            expect.arrayContaining([...required, 'app.kubernetes.io/version']),
          );
      },
    );

    it('labels the broker with package.json version and runs that image by default', () => {
      expect(podLabels(brokers)['app.kubernetes.io/version']).toBe(VERSION);
      expect(broker.image).toBe(`mqttzoo:${VERSION}`);
    });

    it('pins the ZooKeeper image and labels it with that version', () => {
      const image = text(container(zookeeper, 'zookeeper').image);
      expect(image).toMatch(/^zookeeper:3\.\d+\.\d+$/);
      expect(podLabels(zookeeper)['app.kubernetes.io/version']).toBe(image.split(':')[1]);
    });

    it(`${overlay === 'production' ? 'requires' : 'prefers'} ZooKeeper servers on distinct nodes`, () => {
      const anti = objectAt(zookeeper, 'spec', 'template', 'spec', 'affinity', 'podAntiAffinity') ?? {};
      const key =
        overlay === 'production'
          ? 'requiredDuringSchedulingIgnoredDuringExecution'
          : 'preferredDuringSchedulingIgnoredDuringExecution';
      expect(Object.keys(anti)).toEqual([key]);
      const term =
        overlay === 'production'
          ? objectsAt(anti, key)[0]
          : objectAt(objectsAt(anti, key)[0], 'podAffinityTerm');
      expect(at(term, 'topologyKey')).toBe('kubernetes.io/hostname');
      expect(at(term, 'labelSelector', 'matchLabels')).toEqual(
        at(zookeeper, 'spec', 'selector', 'matchLabels'),
      );
    });

    it('keeps the ZooKeeper heap well inside its memory, which is reserved in full', () => {
      const zk = container(zookeeper, 'zookeeper');
      const bytes = (q: string): number => {
        const m = /^(\d+)(Ki|Mi|Gi|k|m|g)?$/.exec(q);
        const unit =
          { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 }[m?.[2] ?? ''] ?? 1;
        return m ? Number(m[1]) * unit : NaN;
      };
      const flags = envValue(zk, 'JVMFLAGS').split(' ');
      const heap = bytes(flags.find((f) => f.startsWith('-Xmx'))?.slice(4) ?? '');
      const limit = bytes(text(at(zk, 'resources', 'limits', 'memory')));
      expect(flags).toContain(`-Xms${flags.find((f) => f.startsWith('-Xmx'))?.slice(4) ?? ''}`);
      expect(heap / limit).toBeLessThanOrEqual(0.7);
      expect(at(zk, 'resources', 'requests', 'memory')).toBe(at(zk, 'resources', 'limits', 'memory'));
    });

    it("sizes the quota to ZooKeeper's heap: log + 2 snapshots of the state within 40% of it (docs/QUOTA.md)", () => {
      const flags = envValue(container(zookeeper, 'zookeeper'), 'JVMFLAGS').split(' ');
      const xmx = /^-Xmx(\d+)([mg])$/.exec(flags.find((f) => f.startsWith('-Xmx')) ?? '');
      const heap = Number(xmx?.[1]) * (xmx?.[2] === 'g' ? 2 ** 30 : 2 ** 20);
      expect(config.quotaLogBytes).toBeGreaterThan(0);
      expect(config.quotaStateBytes).toBeGreaterThan(0);
      expect(config.quotaLogBytes + 2 * config.quotaStateBytes).toBeLessThanOrEqual(0.4 * heap);
    });

    it('gives every container resource requests and limits', () => {
      for (const s of findAll(resources, 'StatefulSet'))
        for (const c of objectsAt(s, 'spec', 'template', 'spec', 'containers')) {
          expect(Object.keys(objectAt(c, 'resources', 'requests') ?? {}).sort(), nameOf(s)).toEqual([
            'cpu',
            'memory',
          ]);
          expect(Object.keys(objectAt(c, 'resources', 'limits') ?? {}).sort(), nameOf(s)).toEqual([
            'cpu',
            'memory',
          ]);
        }
    });
  });
});
