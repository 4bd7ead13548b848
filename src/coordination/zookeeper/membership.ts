/**
 * Membership: one ephemeral znode per live broker holding its Member data (endpoints, epoch, the
 * position it has applied), and the member list from a child watch on /members. Curator's
 * GroupMember in small: one owned node, replaced when a previous session's copy is in the way.
 *
 * `applied` is written every few seconds (setData), not on every entry: trim only needs a lower
 * bound, and a stale one is the safe direction.
 */
import zookeeper from 'node-zookeeper-client';
import type { Member } from '../coordination.js';
import { decodeDocument, encodeDocument } from '../codec.js';
import { Listeners } from '../listeners.js';
import type { ZkClient } from './client.js';
import { Code, hasCode, isInDoubt } from './errors.js';
import type { Logger } from './options.js';
import { paths } from './paths.js';
import { SerialTask } from './serial-task.js';

export class Membership {
  private list: Member[] = [];
  private listKey = '';
  private written = '';
  private timer: NodeJS.Timeout | undefined;
  readonly changed = new Listeners<[Member[]]>();
  private readonly reader: SerialTask;
  private readonly onChildren = (): void => this.reader.trigger();

  constructor(
    private readonly client: ZkClient,
    private readonly self: () => Member,
    private readonly refreshMs: number,
    private readonly log: Logger,
  ) {
    this.reader = new SerialTask(
      () => this.readList(),
      (err) => this.log.warn({ err }, 'could not read membership'),
    );
  }

  members(): Member[] {
    return this.list;
  }

  /** On every new session: (re)creates our node, then watches the list. */
  async join(): Promise<void> {
    await this.client.ensurePath(paths.members);
    const path = paths.member(this.self().brokerId);
    for (let attempt = 0; attempt < 10; attempt++) {
      const data = this.encodeSelf();
      try {
        await this.client.create(path, data, zookeeper.CreateMode.EPHEMERAL);
        break;
      } catch (err) {
        if (isInDoubt(err)) {
          await this.client.whenConnected(); // the next attempt finds out whether it landed
          continue;
        }
        if (!hasCode(err, Code.NODE_EXISTS)) throw err;
        const stat = await this.client.exists(path);
        if (stat === null) continue; // its owner's session just ended
        if (stat.ephemeralOwner === this.client.sessionId) break; // a create whose reply was lost
        // A node of our previous session (not expired yet on the servers) or of a stale
        // incarnation: ours replaces it, as Curator's PersistentNode does.
        await this.client.remove(path, stat.version).catch((e: unknown) => {
          if (!hasCode(e, Code.NO_NODE) && !hasCode(e, Code.BAD_VERSION)) throw e;
        });
      }
    }
    this.reader.trigger();
  }

  /** Starts writing `applied` every refreshMs. */
  start(): void {
    this.timer ??= setInterval(() => void this.refresh(), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** After a reconnect: re-read the list (a watch whose read failed was never set). */
  resync(): void {
    this.reader.trigger();
  }

  /** Fresh data of every live member, read now (trim must not use a stale cache). */
  async readFresh(): Promise<Member[]> {
    const { children } = await this.client.getChildren(paths.members);
    const members = await Promise.all(
      children.map(async (name) => {
        const node = await this.client.getData(`${paths.members}/${name}`);
        return node === null ? null : (decodeDocument('member', node.data) as Member);
      }),
    );
    return members.filter((m): m is Member => m !== null);
  }

  private async refresh(): Promise<void> {
    if (this.client.state !== 'connected') return;
    const data = this.encodeSelf();
    if (data.toString('base64') === this.written) return;
    try {
      await this.client.setData(paths.member(this.self().brokerId), data, -1);
      this.written = data.toString('base64');
    } catch (err) {
      if (hasCode(err, Code.NO_NODE)) await this.join().catch(() => undefined);
    }
  }

  private encodeSelf(): Buffer {
    return encodeDocument('member', this.self());
  }

  private async readList(): Promise<void> {
    if (this.client.state !== 'connected') return;
    const { children } = await this.client.getChildren(paths.members, this.onChildren);
    const members = await Promise.all(
      children.map(async (name) => {
        const node = await this.client.getData(`${paths.members}/${name}`);
        return node === null ? null : (decodeDocument('member', node.data) as Member);
      }),
    );
    const list = members
      .filter((m): m is Member => m !== null)
      .sort((a, b) => (a.brokerId < b.brokerId ? -1 : 1));
    const key = list.map((m) => `${m.brokerId}/${m.epoch}`).join(',');
    this.list = list;
    if (key !== this.listKey) {
      this.listKey = key;
      this.changed.emit(list);
    }
  }
}
