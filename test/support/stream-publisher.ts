/**
 * The publisher of the cluster and fault tests: a QoS 1 (or 2) stream `<id>:1 .. <id>:count` with a
 * window of unfinished messages. When its connection drops it reconnects (bounded, to whatever port
 * `port()` names: the load balancer's in fault tests) and re-sends every message not yet
 * acknowledged, with DUP=1 and the same packet id (QoS 2 after PUBREC: PUBREL), then goes on. It
 * records when each message was acknowledged (PUBACK, or PUBREC: the commit), so failover pauses
 * can be measured.
 */
import type { Packet } from 'mqtt-packet';
import { payloadOf } from './delivery-check.js';
import { RawClient } from './raw-client.js';

export interface StreamOptions {
  /** Publisher id in the payloads. */
  id: string;
  topic: string;
  count: number;
  /** The port of each connection attempt (e.g. the load balancer's). */
  port: () => number;
  clientId?: string;
  clean?: boolean;
  qos?: 1 | 2;
  /** Unfinished messages at most (default 16). */
  window?: number;
  /** At least this long between two new messages (default 0: as fast as acks allow). */
  intervalMs?: number;
  /** How long reconnecting may take after a drop before the stream fails (default 60 s). */
  reconnectWithinMs?: number;
}

export class StreamPublisher {
  /** Acknowledged: PUBACK, or for QoS 2 PUBREC (the publish is committed). */
  readonly acked = new Set<number>();
  /** Finished: PUBACK, or PUBCOMP. */
  readonly finished = new Set<number>();
  /** QoS 2: PUBREL sent. */
  private readonly released = new Set<number>();
  /** When each message was first acknowledged (ms). */
  readonly ackedAt = new Map<number, number>();
  readonly drops: number[] = [];
  /** When each reconnect succeeded, and how many messages it re-sent. */
  readonly reconnects: { at: number; resent: number }[] = [];
  sent = 0;
  private client: RawClient | null = null;
  private stopped = false;
  private readonly clientId: string;

  constructor(readonly options: StreamOptions) {
    if (options.count > 60_000) throw new Error('a stream uses one packet id per message: at most 60000');
    this.clientId = options.clientId ?? `${options.id}-pub`;
  }

  get id(): string {
    return this.options.id;
  }

  /** Runs the stream until every message is acknowledged; rejects after `withinMs`. */
  async run(withinMs = 120_000): Promise<void> {
    const o = this.options;
    const window = o.window ?? 16;
    const interval = o.intervalMs ?? 0;
    const deadline = Date.now() + withinMs;
    const inflight = new Set<number>();
    let next = 1;
    let lastSend = 0;
    while (this.finished.size < o.count && !this.stopped) {
      if (Date.now() > deadline)
        throw new Error(`${o.id}: ${this.finished.size}/${o.count} finished in ${withinMs} ms`);
      if (this.client === null || this.client.isClosed) {
        if (this.client !== null) this.drops.push(Date.now());
        this.client = await this.reconnect(this.client === null);
        inflight.clear();
        let resent = 0;
        for (let seq = 1; seq < next; seq++) {
          if (this.finished.has(seq)) continue;
          if (this.released.has(seq)) this.client.send({ cmd: 'pubrel', messageId: seq });
          else this.publish(seq, true);
          inflight.add(seq);
          resent++;
        }
        if (this.drops.length > 0) this.reconnects.push({ at: Date.now(), resent });
      }
      while (inflight.size < window && next <= o.count && Date.now() - lastSend >= interval) {
        this.publish(next, false);
        inflight.add(next);
        next++;
        this.sent++;
        lastSend = Date.now();
      }
      const wait = next <= o.count && interval > 0 ? Math.max(1, interval - (Date.now() - lastSend)) : 1000;
      let packet: Packet;
      try {
        packet = await this.client.next(wait);
      } catch {
        continue; // a pause in acks, or the connection closed (handled above)
      }
      const id = (packet as { messageId?: number }).messageId;
      if (id === undefined) continue;
      if (packet.cmd === 'puback' || packet.cmd === 'pubrec') {
        if (!this.acked.has(id)) {
          this.acked.add(id);
          this.ackedAt.set(id, Date.now());
        }
      }
      if (packet.cmd === 'pubrec') {
        this.released.add(id);
        this.client.send({ cmd: 'pubrel', messageId: id });
      }
      if (packet.cmd === 'puback' || packet.cmd === 'pubcomp') {
        inflight.delete(id);
        this.finished.add(id);
      }
    }
  }

  /** Stops the stream after the current step and closes the connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.disconnect();
  }

  private publish(seq: number, dup: boolean): void {
    this.client!.send({
      cmd: 'publish',
      topic: this.options.topic,
      payload: Buffer.from(payloadOf(this.options.id, seq)),
      qos: this.options.qos ?? 1,
      dup,
      retain: false,
      messageId: seq,
    });
  }

  private async reconnect(first: boolean): Promise<RawClient> {
    const deadline = Date.now() + (this.options.reconnectWithinMs ?? 60_000);
    let lastError: unknown = null;
    while (Date.now() < deadline) {
      try {
        return await RawClient.connect(this.options.port(), {
          clientId: this.clientId,
          clean: this.options.clean ?? true,
          keepalive: 0,
        });
      } catch (err) {
        lastError = err;
        if (first) throw err;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error(`${this.options.id}: could not reconnect: ${String(lastError)}`);
  }
}
