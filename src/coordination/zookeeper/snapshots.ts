/**
 * Snapshots of the derived state, written by the leader: the encoded state plus the reader's
 * dedupe table, in chunks of at most ~900 KB under one directory znode per snapshot.
 *
 * A snapshot counts only once complete: its directory is created empty, the chunks are written,
 * and its manifest ({position, chunks, bytes}) is written into the directory last. A reader
 * ignores directories without a manifest, and checks every chunk is there with the manifest's
 * total size, so a half-written (or half-deleted) snapshot is never read as complete. The newest
 * `keep` complete snapshots stay; older ones (and abandoned half-written ones older than the
 * newest complete one) are deleted.
 */
import { randomUUID } from 'node:crypto';
import zookeeper from 'node-zookeeper-client';
import type { LogPosition } from '../coordination.js';
import { decodeDocument, encodeDocument } from '../codec.js';
import type { DedupeEntries } from '../log/dedupe.js';
import type { ZkClient } from './client.js';
import { Code, hasCode } from './errors.js';
import type { Logger } from './options.js';
import { parseSnapshotName, paths } from './paths.js';

export interface StoredSnapshot {
  position: LogPosition;
  state: unknown;
  dedupe: DedupeEntries;
}

interface Manifest {
  position: LogPosition;
  chunks: number;
  bytes: number;
}

interface Listed {
  dir: string;
  position: LogPosition;
  manifest: Manifest | null;
}

export class Snapshots {
  constructor(
    private readonly client: ZkClient,
    private readonly options: { chunkBytes: number; keep: number; log: Logger },
  ) {}

  async save(snapshot: StoredSnapshot): Promise<void> {
    const bytes = encodeDocument('snapshot', snapshot);
    const dir = paths.snapshot(snapshot.position, randomUUID().slice(0, 8));
    const chunks = Math.max(1, Math.ceil(bytes.length / this.options.chunkBytes));
    await this.client.retrying(() => this.client.ensurePath(paths.snapshots));
    await this.createOnce(dir, Buffer.alloc(0));
    for (let i = 0; i < chunks; i++) {
      const chunk = bytes.subarray(i * this.options.chunkBytes, (i + 1) * this.options.chunkBytes);
      await this.createOnce(paths.chunk(dir, i), chunk);
    }
    const manifest: Manifest = { position: snapshot.position, chunks, bytes: bytes.length };
    await this.client.retrying(async () => {
      try {
        await this.client.setData(dir, encodeDocument('snapshot-manifest', manifest), 0);
      } catch (err) {
        // An earlier attempt whose reply was lost already wrote it (nobody else writes our dir).
        if (!hasCode(err, Code.BAD_VERSION)) throw err;
      }
    });
    await this.prune().catch((err: unknown) => this.options.log.warn({ err }, 'pruning snapshots failed'));
  }

  /** The newest complete snapshot, or null. */
  async loadNewest(): Promise<StoredSnapshot | null> {
    for (const listed of (await this.list()).reverse()) {
      if (listed.manifest === null) continue;
      const snapshot = await this.read(listed.dir, listed.manifest);
      if (snapshot !== null) return snapshot;
    }
    return null;
  }

  /** Position of the newest complete snapshot (0: none). */
  async newestPosition(): Promise<LogPosition> {
    const complete = (await this.list()).filter((s) => s.manifest !== null);
    return complete.at(-1)?.position ?? 0;
  }

  private async read(dir: string, manifest: Manifest): Promise<StoredSnapshot | null> {
    const parts: Buffer[] = [];
    for (let i = 0; i < manifest.chunks; i++) {
      const node = await this.client.retrying(() => this.client.getData(paths.chunk(dir, i)));
      if (node === null) return null; // being deleted by a prune
      parts.push(node.data);
    }
    const bytes = Buffer.concat(parts);
    if (bytes.length !== manifest.bytes) return null;
    return decodeDocument('snapshot', bytes) as StoredSnapshot;
  }

  /** Snapshot directories, oldest first, with their manifests (null while incomplete). */
  private async list(): Promise<Listed[]> {
    let names: string[];
    try {
      names = (await this.client.retrying(() => this.client.getChildren(paths.snapshots))).children;
    } catch (err) {
      if (hasCode(err, Code.NO_NODE)) return [];
      throw err;
    }
    const listed: Listed[] = [];
    for (const name of names) {
      const position = parseSnapshotName(name);
      if (position === null) continue;
      const dir = `${paths.snapshots}/${name}`;
      const node = await this.client.retrying(() => this.client.getData(dir));
      if (node === null) continue;
      const manifest =
        node.data.length > 0 ? (decodeDocument('snapshot-manifest', node.data) as Manifest) : null;
      listed.push({ dir, position, manifest });
    }
    return listed.sort((a, b) => a.position - b.position || (a.dir < b.dir ? -1 : 1));
  }

  private async prune(): Promise<void> {
    const listed = await this.list();
    const complete = listed.filter((s) => s.manifest !== null);
    const kept = new Set(complete.slice(-this.options.keep).map((s) => s.dir));
    const newest = complete.at(-1)?.position ?? 0;
    for (const s of listed) {
      if (kept.has(s.dir)) continue;
      // An incomplete one newer than every complete one may still be being written: leave it.
      if (s.manifest === null && s.position >= newest) continue;
      await this.removeDir(s.dir);
    }
  }

  private async removeDir(dir: string): Promise<void> {
    const { children } = await this.client.getChildren(dir).catch(() => ({ children: [] as string[] }));
    try {
      await this.client.multi([
        ...children.map((c) => ({ type: 'remove' as const, path: `${dir}/${c}`, version: -1 })),
        { type: 'remove', path: dir, version: -1 },
      ]);
    } catch (err) {
      // Another leader pruned it first, or a chunk was added meanwhile: the next prune finishes.
      if (!hasCode(err, Code.NO_NODE) && !hasCode(err, Code.NOT_EMPTY)) throw err;
    }
  }

  /** Creates a node under our own snapshot directory; a retried create that landed is fine. */
  private async createOnce(path: string, data: Buffer): Promise<void> {
    await this.client.retrying(async () => {
      try {
        await this.client.create(path, data, zookeeper.CreateMode.PERSISTENT);
      } catch (err) {
        if (!hasCode(err, Code.NODE_EXISTS)) throw err;
      }
    });
  }
}
