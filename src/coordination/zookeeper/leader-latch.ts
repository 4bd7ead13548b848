/**
 * Leader election, Curator's LeaderLatch: each candidate creates an ephemeral-sequential node
 * under /election and the lowest leads. Each candidate watches only its predecessor (no herd when
 * the leader goes), and to answer "who leads" it also watches the lowest node.
 *
 * - Names are GUID-protected (`_c_<guid>-latch-<seq>`): a create whose reply was lost is found again
 *   by its GUID instead of leaving a second candidate of ours behind.
 * - The lowest node is ours only if its ephemeralOwner is our session: a node left by our previous
 *   session is deleted and we queue again.
 * - Leadership is dropped on suspended and lost, and re-checked on reconnect; a new session means
 *   a new candidacy. Listeners hear edges only.
 */
import { randomUUID } from 'node:crypto';
import zookeeper from 'node-zookeeper-client';
import { Listeners } from '../listeners.js';
import type { ZkClient } from './client.js';
import { isInDoubt } from './errors.js';
import type { Logger } from './options.js';
import { paths, sequenceOfPath } from './paths.js';
import { SerialTask } from './serial-task.js';

export class LeaderLatch {
  /** The candidate node this instance owns (relative path), or null. */
  private ourPath: string | null = null;
  private leading = false;
  private leader: string | null = null;
  private closed = false;
  readonly changed = new Listeners<[boolean, string | null]>();
  private readonly checker: SerialTask;
  private readonly onWatch = (): void => this.checker.trigger();

  constructor(
    private readonly client: ZkClient,
    private readonly brokerId: string,
    private readonly log: Logger,
  ) {
    this.checker = new SerialTask(
      () => this.check(),
      (err) => {
        if (!isInDoubt(err)) this.log.warn({ err }, 'leader election check failed');
      },
    );
  }

  isLeader(): boolean {
    return this.leading;
  }

  leaderId(): string | null {
    return this.leader;
  }

  /** New session: queue again (the old node went with the old session, or is deleted here). */
  async reset(): Promise<void> {
    const previous = this.ourPath;
    this.ourPath = null;
    if (previous !== null) {
      // Curator's setNode: our previous node may outlive its session for a while.
      await this.client.remove(previous).catch(() => undefined);
    }
    await this.client.ensurePath(paths.election);
    const guid = randomUUID();
    const prefix = `_c_${guid}-latch-`;
    for (let attempt = 0; attempt < 10 && !this.closed; attempt++) {
      try {
        this.ourPath = await this.client.create(
          `${paths.election}/${prefix}`,
          Buffer.from(this.brokerId),
          zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL,
        );
        break;
      } catch (err) {
        if (!isInDoubt(err)) throw err;
        await this.client.whenConnected();
        // Did the lost create land? Our GUID says which node would be ours.
        const { children } = await this.client.getChildren(paths.election);
        const ours = children.find((name) => name.startsWith(prefix));
        if (ours !== undefined) {
          this.ourPath = `${paths.election}/${ours}`;
          break;
        }
      }
    }
    this.checker.trigger();
  }

  /** Suspended or lost: we cannot know that we still lead. */
  suspend(): void {
    this.set(false, null);
  }

  /** Same session reconnected: our node is still there unless something deleted it. */
  recheck(): void {
    this.checker.trigger();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.set(false, null);
    const path = this.ourPath;
    this.ourPath = null;
    if (path !== null && this.client.state === 'connected') {
      await this.client.remove(path).catch(() => undefined);
    }
  }

  private async check(): Promise<void> {
    if (this.closed || this.ourPath === null || this.client.state !== 'connected') return;
    const ourPath = this.ourPath;
    const { children } = await this.client.getChildren(paths.election);
    const sorted = children.sort((a, b) => sequenceOfPath(a) - sequenceOfPath(b));
    const ourName = ourPath.slice(paths.election.length + 1);
    const index = sorted.indexOf(ourName);
    if (index < 0) {
      // Our node is gone (deleted by someone, or our session's old node): queue again.
      this.set(false, null);
      await this.reset();
      return;
    }
    const lowest = `${paths.election}/${sorted[0]!}`;
    if (index === 0) {
      const stat = await this.client.exists(ourPath);
      if (stat !== null && stat.ephemeralOwner === this.client.sessionId) {
        this.set(true, this.brokerId);
        return;
      }
      // A node from a session that is not ours any more: replace it.
      this.set(false, null);
      await this.reset();
      return;
    }
    // getData rather than exists: if the node is already gone, no watch is left behind (Curator).
    const leaderNode = await this.client.getData(lowest, this.onWatch);
    const predecessor = await this.client.getData(`${paths.election}/${sorted[index - 1]!}`, this.onWatch);
    if (leaderNode === null || predecessor === null) {
      this.checker.trigger(); // changed meanwhile: look again
      return;
    }
    this.set(false, leaderNode.data.toString());
  }

  private set(leading: boolean, leader: string | null): void {
    if (this.closed && leading) return;
    const changed = leading !== this.leading || leader !== this.leader;
    this.leading = leading;
    this.leader = leader;
    if (changed) this.changed.emit(leading, leader);
  }
}
