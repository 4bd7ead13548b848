/**
 * What a failed append means, and what a batch in doubt turned out to be. A batch's multi() is
 * check(segment open) + setData(fence, at the version our previous batch left) + create(entry):
 * - the segment check failed (sealed, or gone): certainly not created: send again;
 * - the fence is gone: certainly not created: send again once the fence is made anew;
 * - the fence check failed, or the reply was lost with the connection or the session: in doubt.
 *   Either this very batch landed already (a lost reply), or a predecessor did not land.
 * Once nothing is in flight, the fence decides: its version counts our landed batches, so a batch
 * sent at version v landed exactly when the fence moved past v (and, for our own epoch, its data
 * names our last landed batch). A landed batch's position is then found by reading the entries
 * after where it was sent, which is rare (a lost reply) and short (the segment's recent tail).
 */
import type { PendingItem } from '../log/pending-queue.js';
import type { LogPosition } from '../coordination.js';
import type { ZkClient } from './client.js';
import { Code, ZooKeeperError, isInDoubt } from './errors.js';
import { locateBatch } from './segments.js';
import type { Fence } from './writer-fence.js';

export type BatchState = 'unsent' | 'in-flight' | 'doubt' | 'committed' | 'failed';

export interface Batch {
  seq: number;
  items: PendingItem<Buffer>[];
  data: Buffer;
  state: BatchState;
  /** Where and with which fence version it was last sent. */
  segment: number;
  fence: number;
  /** Highest sequence known in `segment` when sent: where to look for it if in doubt. */
  sentAfter: number;
  position: LogPosition;
  error?: Error;
}

/** Which state a batch whose multi() failed with `err` is in. */
export function classifyFailure(err: unknown): 'unsent' | 'doubt' | 'failed' {
  const zkErr = err instanceof ZooKeeperError ? err : null;
  if (zkErr?.opIndex === 0) return 'unsent'; // segment sealed or gone
  if (zkErr?.opIndex === 1) return zkErr.code === Code.NO_NODE ? 'unsent' : 'doubt';
  return isInDoubt(err) ? 'doubt' : 'failed';
}

export type Resolution = { landed: true; seq: number | null } | { landed: false };

/** Did `batch` (in doubt) land? With its sequence in its segment when it did (null: not found). */
export async function resolve(
  client: ZkClient,
  batch: Batch,
  fence: Fence,
  epoch: string,
): Promise<Resolution> {
  if (fence.version <= batch.fence) return { landed: false }; // the fence never moved past it
  const seq = await locateBatch(client, batch.segment, batch.sentAfter, epoch, batch.seq);
  if (seq !== null) return { landed: true, seq };
  // The fence moved: by this batch (our epoch names it), or by another incarnation of our broker
  // id writing meanwhile, and then ours did not land.
  const ours = fence.epoch === epoch && fence.seq >= batch.seq;
  return ours ? { landed: true, seq: null } : { landed: false };
}
