/**
 * Log segments: finding the open one, sealing it (rollover), and finding one of our batches in a
 * segment after an in-doubt create.
 *
 * A segment's version says whether it is open: created at version 0 and bumped to 1 in the same
 * transaction (node-zookeeper-client reads a check against version 0 as "any version"), sealed by
 * a setData to version 2. Every append is multi(check(segment, 1), ..., create), so once a segment
 * is sealed nothing more lands in it. Sealing is one transaction that also writes the seal marker
 * (the segment's last entry, naming the next segment) and creates the next segment, so whoever
 * sees a sealed segment can rely on the next one existing.
 */
import zookeeper from 'node-zookeeper-client';
import { encodeDocument } from '../codec.js';
import { decodeBatchHeader, encodeSeal } from './batch-format.js';
import type { ZkClient } from './client.js';
import { Code, hasCode } from './errors.js';
import { createsUnder, parseSegmentName, paths } from './paths.js';

/** The version of an open segment znode; sealed segments have a higher one. */
export const OPEN_VERSION = 1;

export interface OpenSegment {
  number: number;
  /** Highest sequence known to exist in it (-1: none). Lower bound for in-doubt scans. */
  highWater: number;
}

function segmentMeta(segment: number, sealed: boolean): Buffer {
  return encodeDocument('segment', { segment, sealed });
}

/** Creates segment `n`, open (version 1). NODE_EXISTS means another writer made it. */
async function openSegment(client: ZkClient, n: number): Promise<void> {
  const data = segmentMeta(n, false);
  try {
    await client.multi([
      { type: 'create', path: paths.segment(n), data, mode: zookeeper.CreateMode.PERSISTENT },
      { type: 'setData', path: paths.segment(n), data, version: -1 },
    ]);
  } catch (err) {
    if (!hasCode(err, Code.NODE_EXISTS)) throw err; // another writer opened it
  }
}

/** Segment numbers that exist, ascending. */
export async function listSegments(client: ZkClient): Promise<number[]> {
  const { children } = await client.getChildren(paths.log);
  return children
    .map(parseSegmentName)
    .filter((n): n is number => n !== null)
    .sort((a, b) => a - b);
}

/** The open segment, opening segment 1 for an empty log. */
export async function discoverOpenSegment(client: ZkClient): Promise<OpenSegment> {
  await client.ensurePath(paths.log);
  for (let attempt = 0; attempt < 100; attempt++) {
    const segments = await listSegments(client);
    const last = segments.at(-1);
    if (last === undefined) {
      await openSegment(client, 1);
      continue;
    }
    const stat = await client.exists(paths.segment(last));
    if (stat === null) continue; // trimmed meanwhile: list again
    if (stat.version === OPEN_VERSION) return { number: last, highWater: createsUnder(stat) - 1 };
    // Sealed but its successor is missing: only a hand-edited tree gets here; repair it.
    await openSegment(client, last + 1);
  }
  throw new Error('could not find the open log segment');
}

/**
 * Seals `segment` and opens the next one in one transaction. Returns false when another writer
 * sealed it first (BAD_VERSION: "another writer got it").
 */
export async function sealSegment(client: ZkClient, segment: number): Promise<boolean> {
  const next = segmentMeta(segment + 1, false);
  try {
    await client.multi([
      {
        type: 'setData',
        path: paths.segment(segment),
        data: segmentMeta(segment, true),
        version: OPEN_VERSION,
      },
      {
        type: 'create',
        path: paths.entryPrefix(segment),
        data: encodeSeal(segment + 1),
        mode: zookeeper.CreateMode.PERSISTENT_SEQUENTIAL,
      },
      { type: 'create', path: paths.segment(segment + 1), data: next, mode: zookeeper.CreateMode.PERSISTENT },
      { type: 'setData', path: paths.segment(segment + 1), data: next, version: -1 },
    ]);
    return true;
  } catch (err) {
    if (hasCode(err, Code.BAD_VERSION) || hasCode(err, Code.NODE_EXISTS)) return false;
    throw err;
  }
}

/**
 * Finds the batch (epoch, seq) in `segment` after sequence `after` by reading entry headers (a few
 * dozen reads at a time), up to the segment's current end. Only after a create whose reply was
 * lost and which is known to have landed: that is how its position is learned.
 */
export async function locateBatch(
  client: ZkClient,
  segment: number,
  after: number,
  epoch: string,
  seq: number,
): Promise<number | null> {
  const stat = await client.exists(paths.segment(segment));
  if (stat === null) return null;
  const end = createsUnder(stat);
  const window = 32;
  for (let from = Math.max(0, after + 1); from < end; from += window) {
    const reads = [];
    for (let s = from; s < Math.min(end, from + window); s++) {
      reads.push(client.getData(paths.entry(segment, s)).then((node) => ({ s, node })));
    }
    for (const { s, node } of await Promise.all(reads)) {
      if (node === null) continue;
      const header = decodeBatchHeader(node.data);
      if (header !== null && header.epoch === epoch && header.seq === seq) return s;
    }
  }
  return null;
}
