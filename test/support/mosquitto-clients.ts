/**
 * Debian's mosquitto_pub and mosquitto_sub as child processes for interop tests: each started one
 * is remembered and killed by `killAll` (by its own pid), every wait is bounded.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

const running = new Set<ChildProcess>();

/** Fails with a clear sentence when the mosquitto clients are not installed. */
export function requireMosquittoClients(): void {
  for (const cmd of ['mosquitto_pub', 'mosquitto_sub', 'stdbuf']) {
    const probe = spawnSync(cmd, ['--help'], { timeout: 5000 });
    if (probe.error !== undefined) {
      throw new Error(`${cmd} not found: install Debian's mosquitto-clients (scripts/install-deps.sh test)`);
    }
  }
}

export interface Started {
  /** Lines printed so far on stdout and stderr. */
  readonly lines: string[];
  /** Waits until a line matches `re`; returns it. */
  waitFor(re: RegExp, ms?: number): Promise<string>;
  /** Waits until the process exits; returns its exit code (null when killed). */
  exited(ms?: number): Promise<number | null>;
  /** SIGKILL: the process dies without a word, its socket closed by the kernel. */
  kill(): void;
}

export function start(cmd: string, args: string[]): Started {
  // stdbuf: the clients' stdout is a pipe, which libc would buffer until exit
  const child = spawn('stdbuf', ['-oL', '-eL', cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const lines: string[] = [];
  let exitCode: number | null | undefined;
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const w of [...waiters]) w();
  };
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
      wake();
    });
  }
  // 'close', not 'exit': the output may still be in the pipes when the process exits
  child.on('close', (code) => {
    exitCode = code;
    running.delete(child);
    wake();
  });
  const until = (done: () => boolean, ms: number, what: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!done()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${cmd}: no ${what} within ${ms} ms; output:\n${lines.join('\n')}`));
      }, ms);
      const cleanup = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  return {
    lines,
    async waitFor(re, ms = 5000) {
      await until(() => lines.some((l) => re.test(l)) || exitCode !== undefined, ms, String(re));
      const line = lines.find((l) => re.test(l));
      if (line === undefined)
        throw new Error(`${cmd} exited before ${String(re)}; output:\n${lines.join('\n')}`);
      return line;
    },
    async exited(ms = 10_000) {
      await until(() => exitCode !== undefined, ms, 'exit');
      return exitCode ?? null;
    },
    kill() {
      if (exitCode === undefined) child.kill('SIGKILL');
    },
  };
}

/** Runs a command to its end (bounded); returns its exit code and output lines. */
export async function run(
  cmd: string,
  args: string[],
  ms = 10_000,
): Promise<{ code: number | null; lines: string[] }> {
  const started = start(cmd, args);
  try {
    const code = await started.exited(ms);
    return { code, lines: started.lines };
  } finally {
    started.kill();
  }
}

/** Kills every process started here that is still running. */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}
