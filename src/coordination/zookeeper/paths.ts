/**
 * The znode layout under the cluster's root, and log positions.
 *
 *   /members/<brokerId>            ephemeral: Member (msgpack document 'member')
 *   /election/_c_<guid>-latch-<n>  ephemeral-sequential: a leadership candidate (data: brokerId)
 *   /log                           data: 'log-meta' {tail}: everything at or before tail is trimmed
 *   /log/s<segment>                a segment; version 1 = open, 2 = sealed (data: 'segment')
 *   /log/s<segment>/e<seq>         persistent-sequential: a batch, or the seal marker (last entry)
 *   /writers/<brokerId>            the writer's fencing node: every batch's multi() sets it at the
 *                                  version after the writer's previous batch (log-writer.ts)
 *   /snapshots/p<position>-<guid>  a snapshot: empty while written, its manifest once complete
 *   /snapshots/p<...>/c<index>     the snapshot's chunks
 *
 * A position is segment * 2^32 + seq: it orders across segments, stays an exact JavaScript number
 * up to segment 2^21, and 0 is "before the first entry" (segments start at 1).
 */
import type { LogPosition } from '../coordination.js';

export const SEGMENT_SPAN = 2 ** 32;

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export const paths = {
  members: '/members',
  member: (brokerId: string): string => `/members/${encodeURIComponent(brokerId)}`,
  election: '/election',
  log: '/log',
  segment: (segment: number): string => `/log/s${pad(segment, 10)}`,
  /** What a sequential create appends the sequence to. */
  entryPrefix: (segment: number): string => `/log/s${pad(segment, 10)}/e`,
  entry: (segment: number, seq: number): string => `/log/s${pad(segment, 10)}/e${pad(seq, 10)}`,
  snapshots: '/snapshots',
  snapshot: (position: LogPosition, guid: string): string => `/snapshots/p${pad(position, 16)}-${guid}`,
  chunk: (dir: string, index: number): string => `${dir}/c${pad(index, 6)}`,
  writers: '/writers',
  writer: (brokerId: string): string => `/writers/${encodeURIComponent(brokerId)}`,
};

export function toPosition(segment: number, seq: number): LogPosition {
  return segment * SEGMENT_SPAN + seq;
}

export function segmentOf(position: LogPosition): number {
  return Math.floor(position / SEGMENT_SPAN);
}

export function seqOf(position: LogPosition): number {
  return position % SEGMENT_SPAN;
}

/** s0000000007 → 7; anything else → null. */
export function parseSegmentName(name: string): number | null {
  const match = /^s(\d{10})$/.exec(name);
  return match ? Number(match[1]) : null;
}

/** e0000000042 → 42; anything else → null. */
export function parseEntryName(name: string): number | null {
  const match = /^e(\d{10})$/.exec(name);
  return match ? Number(match[1]) : null;
}

/** The sequence ZooKeeper appended to a created path: its last ten digits. */
export function sequenceOfPath(path: string): number {
  return Number(path.slice(-10));
}

/** p0000004294967296-<guid> → its position; anything else → null. */
export function parseSnapshotName(name: string): LogPosition | null {
  const match = /^p(\d{16})-[0-9a-f-]+$/.exec(name);
  return match ? Number(match[1]) : null;
}

/**
 * How many children were ever created under a parent, from its stat alone: cversion counts every
 * create and every delete of a child, numChildren is creates minus deletes. It is also the next
 * sequence number, since a sequential suffix counts creates only (measured on 3.8).
 */
export function createsUnder(stat: { cversion: number; numChildren: number }): number {
  return (stat.cversion + stat.numChildren) / 2;
}
