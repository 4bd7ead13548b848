/**
 * Real `mqttzoo` processes for the CLI tests: a standalone broker on a port chosen at run time (read
 * from its JSON "broker listening" line) and `pub`/`sub` children. Every child is tracked by PID and
 * killed by `killClients()` / `broker.stop()`; every wait is bounded and says what it waited for.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const MAIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

/** The tests run the built CLI: `make test` builds first; a bare `npx vitest` needs `npm run build`. */
export function requireBuild(): void {
  for (const file of ['main.js', 'pub.js', 'sub.js']) {
    const path = fileURLToPath(new URL(`../../dist/src/cli/${file}`, import.meta.url));
    if (!existsSync(path))
      throw new Error(`${path} is missing: run \`npm run build\` first (make test does)`);
  }
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Waits until `check()` holds, polling; fails after `ms` with `what` and `detail()`. */
export async function until(
  check: () => boolean,
  what: string,
  ms = 20_000,
  detail = (): string => '',
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${detail()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export class Proc {
  stdout = '';
  stderr = '';
  exit: Exit | null = null;
  readonly pid: number;

  constructor(
    readonly child: ChildProcess,
    readonly label: string,
  ) {
    if (child.pid === undefined) throw new Error(`${label} did not start`);
    this.pid = child.pid;
    child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    child.stdin?.on('error', () => undefined); // the child may exit before reading everything (empty line)
    // 'close': the process has exited and its stdout and stderr are fully read
    child.on('close', (code, signal) => (this.exit = { code, signal }));
  }

  get lines(): string[] {
    return this.stdout.split('\n').filter((line) => line !== '');
  }

  private detail = (): string =>
    `\n${this.label} stdout: ${this.stdout}\n${this.label} stderr: ${this.stderr}`;

  async waitFor(what: string, check: (p: Proc) => boolean, ms = 20_000): Promise<void> {
    await until(() => check(this), `${this.label}: ${what}`, ms, this.detail);
  }

  async waitExit(ms = 20_000): Promise<Exit> {
    await until(() => this.exit !== null, `${this.label} to exit`, ms, this.detail);
    return this.exit!;
  }

  /** Signals the process by PID if it is still running. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.exit !== null || this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      process.kill(this.pid, signal);
    } catch {
      // already gone
    }
  }
}

/** The environment without any MQTTZOO_* of the person running the tests, plus `extra`. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('MQTTZOO_')));
  return { ...env, ...extra };
}

const clients = new Set<Proc>();

/** Runs `mqttzoo <args>`; `input` is written to its stdin and then closed, unless `keepStdinOpen`. */
export function mqttzoo(
  args: string[],
  options: { input?: string; keepStdinOpen?: boolean; env?: Record<string, string> } = {},
): Proc {
  const child = spawn(process.execPath, [MAIN, ...args], { env: childEnv(options.env ?? {}), stdio: 'pipe' });
  const proc = new Proc(child, `mqttzoo ${args.join(' ')}`);
  clients.add(proc);
  if (options.input !== undefined) child.stdin.write(options.input);
  if (options.keepStdinOpen !== true) child.stdin.end();
  return proc;
}

/** Kills every pub/sub started by `mqttzoo()` (afterEach) and waits until they are gone. */
export async function killClients(): Promise<void> {
  const running = [...clients];
  clients.clear();
  for (const proc of running) proc.kill('SIGKILL');
  await Promise.all(running.map((proc) => proc.waitExit(5_000)));
}

export interface LogLine {
  msg?: string;
  clientId?: string;
  reason?: { kind?: string };
  mqtt?: string;
  [key: string]: unknown;
}

export interface BrokerProcess {
  port: number;
  proc: Proc;
  logs(): LogLine[];
  waitForLog(what: string, match: (line: LogLine) => boolean, ms?: number): Promise<LogLine>;
  stop(): Promise<void>;
}

/** Starts `mqttzoo broker --standalone` on 127.0.0.1, port 0, JSON logs; resolves once it listens. */
export async function startBrokerProcess(extraArgs: string[] = []): Promise<BrokerProcess> {
  requireBuild();
  const args = ['broker', '--standalone', '--host', '127.0.0.1', '--port', '0', '--http-port', '0'];
  const child = spawn(process.execPath, [MAIN, ...args, '--log-format', 'json', ...extraArgs], {
    env: childEnv({}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = new Proc(child, 'broker');
  const logs = (): LogLine[] =>
    proc.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  const find = (match: (line: LogLine) => boolean): LogLine | undefined => logs().find(match);
  try {
    await proc.waitFor(
      '"broker listening"',
      () => find((l) => l.msg === 'broker listening') !== undefined,
      20_000,
    );
  } catch (err) {
    proc.kill('SIGKILL');
    throw err;
  }
  const listening = find((l) => l.msg === 'broker listening')!;
  const port = Number(String(listening.mqtt).split(':').pop());
  return {
    port,
    proc,
    logs,
    async waitForLog(what, match, ms = 10_000) {
      await proc.waitFor(`log ${what}`, () => find(match) !== undefined, ms);
      return find(match)!;
    },
    async stop() {
      proc.kill('SIGTERM');
      try {
        await proc.waitExit(10_000);
      } finally {
        proc.kill('SIGKILL');
        await proc.waitExit(5_000);
      }
    },
  };
}
