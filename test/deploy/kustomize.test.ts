/**
 * The kustomize subset (test/support/kustomize) that builds manifests/ for the other deploy tests:
 * its pieces against known kustomize results, and, where kubectl is installed, its whole output
 * against `kubectl kustomize` for every overlay.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kubectlVersion, realKustomize } from '../support/kubectl.js';
import { kustomizeBuild } from '../support/kustomize/build.js';
import { parseEnvFile, parseLiteral } from '../support/kustomize/env-file.js';
import { kustomizeHash } from '../support/kustomize/hash.js';
import { applyJsonPatch, toOperations } from '../support/kustomize/json-patch.js';
import { idOf, type JsonObject, type Resource } from '../support/kustomize/json.js';
import { splitImage } from '../support/kustomize/pod-specs.js';
import { strategicMerge } from '../support/kustomize/strategic-merge.js';
import { MANIFESTS, OVERLAYS, overlayDir } from '../support/manifests.js';

const scratch = mkdtempSync(join(tmpdir(), 'mqttzoo-kustomize-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A kustomization directory in the scratch space: file name -> content. */
function fixture(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

const deployment = (name: string, extra: JsonObject = {}): Resource => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  ...extra,
});

describe('generated ConfigMap names (hashes checked against kubectl kustomize 5.5.0)', () => {
  const cm = (data?: JsonObject): Resource => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'ignored' },
    ...(data ? { data } : {}),
  });
  it('hashes the data as Go would encode it', () => {
    expect(kustomizeHash(cm({ k: 'v' }))).toBe('bdg947hgcc');
    expect(kustomizeHash(cm())).toBe('6ct58987ht');
    expect(kustomizeHash(cm({ greeting: 'hello', html: '<b>&amp;</b>', quoted: 'a b' }))).toBe('d72f9fmhf5');
  });
  it('builds literals, strips their quotes and suffixes the name', () => {
    const dir = fixture('literals', {
      'kustomization.yaml':
        'configMapGenerator:\n  - name: example\n    literals:\n' +
        '      - greeting=hello\n      - html=<b>&amp;</b>\n      - quoted="a b"\n',
    });
    const [built] = kustomizeBuild(dir);
    expect(built?.metadata.name).toBe('example-d72f9fmhf5');
    expect(built?.data).toEqual({ greeting: 'hello', html: '<b>&amp;</b>', quoted: 'a b' });
  });
});

describe('strategic merge subset', () => {
  it('merges containers and env by name: patch items first, then the rest; null deletes', () => {
    const target = deployment('d', {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'a',
                image: 'x',
                env: [
                  { name: 'A', value: '1' },
                  { name: 'B', value: '2' },
                  { name: 'C', value: '3' },
                ],
              },
              { name: 'b', image: 'y' },
            ],
          },
        },
      },
    });
    strategicMerge(target, {
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'c', image: 'z' },
              {
                name: 'a',
                image: null,
                args: null,
                env: [
                  { name: 'Z', value: '9' },
                  { name: 'C', value: '33' },
                  { name: 'A', value: null },
                ],
              },
            ],
          },
        },
      },
    });
    // What kubectl kustomize 5.5.0 printed for the same base and patch.
    expect(target.spec).toEqual({
      template: {
        spec: {
          containers: [
            { name: 'c', image: 'z' },
            {
              name: 'a',
              env: [
                { name: 'Z', value: '9' },
                { name: 'C', value: '33' },
                { name: 'A' },
                { name: 'B', value: '2' },
              ],
            },
            { name: 'b', image: 'y' },
          ],
        },
      },
    });
  });
  it('replaces lists without a merge key and refuses lists it cannot merge like Kubernetes', () => {
    const target = deployment('d', {
      spec: { template: { spec: { containers: [{ name: 'a', args: ['1', '2'] }] } } },
    });
    strategicMerge(target, { spec: { template: { spec: { containers: [{ name: 'a', args: ['3'] }] } } } });
    expect(target.spec).toEqual({ template: { spec: { containers: [{ name: 'a', args: ['3'] }] } } });
    expect(() =>
      strategicMerge(target, { spec: { template: { spec: { containers: [{ name: 'a', ports: [] }] } } } }),
    ).toThrow(/ports: patching this list is not supported/);
    expect(() => strategicMerge(target, { spec: { $patch: 'replace' } })).toThrow(/directives/);
  });
});

describe('JSON patch (RFC 6902)', () => {
  it('adds, replaces, removes, moves, copies and tests', () => {
    const doc: JsonObject = { a: { b: [1, 2] }, 'x/y': { '~': 1 } };
    applyJsonPatch(
      doc,
      toOperations([
        { op: 'test', path: '/x~1y/~0', value: 1 },
        { op: 'add', path: '/a/b/-', value: 3 },
        { op: 'add', path: '/a/b/0', value: 0 },
        { op: 'replace', path: '/a/b/1', value: 'one' },
        { op: 'remove', path: '/a/b/2' },
        { op: 'copy', from: '/a/b', path: '/c' },
        { op: 'move', from: '/x~1y', path: '/z' },
      ]),
    );
    expect(doc).toEqual({ a: { b: [0, 'one', 3] }, c: [0, 'one', 3], z: { '~': 1 } });
  });
  it('fails a test or a missing path', () => {
    expect(() => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(/test \/a/);
    expect(() => applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '/b', value: 2 }])).toThrow(
      /does not exist/,
    );
    expect(() => applyJsonPatch({ a: [] }, [{ op: 'add', path: '/a/1', value: 2 }])).toThrow(/out of range/);
    expect(() => toOperations([{ op: 'merge', path: '/a' }])).toThrow(/not a patch operation/);
  });
});

describe('generator sources and images', () => {
  it('reads env files like kustomize: comments, blanks, literal values', () => {
    expect(parseEnvFile('\uFEFF# c\n\n  A=1\nB= x=y \nC=\n', 'f')).toEqual({ A: '1', B: ' x=y ', C: '' });
    expect(() => parseEnvFile('A\n', 'f')).toThrow(/f:1: expected KEY=value/);
    expect(parseLiteral("k='v w'")).toEqual({ k: 'v w' });
  });
  it('splits image references into name and tag or digest', () => {
    expect(splitImage('mqttzoo')).toEqual({ name: 'mqttzoo', suffix: '' });
    expect(splitImage('localhost:5000/a/b:1.2')).toEqual({ name: 'localhost:5000/a/b', suffix: ':1.2' });
    expect(splitImage('localhost:5000/a')).toEqual({ name: 'localhost:5000/a', suffix: '' });
    expect(splitImage('r/a@sha256:00')).toEqual({ name: 'r/a', suffix: '@sha256:00' });
  });
});

describe('the build', () => {
  const base = {
    'base/kustomization.yaml':
      'resources: [d.yaml]\nconfigMapGenerator:\n  - name: cfg\n    literals: [A=1]\n',
    'base/d.yaml':
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n' +
      '      containers:\n        - name: c\n          image: app:1\n          envFrom: [{configMapRef: {name: cfg}}]\n',
  };
  it('merges an overlay generator, relabels, retags and renames references', () => {
    const dir = fixture('overlay', {
      ...base,
      'o/kustomization.yaml':
        'resources: [../base]\nconfigMapGenerator:\n  - {name: cfg, behavior: merge, literals: [B=2]}\n' +
        'labels:\n  - pairs: {team: t}\n    includeTemplates: true\nimages:\n  - {name: app, newName: r/app, newTag: "2"}\n',
    });
    const [d, cm] = kustomizeBuild(join(dir, 'o'));
    expect(cm?.data).toEqual({ A: '1', B: '2' });
    expect(cm?.metadata).toEqual({
      name: `cfg-${kustomizeHash({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, data: { A: '1', B: '2' } })}`,
      labels: { team: 't' },
    });
    expect(d?.metadata.labels).toEqual({ team: 't' });
    expect(d?.spec).toMatchObject({
      template: {
        metadata: { labels: { team: 't' } },
        spec: {
          containers: [{ image: 'r/app:2', envFrom: [{ configMapRef: { name: cm?.metadata.name } }] }],
        },
      },
    });
  });
  it('refuses what the subset does not implement and patches that match nothing', () => {
    const unsupported = fixture('unsupported', {
      ...base,
      'u/kustomization.yaml': 'resources: [../base]\nnamePrefix: x-\n',
    });
    expect(() => kustomizeBuild(join(unsupported, 'u'))).toThrow(/namePrefix is not supported/);
    const unmatched = fixture('unmatched', {
      ...base,
      'u/kustomization.yaml':
        'resources: [../base]\npatches:\n  - target: {kind: Service}\n    patch: "[]"\n',
    });
    expect(() => kustomizeBuild(join(unmatched, 'u'))).toThrow(/no resource matches/);
    const twice = fixture('twice', {
      ...base,
      'u/kustomization.yaml': 'resources: [../base, ../base/d.yaml]\n',
    });
    expect(() => kustomizeBuild(join(twice, 'u'))).toThrow(/Deployment\/d defined twice/);
  });
});

const dirs = [join(MANIFESTS, 'base'), ...OVERLAYS.map(overlayDir)];

describe.skipIf(kubectlVersion === undefined)(
  `same output as the real kustomize (${kubectlVersion ?? 'no kubectl'})`,
  () => {
    it.each(dirs)('%s', (dir) => {
      const byId = (resources: Resource[]): Map<string, Resource> =>
        new Map(resources.map((r) => [idOf(r), r]));
      const ours = byId(kustomizeBuild(dir));
      const real = byId(realKustomize(dir));
      expect([...ours.keys()].sort()).toEqual([...real.keys()].sort());
      for (const [id, resource] of real) expect(ours.get(id), id).toEqual(resource);
    });
  },
);
