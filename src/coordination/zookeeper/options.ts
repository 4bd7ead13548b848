/**
 * Options of the ZooKeeper implementation and their defaults, in one place with the reason for
 * each default.
 */
import { randomUUID } from 'node:crypto';
import { defaultCoordinationOptions, type CoordinationOptions } from '../coordination.js';
import { ExponentialBackoffRetry, type RetryPolicy } from './retry.js';

/** The subset of pino's logger we use, so coordination does not depend on a logging library. */
export interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export interface ZooKeeperOptions extends CoordinationOptions {
  /** `host:port,host:port,...` without a chroot (see `root`). */
  connectString: string;
  /** Every znode of this cluster lives under this path; created with its parents as needed. */
  root: string;
  sessionTimeoutMs: number;
  /** Wait between rounds of reconnect attempts over all servers (the library's spinDelay). */
  spinDelayMs: number;
  /** Entries per log segment before it is sealed and the next one opened. */
  segmentEntries: number;
  /** How often this broker's `applied` position is written to its membership znode. */
  memberRefreshMs: number;
  /** The hung-server probe: a cheap read every `intervalMs`, the connection dropped if no reply in `timeoutMs`. */
  watchdog: { intervalMs: number; timeoutMs: number };
  /** Entries the follower reads concurrently while catching up. */
  followerReadAhead: number;
  /** The follower re-reads its next entry this often while idle, in case a watch was lost. */
  followerIdlePollMs: number;
  /** Snapshots are split into znodes of at most this many bytes. */
  snapshotChunkBytes: number;
  /** Deletes per multi() transaction when trimming. */
  trimBatch: number;
  /** Session (re)establishment: retried until close by default. */
  connectRetry: RetryPolicy;
  /** Idempotent operations (reads, snapshot and trim steps) after a connection loss. */
  operationRetry: RetryPolicy;
  log: Logger;
}

export type ZooKeeperCoordinationOptions = Partial<ZooKeeperOptions> &
  Pick<ZooKeeperOptions, 'brokerId' | 'connectString'>;

export function withDefaults(options: ZooKeeperCoordinationOptions): ZooKeeperOptions {
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 10_000;
  return {
    endpoints: { mqtt: '', http: '' },
    epoch: randomUUID(),
    ...defaultCoordinationOptions,
    root: '/mqttzoo',
    sessionTimeoutMs,
    // The library's default of 1 s adds up to a second to every failover (0.7 s measured with 100 ms).
    spinDelayMs: 100,
    // Listing a full segment (one fallback getChildren) must stay under the 1 MiB reply limit:
    // 50k names of 11 characters are about 750 KB. The 32-bit sequence is nowhere near.
    segmentEntries: 50_000,
    memberRefreshMs: 2000,
    // A probe waits behind this session's own writes (per-session FIFO), so allow it a while.
    watchdog: { intervalMs: 1000, timeoutMs: Math.max(1000, Math.floor(sessionTimeoutMs / 3)) },
    followerReadAhead: 32,
    followerIdlePollMs: 1000,
    // jute.maxbuffer is 1 MiB for the whole request: leave room for path and framing.
    snapshotChunkBytes: 900_000,
    // Each multi() is one quorum write; a few hundred deletes keep it well under 1 MiB.
    trimBatch: 200,
    connectRetry: new ExponentialBackoffRetry({ baseSleepMs: 100, maxSleepMs: 5000, maxRetries: Infinity }),
    operationRetry: new ExponentialBackoffRetry({
      baseSleepMs: 50,
      maxSleepMs: 2000,
      maxRetries: 29,
      maxElapsedMs: 2 * sessionTimeoutMs,
    }),
    log: silentLogger,
    ...options,
  };
}
