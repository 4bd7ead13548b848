/**
 * The writer's fencing node, /writers/<brokerId>. Every batch's multi() includes
 * setData(fence, {epoch, seq}, v) where v is the version the previous batch of this writer left,
 * so a batch lands only right after its predecessor and at most once:
 * - a resend of a batch whose first create did land (reply lost) fails with BAD_VERSION;
 * - a batch that overtook a lost predecessor (requests still queued in the client library survive
 *   a reconnect and are sent after it) fails instead of landing out of order.
 * After a failure the writer reads the fence: its version counts this writer's landed batches, its
 * data names the last one. Curator's recipes note the lost-reply problem; this is our answer to it.
 */
import zookeeper from 'node-zookeeper-client';
import { decodeDocument, encodeDocument } from '../codec.js';
import type { ZkClient } from './client.js';
import { Code, hasCode } from './errors.js';
import { paths } from './paths.js';

export interface Fence {
  /** Version the next batch must find. Never 0 (see OPEN_VERSION in segments.ts for why). */
  version: number;
  /** Writer incarnation and batch of the last batch that landed (null epoch: none yet). */
  epoch: string | null;
  seq: number;
}

export function fenceData(epoch: string, seq: number): Buffer {
  return encodeDocument('writer', { epoch, seq });
}

/** Reads the fence, creating it (bumped to version 1) on first use. */
export async function readFence(client: ZkClient, brokerId: string): Promise<Fence> {
  const path = paths.writer(brokerId);
  for (let attempt = 0; attempt < 10; attempt++) {
    const node = await client.getData(path);
    if (node !== null && node.stat.version > 0) {
      const { epoch, seq } = decodeDocument('writer', node.data) as { epoch: string | null; seq: number };
      return { version: node.stat.version, epoch, seq };
    }
    await client.ensurePath(paths.writers);
    const data = encodeDocument('writer', { epoch: null, seq: 0 });
    try {
      await client.multi([
        { type: 'create', path, data, mode: zookeeper.CreateMode.PERSISTENT },
        { type: 'setData', path, data, version: -1 },
      ]);
    } catch (err) {
      if (!hasCode(err, Code.NODE_EXISTS)) throw err; // an earlier incarnation made it
      // Left at version 0 (created outside a transaction): bump it; a race here is harmless.
      if (node !== null) await client.setData(path, node.data, 0).catch(() => undefined);
    }
  }
  throw new Error(`could not read the writer fence ${path}`);
}
