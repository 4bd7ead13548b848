/**
 * The broker's view into its actors: every connection actor and the coordinator actor are tracked
 * here, each with a bounded ring of its state changes, and their transitions go to live viewers.
 *
 * Cost (measured on the connection actor, docs/OBSERVABILITY.md): XState's inspection API builds an
 * object per inspection event once any observer is registered on an actor's system, which more than
 * doubled the cost of an event. So the hub registers its observer (`actor.system.inspect`) only
 * while at least one viewer listens, on every tracked actor at once, and removes it when the last
 * viewer leaves. Without viewers an event costs one `subscribe` callback that compares the state
 * value by identity (in-place events keep the same snapshot), and a state change costs one record.
 */
import type {
  AnyStateMachine,
  InspectionEvent as XStateInspectionEvent,
  StateValue,
  Subscription,
} from 'xstate';
import type { ConnectionContext } from '../../actors/connection/context.js';
import type { ClientConnection } from '../client-connection.js';
import { InspectionEvent, summariseEvent, type ActorKind } from './events.js';
import { HistoryRing, stateKey, TransitionIndex, type TransitionRecord } from './history.js';

/** The part of an XState actor the hub uses. */
export interface InspectableActor {
  readonly system: { inspect(observer: (event: XStateInspectionEvent) => void): Subscription };
  getSnapshot(): { value: StateValue; status: string; context: unknown };
  subscribe(observer: {
    next: (snapshot: { value: StateValue; status: string; context: unknown }) => void;
    error?: (err: unknown) => void;
    complete?: () => void;
  }): Subscription;
}

export interface Tracked {
  readonly kind: ActorKind;
  readonly id: string;
  readonly actor: InspectableActor;
  readonly machine: AnyStateMachine;
  readonly conn: ClientConnection | null;
  readonly startedAt: number;
  readonly history: HistoryRing<TransitionRecord>;
  /** Current state key, as the history saw it. */
  key: string;
  lastValue: StateValue | null;
  /** The state key as the live stream last reported it. */
  streamKey: string;
  inspectSub: Subscription | null;
}

/** A connection that ended, kept (bounded) so that "why did it close" can be asked afterwards. */
export interface ClosedConnection {
  clientId: string;
  connId: string;
  remoteAddress: string;
  connectedAt: number;
  closedAt: number;
  closeReason: unknown;
  stats: ConnectionContext['stats'];
  history: TransitionRecord[];
}

export type InspectionListener = (event: InspectionEvent) => void;

export interface InspectionOptions {
  brokerId: string;
  /** State changes kept per actor. */
  historySize: number;
  /** Ended connections kept. */
  recentClosed: number;
  now: () => number;
}

export const defaultInspectionOptions = { historySize: 32, recentClosed: 64 };

export class Inspection {
  private readonly connections = new Map<string, Tracked>();
  private coordinatorActor: Tracked | null = null;
  private readonly closed: HistoryRing<ClosedConnection>;
  private readonly listeners = new Set<InspectionListener>();
  private readonly indexes = new WeakMap<AnyStateMachine, TransitionIndex>();
  private seq = 0;

  constructor(private readonly options: InspectionOptions) {
    this.closed = new HistoryRing(options.recentClosed);
  }

  // ── tracking ──

  trackConnection(conn: ClientConnection): void {
    const t = this.track('connection', conn.connId, conn.actor, conn.actor.logic, conn);
    if (t !== null) this.connections.set(conn.connId, t);
  }

  trackCoordinator(actor: InspectableActor, machine: AnyStateMachine): void {
    this.coordinatorActor = this.track('coordinator', this.options.brokerId, actor, machine, null);
  }

  /** Live connection actors, oldest first. */
  liveConnections(): IterableIterator<Tracked> {
    return this.connections.values();
  }

  /** A live connection by connection id or client id (the newest with that client id). */
  findConnection(id: string): Tracked | undefined {
    const byConn = this.connections.get(id);
    if (byConn !== undefined) return byConn;
    let found: Tracked | undefined;
    for (const t of this.connections.values()) if (t.conn?.clientId === id) found = t;
    return found;
  }

  /** An ended connection by client id or connection id, newest first. */
  findClosed(id: string): ClosedConnection | undefined {
    return this.recentlyClosed().find((c) => c.clientId === id || c.connId === id);
  }

  /** Ended connections, newest first. */
  recentlyClosed(): ClosedConnection[] {
    return this.closed.toArray().reverse();
  }

  get coordinator(): Tracked | null {
    return this.coordinatorActor;
  }

  indexOf(machine: AnyStateMachine): TransitionIndex {
    let index = this.indexes.get(machine);
    if (index === undefined) {
      index = new TransitionIndex(machine);
      this.indexes.set(machine, index);
    }
    return index;
  }

  // ── live viewers ──

  get viewers(): number {
    return this.listeners.size;
  }

  /** Adds a viewer; returns its removal. The first viewer turns inspection on for every actor. */
  listen(listener: InspectionListener): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) for (const t of this.all()) this.attach(t);
    return () => {
      if (!this.listeners.delete(listener)) return;
      if (this.listeners.size === 0) for (const t of this.all()) this.detach(t);
    };
  }

  private *all(): Generator<Tracked> {
    yield* this.connections.values();
    if (this.coordinatorActor !== null) yield this.coordinatorActor;
  }

  private track(
    kind: ActorKind,
    id: string,
    actor: InspectableActor,
    machine: AnyStateMachine,
    conn: ClientConnection | null,
  ): Tracked | null {
    const snapshot = actor.getSnapshot();
    if (snapshot.status !== 'active') return null;
    const depth = kind === 'coordinator' ? 1 : Infinity;
    const key = stateKey(snapshot.value, depth);
    const t: Tracked = {
      kind,
      id,
      actor,
      machine,
      conn,
      startedAt: this.options.now(),
      history: new HistoryRing(this.options.historySize),
      key,
      lastValue: snapshot.value,
      streamKey: key,
      inspectSub: null,
    };
    t.history.push({ at: t.startedAt, from: null, to: key, via: ['xstate.init'] });
    const index = this.indexOf(machine);
    actor.subscribe({
      next: (s) => {
        if (s.value === t.lastValue) return; // in-place event: the hot path stops here
        t.lastValue = s.value;
        const next = stateKey(s.value, depth);
        if (next === t.key) return;
        const record: TransitionRecord = {
          at: this.options.now(),
          from: t.key,
          to: next,
          via: index.between(t.key, next),
        };
        if (s.status === 'done' && kind === 'connection')
          record.reason = (s.context as ConnectionContext).closeReason;
        t.history.push(record);
        t.key = next;
      },
      complete: () => this.ended(t),
      error: () => this.ended(t),
    });
    if (this.listeners.size > 0) {
      this.attach(t);
      this.broadcast(t, 'xstate.init', undefined, null, key);
    }
    return t;
  }

  private ended(t: Tracked): void {
    if (t.kind === 'connection' && this.connections.get(t.id) === t) {
      this.connections.delete(t.id);
      const ctx = t.actor.getSnapshot().context as ConnectionContext;
      this.closed.push({
        clientId: ctx.clientId,
        connId: t.id,
        remoteAddress: ctx.remoteAddress,
        connectedAt: t.startedAt,
        closedAt: this.options.now(),
        closeReason: ctx.closeReason,
        stats: { ...ctx.stats },
        history: t.history.toArray(),
      });
    }
    // the final snapshot's inspection event comes after `complete`: let it through first
    queueMicrotask(() => this.detach(t));
  }

  private attach(t: Tracked): void {
    if (t.inspectSub !== null) return;
    t.streamKey = t.key;
    t.inspectSub = t.actor.system.inspect((e) => {
      if (e.type !== '@xstate.snapshot' || e.actorRef !== (t.actor as unknown)) return;
      const value = (e.snapshot as { value?: StateValue }).value;
      if (value === undefined) return;
      const to = stateKey(value, t.kind === 'coordinator' ? 1 : Infinity);
      const from = t.streamKey;
      t.streamKey = to;
      this.broadcast(t, e.event.type, summariseEvent(e.event), from, to);
    });
  }

  private detach(t: Tracked): void {
    t.inspectSub?.unsubscribe();
    t.inspectSub = null;
  }

  private broadcast(
    t: Tracked,
    event: string,
    detail: Record<string, unknown> | undefined,
    from: string | null,
    to: string,
  ): void {
    if (this.listeners.size === 0) return;
    const ctx = t.actor.getSnapshot().context as { clientId?: unknown };
    const clientId =
      t.kind === 'connection' && typeof ctx.clientId === 'string' && ctx.clientId !== ''
        ? ctx.clientId
        : null;
    const e = new InspectionEvent({
      seq: ++this.seq,
      at: this.options.now(),
      brokerId: this.options.brokerId,
      actor: t.kind,
      id: t.id,
      clientId,
      event,
      ...(detail !== undefined ? { detail } : {}),
      from,
      to,
      changed: from !== to,
    });
    for (const listener of this.listeners) listener(e);
  }
}
