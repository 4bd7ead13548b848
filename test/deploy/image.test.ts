/**
 * The container image runs the same `mqttzoo broker` as everything else: the Dockerfile's
 * ENTRYPOINT/CMD plus the broker StatefulSet's command/args resolve to package.json's bin with
 * `broker`, and the built CLI starts with exactly the environment the manifests give it.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flagOptions, loadConfig, OPTIONS } from '../../src/server/config.js';
import { HEALTHZ_PATH, READYZ_PATH } from '../../src/server/http.js';
import { brokerContainer, brokerEnv, effectiveCommand, envRecord } from '../support/broker-env.js';
import { baseImage, execForm, last, readDockerfile } from '../support/dockerfile.js';
import { buildOverlay, OVERLAYS, REPO } from '../support/manifests.js';

const pkg: unknown = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
const bin = typeof pkg === 'object' && pkg !== null && 'bin' in pkg ? pkg.bin : undefined;
const cliPath = typeof bin === 'object' && bin !== null && 'mqttzoo' in bin ? String(bin.mqttzoo) : '';
const dockerfile = readDockerfile(join(REPO, 'Dockerfile'));
const runtime = dockerfile.stages.at(-1);
if (runtime === undefined) throw new Error('Dockerfile has no stage');
const optionDefault = (key: string): string | number | boolean =>
  OPTIONS.find((o) => o.key === key)?.default ?? '';
const engines = typeof pkg === 'object' && pkg !== null && 'engines' in pkg ? pkg.engines : undefined;
const nodeEngine =
  typeof engines === 'object' && engines !== null && 'node' in engines ? String(engines.node) : '';

/** a >= b for dotted version numbers. */
function atLeast(a: string, b: string): boolean {
  const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
  for (let i = 0; i < Math.max(x.length, y.length); i++)
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  return true;
}

describe('Dockerfile', () => {
  it('builds on a pinned Node 20 image that satisfies package.json engines', () => {
    const minimum = /^>=(\d+(?:\.\d+)*)$/.exec(nodeEngine)?.[1];
    expect(minimum, `engines.node ${nodeEngine}`).toBeDefined();
    for (const stage of dockerfile.stages) {
      const version = /^node:(20\.\d+\.\d+)-bookworm-slim$/.exec(baseImage(dockerfile, stage))?.[1];
      expect(version, baseImage(dockerfile, stage)).toBeDefined();
      expect(atLeast(version ?? '', minimum ?? '')).toBe(true);
    }
    expect(dockerfile.stages).toHaveLength(2);
  });

  it('installs only production dependencies in the runtime stage and runs as a non-root user', () => {
    const runs = runtime.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs.join('\n')).toMatch(/npm ci --omit=dev/);
    expect(last(runtime, 'USER')?.args).toBe('node');
    expect(
      runtime.instructions.some(
        (i) => i.keyword === 'COPY' && i.args.startsWith('--from=build /app/dist/src'),
      ),
    ).toBe(true);
  });

  it('exposes the MQTT and HTTP ports the broker listens on by default', () => {
    expect(last(runtime, 'EXPOSE')?.args.split(/\s+/).map(Number).sort()).toEqual(
      [Number(optionDefault('port')), Number(optionDefault('httpPort'))].sort(),
    );
  });

  it('has a health check on /healthz with node (slim images have no curl)', () => {
    const check = last(runtime, 'HEALTHCHECK')?.args ?? '';
    expect(check).toMatch(/CMD \["node", "-e"/);
    expect(check).toContain(HEALTHZ_PATH);
    expect(check).toContain(OPTIONS.find((o) => o.key === 'httpPort')?.env);
  });

  it('runs package.json bin (mqttzoo) with `broker` by default', () => {
    expect(cliPath).toBe('dist/src/cli/main.js');
    expect(execForm(last(runtime, 'ENTRYPOINT'), 'ENTRYPOINT')).toEqual(['node', cliPath]);
    expect(execForm(last(runtime, 'CMD'), 'CMD')).toEqual(['broker']);
  });

  it('keeps the build context small but with everything the build copies', () => {
    const ignored = readFileSync(join(REPO, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['.git', 'node_modules', 'dist']));
    for (const needed of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src'])
      expect(ignored).not.toContain(needed);
  });
});

describe.each(OVERLAYS)('overlay %s: the broker container', (overlay) => {
  const resources = buildOverlay(overlay);

  it('resolves to `node dist/src/cli/main.js broker`', () => {
    const entrypoint = execForm(last(runtime, 'ENTRYPOINT'), 'ENTRYPOINT');
    const cmd = execForm(last(runtime, 'CMD'), 'CMD');
    expect(effectiveCommand(brokerContainer(resources), entrypoint, cmd)).toEqual([
      'node',
      cliPath,
      'broker',
    ]);
  });

  it('passes only arguments and variables the CLI accepts', () => {
    const args = effectiveCommand(brokerContainer(resources), [], []).slice(1);
    const flags = Object.keys(flagOptions()).map((f) => `--${f}`);
    for (const arg of args.filter((a) => a.startsWith('--'))) expect(flags).toContain(arg.split('=')[0]);
    expect(() => loadConfig({}, envRecord(brokerEnv(resources)))).not.toThrow();
  });
});

interface RunningBroker {
  /** host:port of the HTTP endpoint. */
  http: string;
  log: () => string;
  /** SIGTERM, then the exit code (null when it needed SIGKILL after 10 s). */
  stop: () => Promise<number | null>;
}

/** Runs the built CLI with the manifests' environment (standalone, run-time ports) until it listens. */
async function startBuiltBroker(env: Record<string, string>): Promise<RunningBroker> {
  const child = spawn(
    process.execPath,
    [cliPath, 'broker', '--standalone', '--port', '0', '--http-host', '127.0.0.1', '--http-port', '0'],
    { cwd: REPO, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const http = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not listening within 10 s:\n${log}`)), 10_000);
    const onData = (chunk: Buffer): void => {
      log += chunk.toString();
      const line = log.split('\n').find((l) => l.includes('"msg":"broker listening"'));
      const address = /"http":"([^"]+)"/.exec(line ?? '')?.[1];
      if (address === undefined) return;
      clearTimeout(timer);
      resolve(address);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${log}`));
    });
  });
  return {
    http,
    log: () => log,
    stop: async () => {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(killer);
      return child.signalCode === 'SIGKILL' ? null : code;
    },
  };
}

describe('the built CLI with the manifests environment', () => {
  const built = existsSync(join(REPO, cliPath));

  it('exists (npm run build; make test builds first)', () => {
    expect(built, `${cliPath} is missing: run npm run build`).toBe(true);
  });

  it.skipIf(!built)(
    'starts, answers /healthz and /readyz, and exits 0 on SIGTERM',
    async () => {
      const broker = await startBuiltBroker(envRecord(brokerEnv(buildOverlay('production'))));
      try {
        for (const path of [HEALTHZ_PATH, READYZ_PATH])
          expect((await fetch(`http://${broker.http}${path}`)).status, path).toBe(200);
      } finally {
        expect(await broker.stop(), broker.log()).toBe(0);
      }
      expect(broker.log()).toContain('"brokerId":"mqttzoo-0"');
    },
    30_000,
  );
});
