/**
 * Helpers of the Coordination contract suite: test events that say who wrote them and in which
 * order, a follower that records what it sees, appends that report their acknowledgements, and a
 * bounded `eventually`.
 */
import type { Coordination, LogEntry } from '../../src/coordination/coordination.js';
import type { PublishEvent } from '../../src/coordination/log-events.js';
import type { ContractBrokerOptions, ContractCluster } from './contract.js';

/** A publish whose payload starts with `writer:index|`, padded to `size` bytes. */
export function publish(writer: string, index: number, size = 24): PublishEvent {
  const id = `${writer}:${index}|`;
  const payload = Buffer.alloc(Math.max(size, id.length), 'x');
  payload.write(id);
  return {
    type: 'publish',
    topic: `t/${writer}`,
    payload,
    qos: 1,
    retain: false,
    clientId: `client-${writer}`,
    brokerId: writer,
    at: 0,
  };
}

function idOf(event: PublishEvent): string {
  const text = event.payload.subarray(0, 64).toString('latin1');
  return text.slice(0, text.indexOf('|'));
}

export interface View {
  entries: LogEntry[];
  /** `writer:index` of every event, in the order delivered. */
  events: string[];
  published: PublishEvent[];
  positionOf: Map<string, number>;
  lastPosition: number;
  stop(): void;
}

/** Follows `c` from `after` and records every entry. */
export function collect(c: Coordination, after = 0): View {
  const view: View = {
    entries: [],
    events: [],
    published: [],
    positionOf: new Map(),
    lastPosition: after,
    stop: () => undefined,
  };
  view.stop = c.follow(after, (entry) => {
    view.entries.push(entry);
    view.lastPosition = entry.position;
    for (const event of entry.events) {
      if (event.type !== 'publish') continue;
      const id = idOf(event);
      view.events.push(id);
      view.published.push(event);
      view.positionOf.set(id, entry.position);
    }
  });
  return view;
}

/** Indexes of one writer's events in the order a view saw them. */
export function fromWriter(view: View, writer: string): number[] {
  return view.events.filter((id) => id.startsWith(`${writer}:`)).map((id) => Number(id.split(':')[1]));
}

export interface Ack {
  payload: string;
  err: Error | null;
  position: number;
}

/** Lets the event loop run `n` times (setImmediate), so that batches can go out. */
export async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Appends `count` events (indexes offset..offset+count-1), `burst` per event-loop turn, and
 * resolves with every acknowledgement once all callbacks ran.
 */
export async function appendAll(
  c: Coordination,
  writer: string,
  count: number,
  burst: number,
  offset = 0,
  onAck?: () => void,
  make: (index: number) => PublishEvent = (i) => publish(writer, i),
): Promise<Ack[]> {
  const acks: Promise<Ack>[] = [];
  for (let i = 0; i < count; i++) {
    const event = make(offset + i);
    acks.push(
      new Promise((resolve) =>
        c.append(event, (err, position) => {
          onAck?.();
          resolve({ payload: idOf(event), err, position });
        }),
      ),
    );
    if ((i + 1) % burst === 0) await turns(1);
  }
  return Promise.all(acks);
}

/** One event per batch: each append waits for the previous acknowledgement. */
export async function appendOneByOne(
  c: Coordination,
  writer: string,
  count: number,
  offset = 0,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    const [ack] = await appendAll(c, writer, 1, 1, offset + i);
    if (ack!.err) throw ack!.err;
  }
}

/** Polls `check` every 20 ms until it holds; fails after `timeoutMs` (bounded in count and time). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (let attempt = 0; attempt < timeoutMs / 20 + 1; attempt++) {
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`, { cause: lastError });
}

/** The leader when exactly one broker leads and every broker names it; otherwise null. */
export function soleLeader(brokers: Coordination[]): string | null {
  const leading = brokers.filter((b) => b.isLeader());
  if (leading.length !== 1) return null;
  const id = leading[0]!.brokerId;
  return brokers.every((b) => b.leaderId() === id) ? id : null;
}

/** Starts brokers one after another (the first started is the first in the election). */
export async function startBrokers(
  cluster: ContractCluster,
  ids: string[],
  options?: ContractBrokerOptions,
): Promise<Coordination[]> {
  const brokers: Coordination[] = [];
  for (const id of ids) {
    const broker = await cluster.broker(id, options);
    await broker.start();
    brokers.push(broker);
  }
  return brokers;
}
