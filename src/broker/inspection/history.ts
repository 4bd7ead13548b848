/**
 * What the inspection keeps about an actor's past: a bounded ring of its state changes, and how to
 * name a state and the events that can lead from one state to another (read from the machine's
 * definition, so the hot path records a change without ever seeing the event: see hub.ts).
 */
import type { AnyStateMachine, StateValue } from 'xstate';

export interface TransitionRecord {
  /** Wall-clock ms. */
  at: number;
  /** Previous state ("connected.alive"); null for the first record. */
  from: string | null;
  to: string;
  /** Events of the machine that lead from `from` to `to` (one, or the candidates). */
  via: string[];
  /** Why a connection closed, when `to` is its final state. */
  reason?: unknown;
}

/** A fixed-size ring: the newest `size` records, oldest first. */
export class HistoryRing<T> {
  private readonly items: T[] = [];
  private next = 0;

  constructor(readonly size: number) {}

  push(item: T): void {
    if (this.size <= 0) return;
    if (this.items.length < this.size) this.items.push(item);
    else this.items[this.next] = item;
    this.next = (this.next + 1) % this.size;
  }

  toArray(): T[] {
    if (this.items.length < this.size) return [...this.items];
    return [...this.items.slice(this.next), ...this.items.slice(0, this.next)];
  }

  get length(): number {
    return this.items.length;
  }
}

/** "connected.alive" for { connected: 'alive' }; `depth` 1 keeps only the top level ("connected"). */
export function stateKey(value: StateValue, depth = Infinity): string {
  if (typeof value === 'string') return value;
  const parts: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined || depth <= 1) parts.push(key);
    else parts.push(`${key}.${stateKey(child, depth - 1)}`);
  }
  return parts.join(',');
}

/**
 * XState's generated event names, made readable: `xstate.after.KEEP_ALIVE.connection.connected.alive`
 * reads as `after KEEP_ALIVE`, `xstate.done.actor.0.coordinator.leader.running` as `invoke done`.
 */
function eventName(eventType: string): string {
  if (eventType.startsWith('xstate.after.')) return `after ${eventType.split('.')[2] ?? ''}`;
  if (eventType.startsWith('xstate.done.actor.')) return 'invoke done';
  if (eventType.startsWith('xstate.error.actor.')) return 'invoke error';
  return eventType;
}

interface StateNodeLike {
  path: string[];
  type: string;
  states: Record<string, StateNodeLike>;
  transitions: Map<string, readonly { target: readonly StateNodeLike[] | undefined }[]>;
}

/** One machine's transitions, indexed by source state: answers "which events lead from A to B". */
export class TransitionIndex {
  /** source key ("" for the root) -> [event, target key][] */
  private readonly bySource = new Map<string, [string, string][]>();
  private readonly cache = new Map<string, string[]>();

  constructor(machine: AnyStateMachine) {
    this.walk(machine.root);
  }

  private walk(node: StateNodeLike): void {
    const edges: [string, string][] = [];
    for (const [eventType, transitions] of node.transitions) {
      for (const t of transitions) {
        for (const target of t.target ?? []) edges.push([eventName(eventType), target.path.join('.')]);
      }
    }
    this.bySource.set(node.path.join('.'), edges);
    for (const child of Object.values(node.states)) this.walk(child);
  }

  /** Events whose transitions, from `from` or one of its ancestors, end in `to`. */
  between(from: string | null, to: string): string[] {
    if (from === null) return ['xstate.init'];
    const cacheKey = `${from}>${to}`;
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) return cached;
    const found = new Set<string>();
    const levels = from.split('.');
    for (let n = levels.length; n >= 0; n--) {
      for (const [event, target] of this.bySource.get(levels.slice(0, n).join('.')) ?? []) {
        if (target === to || to.startsWith(`${target}.`) || target.startsWith(`${to}.`)) found.add(event);
      }
    }
    const result = [...found];
    this.cache.set(cacheKey, result);
    return result;
  }

  /** The machine's states as a tree, with each state's outgoing events, for the page. */
  static describe(machine: AnyStateMachine): MachineDescription {
    const describe = (node: StateNodeLike): MachineDescription => {
      const on: { event: string; target: string }[] = [];
      for (const [eventType, transitions] of node.transitions) {
        for (const t of transitions) {
          for (const target of t.target ?? [])
            on.push({ event: eventName(eventType), target: target.path.join('.') });
        }
      }
      return {
        key: node.path.join('.'),
        type: node.type,
        on,
        states: Object.values(node.states).map(describe),
      };
    };
    return describe(machine.root);
  }
}

export interface MachineDescription {
  /** "connected.alive"; "" for the root. */
  key: string;
  /** atomic, compound, parallel, final. */
  type: string;
  on: { event: string; target: string }[];
  states: MachineDescription[];
}
