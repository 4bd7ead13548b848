/**
 * One node-zookeeper-client instance and the session it holds. Owns: promisified operations under
 * the chroot, failing every operation still pending when the session ends (the library never
 * calls back requests queued on an expired client), and the timer that calls a session lost after
 * a whole session timeout of suspension (the servers have expired it by then, even though the
 * client cannot hear it until it reaches one of them).
 */
import zookeeper from 'node-zookeeper-client';
import { Code, ZooKeeperError, toZooKeeperError } from './errors.js';

export type Watcher = () => void;

export interface Stat {
  version: number;
  /** Changes to the children: every create and every delete of a child counts one. */
  cversion: number;
  numChildren: number;
  dataLength: number;
  /** Hex session id of the owner of an ephemeral node; all zeros for persistent nodes. */
  ephemeralOwner: string;
}

export type Op =
  | { type: 'create'; path: string; data: Buffer; mode: number }
  | { type: 'check'; path: string; version: number }
  | { type: 'setData'; path: string; data: Buffer; version: number }
  | { type: 'remove'; path: string; version: number };

export interface OpResult {
  /** Created path (relative to the root), for creates. */
  path?: string;
  /** New stat, for setData. */
  stat?: Stat;
}

interface SessionEvents {
  disconnected(): void;
  reconnected(): void;
  expired(): void;
  suspendedTooLong(): void;
}

interface RawStat {
  version: number;
  cversion: number;
  numChildren: number;
  dataLength: number;
  ephemeralOwner: Buffer;
}

interface RawResult {
  path?: string;
  stat?: RawStat;
  err?: number;
}

interface RawManager {
  socket?: { destroy(): void };
  lastDataAt?: number;
  state: number;
  on(event: 'state', listener: (state: number) => void): void;
}

const MANAGER_CLOSED = -2;

function toStat(raw: RawStat): Stat {
  return {
    version: raw.version,
    cversion: raw.cversion,
    numChildren: raw.numChildren,
    dataLength: raw.dataLength,
    ephemeralOwner: raw.ephemeralOwner.toString('hex'),
  };
}

export class Session {
  id: string | null = null;
  established = false;
  private readonly outstanding = new Set<(err: ZooKeeperError) => void>();
  private suspendTimer: NodeJS.Timeout | undefined;
  private onConnected: (() => void) | undefined;
  private ended = false;

  constructor(
    readonly raw: zookeeper.Client,
    readonly generation: number,
    private readonly root: string,
    private readonly events: SessionEvents,
  ) {
    raw.on('state', (state) => this.onState(state));
  }

  private get manager(): RawManager {
    return (this.raw as unknown as { connectionManager: RawManager }).connectionManager;
  }

  /** Waits for the first connect; false after `timeoutMs` or when the session ended. */
  connected(timeoutMs: number): Promise<boolean> {
    if (this.id !== null) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.onConnected = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }

  markEstablished(): void {
    this.established = true;
  }

  /** Session id and password, for tests that expire this session from another client. */
  credentials(): { id: Buffer; password: Buffer } {
    return { id: this.raw.getSessionId(), password: this.raw.getSessionPassword() };
  }

  /** When bytes last came from the server (0: never). */
  get lastDataAt(): number {
    return this.manager.lastDataAt ?? 0;
  }

  dropConnection(): void {
    this.manager.socket?.destroy();
  }

  /** Fails what is pending with `code` and closes the client (waiting briefly if `graceful`). */
  async end(code: number, graceful: boolean): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.suspendTimer);
    this.onConnected = undefined;
    for (const fail of [...this.outstanding]) fail(new ZooKeeperError(code, undefined));
    const closed = new Promise<void>((resolve) => {
      if (this.manager.state === MANAGER_CLOSED) resolve();
      this.manager.on('state', (state) => {
        if (state === MANAGER_CLOSED) resolve();
      });
      setTimeout(resolve, graceful ? 1000 : 0);
    });
    this.raw.close();
    await closed;
    // A hung or unreachable server never answers closeSession: do not leave the socket behind.
    this.manager.socket?.destroy();
    this.raw.removeAllListeners();
  }

  /** Creates the root and its parents (outside the chroot) where missing. */
  async ensureRoot(): Promise<void> {
    const parts = this.root.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const path = '/' + parts.slice(0, i).join('/');
      const stat = await this.call<RawStat | null>(path, (cb) => this.raw.exists(path, cb));
      if (stat !== null) continue;
      try {
        await this.call<string>(path, (cb) =>
          this.raw.create(path, Buffer.alloc(0), zookeeper.CreateMode.PERSISTENT, cb),
        );
      } catch (err) {
        if (!(err instanceof ZooKeeperError && err.code === Code.NODE_EXISTS)) throw err; // another broker made it
      }
    }
  }

  // ── operations ──

  create(path: string, data: Buffer, mode: number): Promise<string> {
    return this.call<string>(path, (cb) => this.raw.create(this.abs(path), data, mode, cb)).then((p) =>
      this.rel(p),
    );
  }

  async getData(path: string, watcher?: Watcher): Promise<{ data: Buffer; stat: Stat } | null> {
    try {
      const [data, stat] = await this.call<[Buffer | undefined, RawStat]>(path, (cb) => {
        const done = (err: unknown, data?: Buffer, stat?: RawStat): void => cb(err, [data, stat!]);
        if (watcher) this.raw.getData(this.abs(path), watcher, done);
        else this.raw.getData(this.abs(path), done);
      });
      return { data: data ?? Buffer.alloc(0), stat: toStat(stat) };
    } catch (err) {
      if (err instanceof ZooKeeperError && err.code === Code.NO_NODE) return null;
      throw err;
    }
  }

  async exists(path: string, watcher?: Watcher): Promise<Stat | null> {
    const stat = await this.call<RawStat | null>(path, (cb) => {
      if (watcher) this.raw.exists(this.abs(path), watcher, cb);
      else this.raw.exists(this.abs(path), cb);
    });
    return stat ? toStat(stat) : null;
  }

  async getChildren(path: string, watcher?: Watcher): Promise<{ children: string[]; stat: Stat }> {
    const [children, stat] = await this.call<[string[], RawStat]>(path, (cb) => {
      const done = (err: unknown, children?: string[], stat?: RawStat): void =>
        cb(err, [children ?? [], stat!]);
      if (watcher) this.raw.getChildren(this.abs(path), watcher, done);
      else this.raw.getChildren(this.abs(path), done);
    });
    return { children, stat: toStat(stat) };
  }

  async setData(path: string, data: Buffer, version: number): Promise<Stat> {
    const stat = await this.call<RawStat>(path, (cb) => this.raw.setData(this.abs(path), data, version, cb));
    return toStat(stat);
  }

  remove(path: string, version: number): Promise<void> {
    return this.call<undefined>(path, (cb) =>
      this.raw.remove(this.abs(path), version, (err) => cb(err)),
    ).then(() => undefined);
  }

  async multi(ops: Op[]): Promise<OpResult[]> {
    const tx = this.raw.transaction();
    for (const op of ops) {
      // node-zookeeper-client turns version 0 into -1 ("any version") in transactions: a check
      // against 0 would silently pass. Our versioned nodes are always bumped past 0 first.
      if (op.type !== 'create' && op.version === 0) {
        throw new ZooKeeperError(Code.BAD_ARGUMENTS, op.path, { cause: new Error('version 0 in multi') });
      }
      if (op.type === 'create') tx.create(this.abs(op.path), op.data, op.mode);
      else if (op.type === 'check') tx.check(this.abs(op.path), op.version);
      else if (op.type === 'setData') tx.setData(this.abs(op.path), op.data, op.version);
      else tx.remove(this.abs(op.path), op.version);
    }
    const results = await this.call<RawResult[]>(undefined, (cb) =>
      tx.commit((err, res: unknown) => {
        const list = (Array.isArray(res) ? res : []) as RawResult[];
        // The failing operation is the one whose error is neither OK nor "rolled back" (-2).
        if (err) {
          const failed = list.findIndex((r) => r.err !== undefined && r.err !== 0 && r.err !== -2);
          const zkErr = toZooKeeperError(err, failed >= 0 ? ops[failed]?.path : undefined);
          if (failed >= 0) zkErr.opIndex = failed;
          cb(zkErr, list);
        } else cb(null, list);
      }),
    );
    return results.map((r) => ({
      ...(r.path !== undefined ? { path: this.rel(r.path) } : {}),
      ...(r.stat !== undefined ? { stat: toStat(r.stat) } : {}),
    }));
  }

  // ── internals ──

  private abs(path: string): string {
    if (this.root === '/' || this.root === '') return path;
    return path === '/' ? this.root : this.root + path;
  }

  private rel(path: string): string {
    if (this.root === '/' || this.root === '' || !path.startsWith(this.root)) return path;
    return path.slice(this.root.length) || '/';
  }

  /** Runs one library call; its promise also settles (rejects) if the session ends first. */
  private call<T>(
    path: string | undefined,
    invoke: (cb: (err: unknown, value?: T) => void) => void,
  ): Promise<T> {
    if (this.ended) return Promise.reject(new ZooKeeperError(Code.SESSION_EXPIRED, path));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const fail = (err: ZooKeeperError): void => {
        if (settled) return;
        settled = true;
        this.outstanding.delete(fail);
        reject(err);
      };
      this.outstanding.add(fail);
      try {
        invoke((err, value) => {
          if (settled) return;
          settled = true;
          this.outstanding.delete(fail);
          if (err) reject(toZooKeeperError(err, path));
          else resolve(value as T);
        });
      } catch (err) {
        // The library asserts on bad arguments (data over 1 MiB, invalid path) by throwing.
        fail(new ZooKeeperError(Code.BAD_ARGUMENTS, path, { cause: err }));
      }
    });
  }

  private onState(state: zookeeper.State): void {
    if (this.ended) return;
    if (state === zookeeper.State.SYNC_CONNECTED) {
      clearTimeout(this.suspendTimer);
      if (this.id === null) {
        this.id = this.raw.getSessionId().toString('hex');
        this.onConnected?.();
        this.onConnected = undefined;
      } else {
        this.events.reconnected();
      }
    } else if (state === zookeeper.State.DISCONNECTED) {
      if (!this.established) return;
      clearTimeout(this.suspendTimer);
      // The negotiated timeout: the servers expire the session once it passes without contact.
      this.suspendTimer = setTimeout(() => this.events.suspendedTooLong(), this.raw.getSessionTimeout());
      this.events.disconnected();
    } else if (state === zookeeper.State.EXPIRED) {
      this.events.expired();
    }
  }
}
