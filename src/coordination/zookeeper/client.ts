/**
 * The ZooKeeper client as the rest of coordination sees it: promisified calls under a chroot, the
 * session's life mapped onto LinkState, and a new node-zookeeper-client after the old one's
 * session ended (an expired client is dead: its queued requests never complete).
 *
 * States (Curator's ConnectionState, as LinkState):
 * - connecting: no session yet; attempts follow `connectRetry` until one connects or close().
 * - connected: first connect of a session (newSession = true) or a reconnect of the same session.
 * - suspended: the connection dropped; the library reconnects by itself, same session.
 * - lost: the session expired, or stayed suspended for a whole session timeout (by then the
 *   servers expired it even if we cannot hear it). The client is closed, its pending requests fail
 *   with SESSION_EXPIRED, and a new session is opened: lost → connecting → connected.
 * - closed: close() was called.
 */
import zookeeper from 'node-zookeeper-client';
import type { LinkState } from '../coordination.js';
import { Code, ZooKeeperError, isRetryable } from './errors.js';
import { guardConnectionManager, guardExceptionCodes } from './guards.js';
import type { Logger } from './options.js';
import { TimerSleeper, type RetryPolicy } from './retry.js';
import { Session, type Op, type OpResult, type Stat, type Watcher } from './session.js';

export type { Op, OpResult, Stat, Watcher } from './session.js';

export interface ZkClientOptions {
  connectString: string;
  root: string;
  sessionTimeoutMs: number;
  spinDelayMs: number;
  connectRetry: RetryPolicy;
  operationRetry: RetryPolicy;
  log: Logger;
}

export type LinkListener = (state: LinkState, newSession: boolean) => void;

export class ZkClient {
  private current: Session | null = null;
  private linkState: LinkState = 'connecting';
  private generation = 0;
  private readonly listeners = new Set<LinkListener>();
  private readonly waiters = new Set<{ resolve: () => void; reject: (err: Error) => void }>();
  readonly sleeper = new TimerSleeper();

  constructor(private readonly options: ZkClientOptions) {
    guardExceptionCodes();
  }

  get state(): LinkState {
    return this.linkState;
  }

  /** Hex session id of the current session, or null before it connected. */
  get sessionId(): string | null {
    return this.current?.id ?? null;
  }

  get session(): Session | null {
    return this.current;
  }

  onLink(listener: LinkListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Opens the first session; resolves once it is connected and the root exists. */
  async start(): Promise<void> {
    await this.openSession();
  }

  async close(): Promise<void> {
    if (this.linkState === 'closed') return;
    this.setState('closed', false);
    this.sleeper.cancel();
    const session = this.current;
    this.current = null;
    for (const waiter of [...this.waiters])
      waiter.reject(new ZooKeeperError(Code.CONNECTION_LOSS, undefined));
    if (session) await session.end(Code.CONNECTION_LOSS, true);
  }

  /** Resolves when the link is connected; rejects once closed. */
  whenConnected(): Promise<void> {
    if (this.linkState === 'connected') return Promise.resolve();
    if (this.linkState === 'closed')
      return Promise.reject(new ZooKeeperError(Code.CONNECTION_LOSS, undefined));
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: () => {
          this.waiters.delete(waiter);
          resolve();
        },
        reject: (err: Error) => {
          this.waiters.delete(waiter);
          reject(err);
        },
      };
      this.waiters.add(waiter);
    });
  }

  /** Runs an idempotent operation, retrying retryable errors per `operationRetry` once connected. */
  async retrying<T>(operation: () => Promise<T>, policy = this.options.operationRetry): Promise<T> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        return await operation();
      } catch (err) {
        if (!isRetryable(err) || this.linkState === 'closed') throw err;
        if (!(await policy.allowRetry(attempt, Date.now() - started, this.sleeper))) throw err;
        await this.whenConnected();
      }
    }
  }

  // ── operations (paths are relative to the root) ──

  create(path: string, data: Buffer, mode: number): Promise<string> {
    return this.on(path, (session) => session.create(path, data, mode));
  }

  /** The data and stat, or null when the node does not exist (the watch is then not set). */
  getData(path: string, watcher?: Watcher): Promise<{ data: Buffer; stat: Stat } | null> {
    return this.on(path, (session) => session.getData(path, watcher));
  }

  /** The stat, or null; with a watcher, a watch for creation, change or deletion is left. */
  exists(path: string, watcher?: Watcher): Promise<Stat | null> {
    return this.on(path, (session) => session.exists(path, watcher));
  }

  getChildren(path: string, watcher?: Watcher): Promise<{ children: string[]; stat: Stat }> {
    return this.on(path, (session) => session.getChildren(path, watcher));
  }

  setData(path: string, data: Buffer, version: number): Promise<Stat> {
    return this.on(path, (session) => session.setData(path, data, version));
  }

  remove(path: string, version = -1): Promise<void> {
    return this.on(path, (session) => session.remove(path, version));
  }

  /** One atomic multi() transaction; fails with the first failing operation's code. */
  multi(ops: Op[]): Promise<OpResult[]> {
    return this.on(undefined, (session) => session.multi(ops));
  }

  /** Creates `path` and its parents (persistent, empty) where missing. */
  async ensurePath(path: string): Promise<void> {
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const prefix = '/' + parts.slice(0, i).join('/');
      if ((await this.exists(prefix)) !== null) continue;
      try {
        await this.create(prefix, Buffer.alloc(0), zookeeper.CreateMode.PERSISTENT);
      } catch (err) {
        if (!(err instanceof ZooKeeperError && err.code === Code.NODE_EXISTS)) throw err; // another broker made it
      }
    }
  }

  // ── fault handling ──

  /** When bytes last came from the server on the current connection (0: never). */
  lastDataAt(): number {
    return this.current?.lastDataAt ?? 0;
  }

  /**
   * Drops the current connection (the watchdog saw a hung server): the library reconnects to the
   * next server with the same session; requests in flight fail with CONNECTION_LOSS.
   */
  dropConnection(): void {
    if (this.linkState === 'connected') this.current?.dropConnection();
  }

  /**
   * Runs an operation on the current session. Between two sessions (and after close) it fails as
   * a rejected promise, never a throw: callers chain `.then` outside async functions.
   */
  private on<T>(path: string | undefined, operation: (session: Session) => Promise<T>): Promise<T> {
    const session = this.current;
    if (session === null || this.linkState === 'closed') {
      const code = this.linkState === 'closed' ? Code.CONNECTION_LOSS : Code.SESSION_EXPIRED;
      return Promise.reject(new ZooKeeperError(code, path));
    }
    try {
      return operation(session);
    } catch (err) {
      return Promise.reject(
        err instanceof ZooKeeperError ? err : new ZooKeeperError(Code.BAD_ARGUMENTS, path, { cause: err }),
      );
    }
  }

  private async openSession(): Promise<void> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      if (this.linkState === 'closed') throw new ZooKeeperError(Code.CONNECTION_LOSS, undefined);
      const session = this.newSession();
      if (await session.connected(this.options.sessionTimeoutMs)) {
        try {
          // Not `retrying`: that waits for 'connected', which this very step leads to.
          await session.ensureRoot();
          this.connectedFirst(session);
          return;
        } catch (err) {
          this.options.log.warn({ err }, 'could not create the coordination root');
        }
      }
      await session.end(Code.CONNECTION_LOSS, false);
      if (this.current === session) this.current = null;
      const elapsed = Date.now() - started;
      if (!(await this.options.connectRetry.allowRetry(attempt, elapsed, this.sleeper))) {
        throw new ZooKeeperError(Code.CONNECTION_LOSS, undefined);
      }
    }
  }

  private newSession(): Session {
    const generation = ++this.generation;
    const raw = zookeeper.createClient(this.options.connectString, {
      sessionTimeout: this.options.sessionTimeoutMs,
      spinDelay: this.options.spinDelayMs,
      retries: 0, // we decide what to retry: a blind create retry duplicates
    });
    guardConnectionManager(raw);
    const session = new Session(raw, generation, this.options.root, {
      disconnected: () => this.onDisconnected(session),
      reconnected: () => this.onReconnected(session),
      expired: () => void this.onLost(session, 'expired'),
      suspendedTooLong: () => void this.onLost(session, 'suspended for a whole session timeout'),
    });
    this.current = session;
    raw.connect();
    return session;
  }

  private connectedFirst(session: Session): void {
    if (this.current !== session || this.linkState === 'closed') return;
    session.markEstablished();
    this.options.log.info({ session: session.id, generation: session.generation }, 'zookeeper session');
    this.setState('connected', true);
  }

  private onDisconnected(session: Session): void {
    if (this.current !== session || this.linkState !== 'connected') return;
    this.setState('suspended', false);
  }

  private onReconnected(session: Session): void {
    if (this.current !== session || this.linkState !== 'suspended') return;
    this.setState('connected', false);
  }

  private async onLost(session: Session, why: string): Promise<void> {
    if (this.current !== session || this.linkState === 'closed' || !session.established) return;
    this.options.log.warn({ session: session.id, why }, 'zookeeper session lost');
    this.current = null;
    await session.end(Code.SESSION_EXPIRED, false);
    if (this.state === 'closed') return; // closed while the old client shut down
    this.setState('lost', false);
    this.setState('connecting', false);
    try {
      await this.openSession();
    } catch {
      // closed while reconnecting
    }
  }

  private setState(state: LinkState, newSession: boolean): void {
    if (this.linkState === state && !newSession) return;
    this.linkState = state;
    if (state === 'connected') for (const waiter of [...this.waiters]) waiter.resolve();
    for (const listener of [...this.listeners]) listener(state, newSession);
  }
}
