/**
 * Target `mosquitto`: Debian's /usr/sbin/mosquitto (2.0.11 here) with a generated config: one
 * listener on 127.0.0.1, anonymous access, no persistence, every limit at its default.
 *
 * Those defaults matter for reading the figures (BENCHMARKING.md): max_queued_messages 1000 and
 * max_inflight_messages 20 per client, so a slow QoS 1 subscriber loses deliveries that were
 * already acknowledged to the publisher. We count what subscribers received, never acks.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './processes.js';
import { startSingleBroker, TargetUnavailableError, type Target } from './target.js';

const BINARY = process.env.MOSQUITTO ?? '/usr/sbin/mosquitto';

export const MOSQUITTO_NOTES = [
  'defaults kept: max_queued_messages 1000, max_inflight_messages 20, max_queued_bytes 0 (no byte limit)',
  'past the queue limit mosquitto drops deliveries to a slow subscriber after acking the publisher',
];

function version(): string {
  try {
    const out = execFileSync(BINARY, ['-h'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return /version\s+(\S+)/.exec(out)?.[1] ?? '?';
  } catch (err) {
    // mosquitto -h exits non-zero but still prints its version.
    const out = (err as { stdout?: unknown }).stdout;
    return typeof out === 'string' ? (/version\s+(\S+)/.exec(out)?.[1] ?? '?') : '?';
  }
}

export function mosquittoConfig(port: number): string {
  return [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    'persistence false',
    'log_dest stdout',
    'log_type error',
    'log_type warning',
    '',
  ].join('\n');
}

export const mosquitto: Target = {
  name: 'mosquitto',
  kind: 'single',
  description: 'Eclipse Mosquitto (Debian package), one process',
  async start(ctx) {
    if (!existsSync(BINARY)) throw new TargetUnavailableError(`${BINARY} not installed (make deps-bench)`);
    const port = await freePort();
    const config = path.join(ctx.workDir, `mosquitto-${port}.conf`);
    writeFileSync(config, mosquittoConfig(port));
    const notes = [`mosquitto ${version()}`, ...MOSQUITTO_NOTES];
    return startSingleBroker(ctx, 'mosquitto', BINARY, ['-c', config], port, notes);
  },
};
