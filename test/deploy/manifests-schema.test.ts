/**
 * Every manifest of every overlay, as kustomize builds it, against the Kubernetes API schemas of a
 * pinned Kubernetes version (test/support/k8s-schema.ts: kubernetes-models 4.5.1 = Kubernetes
 * v1.33.0), offline.
 */
import { describe, expect, it } from 'vitest';
import {
  KUBERNETES_VERSION,
  SCHEMA_PACKAGE,
  schemaErrors,
  unknownFieldErrors,
} from '../support/k8s-schema.js';
import { clone, idOf, objectsAt, type JsonObject, type Resource } from '../support/kustomize/json.js';
import { buildOverlay, find, OVERLAYS } from '../support/manifests.js';

describe.each(OVERLAYS)(
  `overlay %s against Kubernetes ${KUBERNETES_VERSION} (${SCHEMA_PACKAGE})`,
  (overlay) => {
    const resources = buildOverlay(overlay);

    it('builds the expected set of resources', () => {
      const ids = resources.map(idOf).sort();
      expect(ids.filter((id) => !id.startsWith('ConfigMap/'))).toEqual([
        'PodDisruptionBudget/mqttzoo',
        'PodDisruptionBudget/zookeeper',
        'Service/mqttzoo-headless',
        'Service/mqttzoo-mqtt',
        'Service/zookeeper',
        'Service/zookeeper-headless',
        'StatefulSet/mqttzoo',
        'StatefulSet/zookeeper',
      ]);
      expect(ids.filter((id) => id.startsWith('ConfigMap/'))).toEqual([
        expect.stringMatching(/^ConfigMap\/mqttzoo-config-[a-z0-9]{10}$/),
      ]);
    });

    it.each(resources.map((r) => [idOf(r), r] as const))('%s matches its schema', (_id, resource) => {
      expect(schemaErrors(resource)).toEqual([]);
    });

    it('has no field the API does not define', () => {
      expect(unknownFieldErrors(resources)).toEqual([]);
    }, 60_000);
  },
);

describe('the validators are not vacuous', () => {
  const statefulSet = find(buildOverlay('minikube'), 'StatefulSet', 'mqttzoo');
  const broken = (change: (container: JsonObject) => void): Resource => {
    const copy = clone(statefulSet);
    const [container] = objectsAt(copy, 'spec', 'template', 'spec', 'containers');
    if (container === undefined) throw new Error('no container');
    change(container);
    return copy;
  };

  it('a wrong type fails the schema', () => {
    const bad = broken((c) => (c.ports = [{ name: 'mqtt', containerPort: 'not a number' }]));
    expect(schemaErrors(bad).join()).toMatch(/containerPort must be integer/);
  });

  it('a misspelled field fails the strict check', () => {
    const bad = broken((c) => (c.readinesProbe = {}));
    expect(unknownFieldErrors([bad]).join()).toMatch(/readinesProbe/);
  }, 60_000);

  it('an unknown kind has no schema', () => {
    expect(schemaErrors({ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'x' } })).toEqual([
      'no schema for example.com/v1 Thing',
    ]);
  });
});
