/**
 * Trimming the log: deleting entries at or before a limit (which the caller has checked a
 * snapshot covers and every live member has applied), in multi() transactions of a few hundred
 * deletes (one quorum write each), then removing sealed segments left empty, then recording the
 * new tail in /log. Safe to run twice and concurrently with appends: it only deletes what lies
 * at or before the limit, which appends never touch, and tolerates nodes already deleted.
 */
import type { LogPosition } from '../coordination.js';
import { decodeDocument, encodeDocument } from '../codec.js';
import type { ZkClient } from './client.js';
import { Code, hasCode } from './errors.js';
import { createsUnder, parseEntryName, paths, toPosition } from './paths.js';
import { OPEN_VERSION, listSegments } from './segments.js';

/** The trim point recorded in /log: everything at or before it is gone. */
export async function readTail(client: ZkClient): Promise<LogPosition> {
  const node = await client.getData(paths.log);
  if (node === null || node.data.length === 0) return 0;
  return (decodeDocument('log-meta', node.data) as { tail: LogPosition }).tail;
}

/**
 * The newest batch in the log (0: none), from segment stats alone: the open segment's creates, or,
 * when it is still empty, the entry before the previous segment's seal marker.
 */
export async function readHead(client: ZkClient): Promise<LogPosition> {
  const segments = await listSegments(client);
  for (const segment of segments.slice(-2).reverse()) {
    const stat = await client.exists(paths.segment(segment));
    if (stat === null) continue;
    const creates = createsUnder(stat);
    const sealed = stat.version > OPEN_VERSION;
    const last = creates - (sealed ? 2 : 1); // a sealed segment ends with its marker
    if (last >= 0) return toPosition(segment, last);
  }
  return 0;
}

/** Deletes entries at or before `limit`; returns how many this call deleted. */
export async function trimLog(client: ZkClient, limit: LogPosition, batchSize: number): Promise<number> {
  let removed = 0;
  for (const segment of await listSegments(client)) {
    if (toPosition(segment, 0) > limit) break;
    let listing: { children: string[]; stat: { version: number } };
    try {
      listing = await client.getChildren(paths.segment(segment));
    } catch (err) {
      if (hasCode(err, Code.NO_NODE)) continue; // another trim removed it
      throw err;
    }
    const victims = listing.children
      .map(parseEntryName)
      .filter((seq): seq is number => seq !== null && toPosition(segment, seq) <= limit)
      .sort((a, b) => a - b)
      .map((seq) => paths.entry(segment, seq));
    for (let i = 0; i < victims.length; i += batchSize) {
      removed += await removeAll(client, victims.slice(i, i + batchSize));
    }
    const sealed = listing.stat.version > OPEN_VERSION;
    if (sealed && victims.length === listing.children.length) {
      await client.remove(paths.segment(segment)).catch((err: unknown) => {
        if (!hasCode(err, Code.NO_NODE) && !hasCode(err, Code.NOT_EMPTY)) throw err;
      });
    }
  }
  await raiseTail(client, limit);
  return removed;
}

/** One transaction; if another trim got some of them first, one by one. */
async function removeAll(client: ZkClient, victims: string[]): Promise<number> {
  try {
    await client.multi(victims.map((path) => ({ type: 'remove' as const, path, version: -1 })));
    return victims.length;
  } catch (err) {
    if (!hasCode(err, Code.NO_NODE)) throw err;
  }
  let removed = 0;
  for (const path of victims) {
    try {
      await client.remove(path);
      removed++;
    } catch (err) {
      if (!hasCode(err, Code.NO_NODE)) throw err; // another trim got it
    }
  }
  return removed;
}

/** Sets /log's tail to `limit` unless it is already further (compare-and-set on its version). */
async function raiseTail(client: ZkClient, limit: LogPosition): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const node = await client.getData(paths.log);
    if (node === null) return;
    const tail =
      node.data.length === 0 ? 0 : (decodeDocument('log-meta', node.data) as { tail: number }).tail;
    if (tail >= limit) return;
    try {
      await client.setData(paths.log, encodeDocument('log-meta', { tail: limit }), node.stat.version);
      return;
    } catch (err) {
      if (!hasCode(err, Code.BAD_VERSION)) throw err; // another trim moved it: read again
    }
  }
}
