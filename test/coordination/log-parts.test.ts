/**
 * Tests the pieces of the log that need no ZooKeeper: the reader's dedupe table, the writer's
 * pending queue (batching, back-pressure, flush), positions across segments, the batch format,
 * the retry policy (with a fake sleeper) and the hung-server watchdog (with fake timers).
 */
import { describe, expect, it, vi } from 'vitest';
import { AppendError } from '../../src/coordination/coordination.js';
import { FormatError, encodeDocument } from '../../src/coordination/codec.js';
import { DedupeTable } from '../../src/coordination/log/dedupe.js';
import { PendingQueue } from '../../src/coordination/log/pending-queue.js';
import { ExponentialBackoffRetry, type Sleeper } from '../../src/coordination/zookeeper/retry.js';
import {
  createsUnder,
  decodeBatchHeader,
  decodeRecord,
  encodeBatch,
  encodeEvent,
  segmentOf,
  seqOf,
  toPosition,
  Watchdog,
} from '../../src/coordination/zookeeper/internal.js';
import { publish } from './contract-helpers.js';

describe('DedupeTable', () => {
  it('accepts each (epoch, seq) once and drops what is not above the highest seen', () => {
    const table = new DedupeTable();
    expect(table.accept('e1', 1)).toBe(true);
    expect(table.accept('e1', 2)).toBe(true);
    expect(table.accept('e1', 2)).toBe(false);
    expect(table.accept('e1', 1)).toBe(false);
    expect(table.accept('e2', 1)).toBe(true);
  });

  it('restores from its entries (as stored in a snapshot)', () => {
    const table = new DedupeTable();
    table.accept('e1', 5);
    const copy = new DedupeTable();
    copy.restore(table.entries());
    expect(copy.accept('e1', 5)).toBe(false);
    expect(copy.accept('e1', 6)).toBe(true);
  });

  it('forgets the least recently written epochs beyond its bound', () => {
    const table = new DedupeTable(2);
    table.accept('old', 1);
    table.accept('mid', 1);
    table.accept('new', 1);
    expect(table.size).toBe(2);
    expect(table.accept('old', 1)).toBe(true); // forgotten
  });
});

describe('PendingQueue', () => {
  const item = (bytes: number, done?: (err: Error | null) => void) => ({ value: bytes, bytes, done });

  it('takes the oldest items up to a byte cap, at least one', () => {
    const queue = new PendingQueue<number>(100);
    for (const bytes of [40, 40, 40, 500]) queue.push(item(bytes));
    expect(queue.take(100).map((i) => i.bytes)).toEqual([40, 40]);
    expect(queue.take(100).map((i) => i.bytes)).toEqual([40]);
    expect(queue.take(100).map((i) => i.bytes)).toEqual([500]);
    expect(queue.pending).toBe(4); // taken is not settled
  });

  it('fires drained when settling leaves pending below half the high-water mark', () => {
    const queue = new PendingQueue<number>(4);
    let drained = 0;
    queue.drained.add(() => drained++);
    for (let i = 0; i < 4; i++) queue.push(item(1));
    queue.settle(queue.take(2));
    expect(drained).toBe(0); // 2 pending: not below half of 4
    queue.settle(queue.take(1));
    expect(drained).toBe(1);
    queue.settle([]);
    expect(drained).toBe(1); // nothing settled, nothing to tell
  });

  it('flush resolves once everything pushed before it is settled', async () => {
    const queue = new PendingQueue<number>(10);
    queue.push(item(1));
    let flushed = false;
    const flush = queue.flush().then(() => (flushed = true));
    queue.push(item(1));
    queue.settle(queue.take(1));
    await flush;
    expect(flushed).toBe(true); // the second item (pushed after flush) is still pending
    expect(queue.pending).toBe(1);
    const second = queue.flush();
    queue.settle(queue.take(1));
    await second;
  });

  it('failQueued fails every queued item', () => {
    const queue = new PendingQueue<number>(10);
    const errors: (Error | null)[] = [];
    queue.push(item(1, (err) => errors.push(err)));
    queue.failQueued(new AppendError('closed', 'closed'));
    expect(errors).toHaveLength(1);
    expect(queue.pending).toBe(0);
  });
});

describe('positions and the batch format', () => {
  it('a position orders across segments and splits back into segment and sequence', () => {
    const p = toPosition(3, 2 ** 31 - 1);
    expect(p).toBeLessThan(toPosition(4, 0));
    expect(segmentOf(p)).toBe(3);
    expect(seqOf(p)).toBe(2 ** 31 - 1);
  });

  it('counts creates under a parent from cversion and numChildren (deletes count in cversion)', () => {
    // 3 created, 1 deleted: cversion 4, 2 children (measured on ZooKeeper 3.8).
    expect(createsUnder({ cversion: 4, numChildren: 2 })).toBe(3);
  });

  it('a batch round-trips: header, then its events as appended', () => {
    const events = [publish('a', 1), publish('a', 2, 1000)];
    const data = encodeBatch({ brokerId: 'a', epoch: 'e', seq: 7, count: 2 }, events.map(encodeEvent));
    const record = decodeRecord(data);
    expect(record.kind).toBe('batch');
    if (record.kind !== 'batch') return;
    expect(record.header).toEqual({ brokerId: 'a', epoch: 'e', seq: 7, count: 2 });
    expect(record.events.map((e) => (e.type === 'publish' ? e.payload.length : 0))).toEqual([24, 1000]);
    expect(decodeBatchHeader(data)?.seq).toBe(7);
  });

  it('refuses a document of a format version it does not know', () => {
    const future = encodeDocument('batch', {});
    future[future.indexOf(0x01)] = 0x02; // v: 1 -> 2 (the first 1 in the map is the version)
    expect(() => decodeRecord(future)).toThrow(FormatError);
  });
});

describe('ExponentialBackoffRetry', () => {
  const sleeper = () => {
    const slept: number[] = [];
    const s: Sleeper = { sleep: (ms) => (slept.push(ms), Promise.resolve()) };
    return { slept, s };
  };

  it('sleeps base * random(1..2^(n+1)) through the sleeper, capped, and stops after maxRetries', async () => {
    const policy = new ExponentialBackoffRetry({
      baseSleepMs: 100,
      maxSleepMs: 700,
      maxRetries: 3,
      random: () => 0.999,
    });
    const { slept, s } = sleeper();
    const allowed = [];
    for (let n = 0; n < 4; n++) allowed.push(await policy.allowRetry(n, 0, s));
    expect(allowed).toEqual([true, true, true, false]);
    expect(slept).toEqual([200, 400, 700]);
  });

  it('gives up once the elapsed time passes maxElapsedMs', async () => {
    const policy = new ExponentialBackoffRetry({
      baseSleepMs: 1,
      maxSleepMs: 1,
      maxRetries: 100,
      maxElapsedMs: 1000,
    });
    const { s } = sleeper();
    expect(await policy.allowRetry(0, 999, s)).toBe(true);
    expect(await policy.allowRetry(1, 1000, s)).toBe(false);
  });
});

describe('Watchdog', () => {
  function target(lastDataAt: () => number) {
    const t = {
      drops: 0,
      state: 'connected' as const,
      probe: () => new Promise<void>(() => undefined),
      lastDataAt,
      dropConnection: () => t.drops++,
    };
    return t;
  }

  it('drops the connection when a probe goes unanswered and nothing at all comes from the server', () => {
    vi.useFakeTimers();
    try {
      const hung = target(() => 0);
      const dog = new Watchdog(hung, { intervalMs: 100, timeoutMs: 300 });
      dog.start();
      vi.advanceTimersByTime(100 + 300 + 1);
      expect(hung.drops).toBe(1);
      expect(dog.stalls).toBe(1);
      dog.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps a slow server: the probe waits, but replies to other requests still arrive', () => {
    vi.useFakeTimers();
    try {
      const slow = target(() => Date.now());
      const dog = new Watchdog(slow, { intervalMs: 100, timeoutMs: 300 });
      dog.start();
      vi.advanceTimersByTime(5000);
      expect(slow.drops).toBe(0);
      dog.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
