/**
 * scripts/deploy.sh (make deploy / make undeploy) without a cluster: its checks and messages with
 * tools missing, its overlay and image choices, and under DRY_RUN the exact commands it would run.
 * The kustomization it would apply is built too (subset here; real kustomize when installed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DeploySandbox, type RunResult } from '../support/deploy-sandbox.js';
import { kubectlVersion, realKustomize } from '../support/kubectl.js';
import { kustomizeBuild } from '../support/kustomize/build.js';
import { idOf, objectsAt, type Resource } from '../support/kustomize/json.js';
import { find, MANIFESTS, REPO } from '../support/manifests.js';

const sandbox = new DeploySandbox();
afterAll(() => sandbox.dispose());

const minikube = { context: 'minikube', minikubeRunning: true };
const pkg: unknown = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
const VERSION = typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : '';
/** The tag deploy.sh gives a minikube build: version, commit (or "local" outside git), -dirty-<time>. */
const MINIKUBE_BUILD = new RegExp(
  `^minikube -p minikube image build -t mqttzoo:(${VERSION.replace(/\./g, '\\.')}-(?:[0-9a-f]+|local)(?:-dirty-\\d+)?) \\.$`,
);
const cluster = { context: 'prod-cluster' };
const ROLLOUT = [
  'kubectl rollout status statefulset/zookeeper --timeout=10m',
  'kubectl rollout status statefulset/mqttzoo --timeout=10m',
];

/** The kustomization a dry run printed. */
function printedKustomization(r: RunResult): string {
  const marker = '# manifests/.deploy/kustomization.yaml:\n';
  const start = r.stdout.indexOf(marker);
  expect(start, r.stdout).toBeGreaterThanOrEqual(0);
  const lines = r.stdout.slice(start + marker.length).split('\n');
  return (
    lines
      .slice(
        0,
        lines.findIndex((l) => l.startsWith('+ ')),
      )
      .join('\n') + '\n'
  );
}

/** Builds a printed kustomization where deploy.sh would write it (next to manifests/overlays). */
function buildPrinted(text: string, build: (dir: string) => Resource[]): Resource[] {
  const dir = mkdtempSync(join(MANIFESTS, '.deploy-test-'));
  try {
    writeFileSync(join(dir, 'kustomization.yaml'), text);
    return build(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function brokerImage(resources: Resource[]): unknown {
  return objectsAt(find(resources, 'StatefulSet', 'mqttzoo'), 'spec', 'template', 'spec', 'containers')[0]
    ?.image;
}

it('make deploy and make undeploy run the script', () => {
  const r = spawnSync('make', ['--no-print-directory', '-n', 'deploy', 'undeploy'], {
    cwd: REPO,
    encoding: 'utf8',
  });
  expect(r.stdout.trim().split('\n')).toEqual(['scripts/deploy.sh deploy', 'scripts/deploy.sh undeploy']);
});

describe('missing tools and clusters', () => {
  it.each(['deploy', 'undeploy'])('%s without kubectl says so and fails', (action) => {
    const r = sandbox.run([action], ['minikube', 'docker'], minikube);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^deploy: kubectl not found: install it \(https:\/\/kubernetes\.io\/docs\/tasks\/tools\/\)/,
    );
    expect(r.calls).toEqual([]);
  });

  it('without a current context', () => {
    const r = sandbox.run(['deploy'], ['kubectl'], { context: '' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /deploy: no current kube context: start minikube \(minikube start\) or choose a cluster/,
    );
  });

  it('with a cluster that does not answer', () => {
    const r = sandbox.run(['deploy'], ['kubectl'], { context: 'minikube', unreachable: true });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot reach the cluster of context 'minikube'/);
  });

  it('on minikube without the minikube command', () => {
    const r = sandbox.run(['deploy'], ['kubectl'], minikube, { DRY_RUN: '1' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/deploy: minikube not found: .*or set IMAGE=registry\/name:tag/);
  });

  it('on another cluster without IMAGE', () => {
    const r = sandbox.run(['deploy'], ['kubectl', 'minikube'], cluster, { DRY_RUN: '1' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/context 'prod-cluster' is not minikube: set IMAGE=registry\/name:tag/);
  });

  it('with IMAGE but without docker', () => {
    const r = sandbox.run(['deploy'], ['kubectl'], cluster, { DRY_RUN: '1', IMAGE: 'r.example/mqttzoo:1' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/deploy: docker not found/);
  });

  it('with bad arguments', () => {
    expect(sandbox.run([], ['kubectl'], minikube).status).toBe(2);
    expect(sandbox.run(['up'], ['kubectl'], minikube).stderr).toMatch(
      /^usage: scripts\/deploy\.sh deploy\|undeploy/,
    );
    const overlay = sandbox.run(['deploy'], ['kubectl', 'minikube'], minikube, {
      DRY_RUN: '1',
      OVERLAY: 'staging',
    });
    expect(overlay.stderr).toMatch(/OVERLAY must be minikube or production, not 'staging'/);
    const untagged = sandbox.run(['deploy'], ['kubectl', 'docker'], cluster, {
      DRY_RUN: '1',
      IMAGE: 'r.example:5000/mqttzoo',
    });
    expect(untagged.stderr).toMatch(/IMAGE needs a tag/);
  });
});

describe('DRY_RUN deploy', () => {
  it('on minikube: builds in minikube, applies the minikube overlay with that image, waits', () => {
    const r = sandbox.run(['deploy'], ['kubectl', 'minikube'], minikube, { DRY_RUN: '1' });
    expect(r.status, r.stderr).toBe(0);
    const [build, ...rest] = r.planned;
    const tag = MINIKUBE_BUILD.exec(build ?? '')?.[1];
    expect(tag, build).toBeDefined();
    expect(rest).toEqual([
      'kubectl create secret generic mqttzoo-debug-token --from-file=token=/dev/stdin  # a random token',
      'kubectl apply -k manifests/.deploy',
      ...ROLLOUT,
    ]);
    const kustomization = printedKustomization(r);
    expect(kustomization).toContain('  - ../overlays/minikube\n');
    expect(brokerImage(buildPrinted(kustomization, kustomizeBuild))).toBe(`mqttzoo:${tag}`);
    expect(r.stdout).toContain('minikube -p minikube tunnel');
    expect(r.stdout).toContain('make sub HOST=<EXTERNAL-IP>');
    // Only questions reached the stand-ins.
    expect(r.calls.filter((c) => !/config current-context|get --raw|get secret|get service/.test(c))).toEqual(
      [],
    );
  });

  it('on another cluster: docker build and push IMAGE, production overlay, namespace', () => {
    const image = 'registry.example.com:5000/team/mqttzoo:1.2.3';
    const r = sandbox.run(
      ['deploy'],
      ['kubectl', 'docker'],
      { ...cluster, secretExists: true },
      {
        DRY_RUN: '1',
        IMAGE: image,
        NAMESPACE: 'mq',
        ROLLOUT_TIMEOUT: '5m',
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.planned).toEqual([
      `docker build -t ${image} .`,
      `docker push ${image}`,
      'kubectl -n mq apply -k manifests/.deploy',
      'kubectl -n mq rollout status statefulset/zookeeper --timeout=5m',
      'kubectl -n mq rollout status statefulset/mqttzoo --timeout=5m',
    ]);
    const kustomization = printedKustomization(r);
    expect(kustomization).toContain('  - ../overlays/production\n');
    expect(brokerImage(buildPrinted(kustomization, kustomizeBuild))).toBe(image);
    expect(r.stdout).toContain('kubectl -n mq get service mqttzoo-mqtt --watch');
  });

  it('an explicit OVERLAY wins; SKIP_BUILD deploys a pushed image by digest without docker', () => {
    const image = 'r.example/mqttzoo@sha256:' + 'ab'.repeat(32);
    const r = sandbox.run(['deploy'], ['kubectl', 'minikube'], minikube, {
      DRY_RUN: '1',
      OVERLAY: 'production',
      IMAGE: image,
      SKIP_BUILD: '1',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.planned.filter((p) => /build|push/.test(p))).toEqual([]);
    const kustomization = printedKustomization(r);
    expect(kustomization).toContain('  - ../overlays/production\n');
    expect(brokerImage(buildPrinted(kustomization, kustomizeBuild))).toBe(image);
  });

  it.skipIf(kubectlVersion === undefined)(
    `prints a kustomization the real kustomize builds (${kubectlVersion ?? 'no kubectl'})`,
    () => {
      const r = sandbox.run(['deploy'], ['kubectl', 'docker'], cluster, {
        DRY_RUN: '1',
        IMAGE: 'r.example/mqttzoo:7',
      });
      const text = printedKustomization(r);
      const byId = (resources: Resource[]): Map<string, Resource> =>
        new Map(resources.map((x) => [idOf(x), x]));
      const real = byId(buildPrinted(text, realKustomize));
      expect(brokerImage([...real.values()])).toBe('r.example/mqttzoo:7');
      expect(byId(buildPrinted(text, kustomizeBuild))).toEqual(real);
    },
  );
});

describe('deploy for real, against stand-ins', () => {
  it('creates a random token, applies its kustomization, waits, and removes the file', () => {
    const r = sandbox.run(['deploy'], ['kubectl', 'minikube'], { ...minikube, accept: true });
    expect(r.status, r.stderr).toBe(0);
    expect(r.token).toMatch(/^[A-Za-z0-9]{30,}$/);
    expect(r.applied).toMatch(/resources:\n {2}- \.\.\/overlays\/minikube\n/);
    expect(r.calls.filter((c) => /image build|apply|rollout/.test(c))).toEqual([
      expect.stringMatching(MINIKUBE_BUILD),
      'kubectl apply -k manifests/.deploy',
      ...ROLLOUT,
    ]);
    expect(existsSync(join(MANIFESTS, '.deploy'))).toBe(false);
  });
});

describe('DRY_RUN undeploy', () => {
  it('deletes the overlay, old generated ConfigMaps and the generated token, keeps the volumes', () => {
    const r = sandbox.run(['undeploy'], ['kubectl'], cluster, { DRY_RUN: '1' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.planned).toEqual([
      'kubectl delete -k manifests/overlays/production --ignore-not-found',
      'kubectl delete configmap -l app.kubernetes.io/part-of=mqttzoo --ignore-not-found',
      'kubectl delete secret -l app.kubernetes.io/managed-by=mqttzoo-deploy --ignore-not-found',
    ]);
    expect(r.stdout).toMatch(/volumes .* are kept: PURGE=1 make undeploy deletes them/);
  });

  it('with PURGE=1 also deletes ZooKeeper volumes', () => {
    const r = sandbox.run(['undeploy'], ['kubectl', 'minikube'], minikube, { DRY_RUN: '1', PURGE: '1' });
    expect(r.planned).toEqual([
      'kubectl delete -k manifests/overlays/minikube --ignore-not-found',
      'kubectl delete configmap -l app.kubernetes.io/part-of=mqttzoo --ignore-not-found',
      'kubectl delete secret -l app.kubernetes.io/managed-by=mqttzoo-deploy --ignore-not-found',
      'kubectl delete pvc -l app.kubernetes.io/name=zookeeper,app.kubernetes.io/instance=mqttzoo --ignore-not-found',
    ]);
  });
});
