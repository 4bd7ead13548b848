/**
 * The replica: follows the cluster log and applies it (retained messages, sessions, routing), and
 * owns the client connections attached to it. Even on a single node, a publish goes the cluster's
 * way: connection → log append → commit → apply in log order → matching subscribers.
 */
import type { Logger } from 'pino';
import type { Delivery } from '../actors/connection/types.js';
import type { AppendCallback, Coordination, LogEntry, LogPosition } from '../coordination/coordination.js';
import type {
  BrokerGoneEvent,
  LogEvent,
  PublishEvent,
  SessionOpenEvent,
  SubscribeEvent,
  UnsubscribeEvent,
} from '../coordination/log-events.js';
import type { ErrorKind } from '../protocol/reason-codes.js';
import { ClientConnection } from './client-connection.js';
import { defaultInspectionOptions, Inspection } from './inspection/hub.js';
import { LocalRouter } from './local-router.js';
import { FlowControl } from './flow-control.js';
import { Quota } from './quota.js';
import { newCounters, type BrokerServices, type BrokerSettings, type SysRetained } from './services.js';
import { grantSession } from './session-requests.js';
import { ClusterState, type StateListener, type StateSnapshot } from './state/cluster-state.js';
import type { Owner, SessionRecord } from './state/session.js';
import type { OpenResult } from './state/session-open.js';
import { subscribeApplied, unsubscribeApplied } from './subscribe-requests.js';
import type { Transport } from './transport.js';

export interface BrokerOptions {
  coordination: Coordination;
  settings: BrokerSettings;
  log: Logger;
  now?: () => number;
  /** State changes kept per actor for the debug endpoint. */
  inspectionHistory?: number;
}

export class Broker implements BrokerServices, StateListener {
  readonly brokerId: string;
  readonly epoch: string;
  readonly settings: BrokerSettings;
  readonly log: Logger;
  readonly coordination: Coordination;
  readonly state: ClusterState;
  readonly router = new LocalRouter();
  readonly counters = newCounters();
  readonly connections = new Map<string, ClientConnection>();
  readonly quota: Quota;
  readonly flow: FlowControl;
  readonly now: () => number;
  private flowTimer: NodeJS.Timeout | null = null;
  private held: LogEntry[] = [];
  private heldHead = 0;
  /** Every actor of this broker, for the debug endpoint and its live stream (inspection/hub.ts). */
  readonly inspection: Inspection;
  /** `$SYS/` topics, set by the server when they are on. */
  sys: SysRetained | null = null;
  /** Position of the last applied log entry. */
  applied: LogPosition = 0;
  private caughtUpAt: LogPosition = Infinity;
  private nextConnection = 0;
  private localDeliveries = new Map<string, Delivery[]>();
  private unfollow: (() => void) | null = null;

  constructor(options: BrokerOptions) {
    this.coordination = options.coordination;
    this.brokerId = options.coordination.brokerId;
    this.epoch = options.coordination.epoch;
    this.settings = options.settings;
    this.log = options.log;
    this.now = options.now ?? Date.now;
    this.state = new ClusterState({ maxQueuedMessages: options.settings.maxQueuedMessages }, this);
    this.inspection = new Inspection({
      ...defaultInspectionOptions,
      historySize: options.inspectionHistory ?? defaultInspectionOptions.historySize,
      brokerId: this.brokerId,
      now: this.now,
    });
    this.flow = new FlowControl(options.settings.flow, this.now, (client) =>
      this.log.warn(
        { connId: client.connId, bufferedBytes: client.bufferedBytes, queued: client.queuedMessages },
        'slow consumer: no longer holding publishers back; it loses what exceeds its bounds',
      ),
    );
    this.quota = new Quota(options.settings.quota, this.coordination, this.state, (usage) => {
      if (usage.exceeded)
        this.log.warn({ quota: usage }, `quota reached, refusing new publishes: ${usage.reason}`);
      else this.log.info({ quota: usage }, 'quota no longer reached: accepting publishes again');
    });
  }

  /** Loads the latest snapshot and follows the log after it. Coordination must be started. */
  async start(): Promise<void> {
    const snapshot = await this.coordination.loadSnapshot();
    if (snapshot !== null) {
      this.state.restore(snapshot.state as StateSnapshot);
      this.applied = snapshot.position;
      this.log.info({ position: snapshot.position }, 'state restored from snapshot');
    }
    this.caughtUpAt = this.coordination.stats().head;
    this.unfollow = this.coordination.follow(this.applied, (entry) => this.followed(entry));
    this.flow.changed.add((paused) => {
      if (!paused) setImmediate(() => this.applyHeld());
    });
    this.quota.start();
    this.flowTimer = setInterval(() => this.flow.tick(), 250);
    this.flowTimer.unref();
  }

  /** True once the log is applied up to where it stood when this broker started (readiness). */
  get caughtUp(): boolean {
    return this.applied >= this.caughtUpAt;
  }

  /** A new network connection: its actor starts waiting for CONNECT. */
  attach(transport: Transport): ClientConnection {
    const connId = `${this.brokerId}.${this.epoch.slice(0, 8)}.${++this.nextConnection}`;
    const conn = new ClientConnection(this, connId, transport, (c) => this.connections.delete(c.connId));
    if (this.connections.size >= this.settings.maxConnections) conn.overLimit = true;
    this.connections.set(connId, conn);
    conn.start();
    this.inspection.trackConnection(conn);
    return conn;
  }

  append(event: LogEvent, done?: AppendCallback): void {
    this.coordination.append(event, done);
  }

  /** Log back-pressure: too much appended and not yet committed. */
  get congested(): boolean {
    return this.coordination.stats().pendingEvents >= this.settings.maxPendingAppends;
  }

  /** Ends every connection (their wills are owed: the server closes them), then stops following. */
  async close(kind: ErrorKind = 'server-shutting-down', reason = 'server shutting down'): Promise<void> {
    for (const conn of [...this.connections.values()]) conn.disconnect(kind, reason);
    // closing events (wills, session ends) were appended synchronously: wait, bounded, for their commit
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.coordination.flush(),
      new Promise((resolve) => (timer = setTimeout(resolve, this.settings.shutdownFlushMs))),
    ]);
    clearTimeout(timer);
    this.quota.stop();
    if (this.flowTimer !== null) clearInterval(this.flowTimer);
    this.unfollow?.();
    this.unfollow = null;
  }

  /**
   * Log back-pressure on this broker: while a local client cannot keep up (flow-control.ts), entries
   * are held, in order, instead of applied, so that a burst from the log does not overflow its queue.
   * They are committed and safe; delivery waits, bounded by the slow-consumer time. Publishers on
   * other brokers are not slowed; this broker's follower lags instead.
   */
  private followed(entry: LogEntry): void {
    if (this.flow.paused || this.heldHead < this.held.length) this.held.push(entry);
    else this.applyEntry(entry);
  }

  private applyHeld(): void {
    while (this.heldHead < this.held.length && !this.flow.paused)
      this.applyEntry(this.held[this.heldHead++]!);
    if (this.heldHead === this.held.length) {
      this.held = [];
      this.heldHead = 0;
    }
  }

  /** Entries followed but held back by flow control. */
  get heldEntries(): number {
    return this.held.length - this.heldHead;
  }

  private applyEntry(entry: LogEntry): void {
    this.counters.batchSize.observe(entry.events.length);
    this.state.applyEntry(entry.events);
    this.flushLocal();
    this.applied = entry.position;
  }

  private isLocal(owner: Owner): boolean {
    return owner.brokerId === this.brokerId && owner.epoch === this.epoch;
  }

  private flushLocal(): void {
    if (this.localDeliveries.size === 0) return;
    const deliveries = this.localDeliveries;
    this.localDeliveries = new Map();
    for (const [connId, messages] of deliveries) {
      this.counters.deliveries += messages.length;
      this.connections.get(connId)?.deliver(messages);
    }
  }

  // ── StateListener: called while applying, on every replica ──

  published(event: PublishEvent): void {
    this.router.route(
      event,
      (connId) => this.connections.get(connId)?.clientId,
      (connId, delivery) => {
        const list = this.localDeliveries.get(connId);
        if (list === undefined) this.localDeliveries.set(connId, [delivery]);
        else list.push(delivery);
      },
    );
  }

  sessionDeliveries(_session: SessionRecord, owner: Owner, deliveries: Delivery[]): void {
    if (!this.isLocal(owner)) return;
    this.counters.deliveries += deliveries.length;
    this.connections.get(owner.connId)?.deliver(deliveries);
  }

  sessionOpened(event: SessionOpenEvent, _session: SessionRecord, result: OpenResult): void {
    this.flushLocal();
    const previous = result.previousOwner;
    if (previous !== null && previous.connId !== event.connId && this.isLocal(previous)) {
      this.connections.get(previous.connId)?.send({ type: 'session.takenOver' });
    }
    if (event.brokerId !== this.brokerId || event.epoch !== this.epoch) return;
    const conn = this.connections.get(event.connId);
    if (conn !== undefined) grantSession(conn, result);
  }

  subscribed(event: SubscribeEvent, _session: SessionRecord | undefined, retained: Delivery[]): void {
    const conn = this.connections.get(event.connId);
    if (conn === undefined) return;
    this.flushLocal();
    const sys = this.sys?.retainedFor(event.subscriptions) ?? [];
    subscribeApplied(conn, sys.length > 0 ? [...retained, ...sys] : retained);
  }

  unsubscribed(event: UnsubscribeEvent, existed: boolean[]): void {
    const conn = this.connections.get(event.connId);
    if (conn !== undefined) unsubscribeApplied(conn, existed);
  }

  /**
   * The leader declared this broker gone (it lost ZooKeeper for longer than its session) and the
   * cluster released the sessions of its clients, publishing their wills. A client still connected
   * here would get nothing more for its session: close it (without its will, which is out), so
   * that it reconnects and resumes wherever it lands.
   */
  sessionsReleased(event: BrokerGoneEvent, owners: Owner[]): void {
    if (event.brokerId !== this.brokerId || event.epoch !== this.epoch) return;
    this.log.warn(
      { sessions: owners.length },
      'the cluster released the sessions of this broker: closing them',
    );
    for (const owner of owners) {
      this.connections
        .get(owner.connId)
        ?.disconnect(
          'administrative-action',
          'the cluster released this session while this broker was cut off',
        );
    }
  }
}
