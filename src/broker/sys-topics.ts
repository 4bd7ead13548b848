/**
 * `$SYS/` topics: this broker's own figures, with Mosquitto's names where they apply, published every
 * `intervalSec` to this broker's subscribers only. They never go through the cluster log (each broker
 * has its own figures and they are not worth a quorum write): they are delivered like a local
 * publish through the router (clean sessions) and to the live local owners of persistent sessions
 * whose subscriptions match, at QoS 0. The latest value of each topic is kept and sent as a retained
 * message to a new subscriber. Only values that changed are published again.
 *
 * Clients may not publish to `$SYS/` (MQTT 4.7.2: such topics are the server's); `refusePublish`
 * drops them, as Mosquitto does.
 */
import type { IPublishPacket } from 'mqtt-packet';
import type { Delivery } from '../actors/connection/types.js';
import type { PublishEvent, SubscriptionOptions } from '../coordination/log-events.js';
import { topicMatches } from '../protocol/topic.js';
import type { Broker } from './broker.js';
import type { ClientConnection } from './client-connection.js';
import type { SysRetained } from './services.js';

export interface SysTopicsOptions {
  /** Seconds between publications (> 0). */
  intervalSec: number;
  /** The broker's version string, for `$SYS/broker/version`. */
  version: string;
}

export function isSysTopic(topic: string): boolean {
  return topic === '$SYS' || topic.startsWith('$SYS/');
}

/** Mosquitto's load averages: per-minute rates smoothed over 1, 5 and 15 minutes. */
const LOAD_PERIODS = [
  ['1min', 60],
  ['5min', 300],
  ['15min', 900],
] as const;

export class SysTopics implements SysRetained {
  private readonly latest = new Map<string, Buffer>();
  private readonly loads = new Map<string, number>();
  private previous = new Map<string, number>();
  private lastTickAt = 0;
  private readonly startedAt: number;
  private maxClients = 0;
  private maxHeap = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly broker: Broker,
    private readonly options: SysTopicsOptions,
  ) {
    this.startedAt = broker.now();
  }

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.options.intervalSec * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** The latest values matching a new subscription, as retained messages [MQTT-3.3.1-9]. */
  retainedFor(subscriptions: readonly { filter: string; options: SubscriptionOptions }[]): Delivery[] {
    const out: Delivery[] = [];
    for (const { filter, options } of subscriptions) {
      if (!filter.startsWith('$SYS') || options.retainHandling === 2) continue;
      for (const [topic, payload] of this.latest) {
        if (!topicMatches(filter, topic)) continue;
        out.push({
          topic,
          payload,
          qos: 0,
          retain: true,
          ...(options.subscriptionId !== undefined ? { subscriptionIds: [options.subscriptionId] } : {}),
        });
      }
    }
    return out;
  }

  /** Values as of now, by topic (also what the tests read). */
  values(): Map<string, string> {
    const b = this.broker;
    const c = b.counters;
    let connected = 0;
    for (const conn of b.connections.values()) if (conn.granted) connected++;
    let disconnected = 0;
    let localPersistentSubscriptions = 0;
    for (const s of b.state.sessions.values()) {
      if (s.owner === null) {
        if (s.persistent) disconnected++;
      } else if (s.owner.brokerId === b.brokerId && s.owner.epoch === b.epoch) {
        localPersistentSubscriptions += s.subscriptions.size;
      }
    }
    const heap = process.memoryUsage().heapUsed;
    this.maxClients = Math.max(this.maxClients, connected);
    this.maxHeap = Math.max(this.maxHeap, heap);
    const received = Object.values(c.packetsReceived).reduce((a, n) => a + n, 0);
    const sent = Object.values(c.packetsSent).reduce((a, n) => a + n, 0);
    const dropped = Object.values(c.dropped).reduce((a, n) => a + n, 0);
    const counts: [string, number][] = [
      ['messages/received', received],
      ['messages/sent', sent],
      ['publish/messages/received', c.publishesReceived],
      ['publish/messages/sent', c.publishesSent],
      ['bytes/received', c.bytesReceived],
      ['bytes/sent', c.bytesSent],
      ['connections', c.connectionsAccepted],
    ];
    const v = new Map<string, string>([
      ['$SYS/broker/version', `mqttzoo version ${this.options.version}`],
      ['$SYS/broker/uptime', `${Math.floor((b.now() - this.startedAt) / 1000)} seconds`],
      ['$SYS/broker/clients/connected', String(connected)],
      ['$SYS/broker/clients/disconnected', String(disconnected)],
      ['$SYS/broker/clients/total', String(connected + disconnected)],
      ['$SYS/broker/clients/maximum', String(this.maxClients)],
      ['$SYS/broker/publish/messages/dropped', String(dropped)],
      ['$SYS/broker/subscriptions/count', String(b.router.size + localPersistentSubscriptions)],
      ['$SYS/broker/retained messages/count', String(b.state.retained.size)],
      ['$SYS/broker/heap/current', String(heap)],
      ['$SYS/broker/heap/maximum', String(this.maxHeap)],
    ]);
    for (const [name, value] of counts)
      if (name !== 'connections') v.set(`$SYS/broker/${name}`, String(value));
    this.updateLoads(counts, v);
    return v;
  }

  private updateLoads(counts: [string, number][], v: Map<string, string>): void {
    const now = this.broker.now();
    const elapsed = (now - this.lastTickAt) / 1000;
    const first = this.lastTickAt === 0 || elapsed <= 0;
    for (const [name, value] of counts) {
      const perMinute = first ? 0 : ((value - (this.previous.get(name) ?? 0)) * 60) / elapsed;
      for (const [period, seconds] of LOAD_PERIODS) {
        const topic = `$SYS/broker/load/${name.replace('/messages', '')}/${period}`;
        const exponent = first ? 0 : Math.exp(-elapsed / seconds);
        const load = exponent * (this.loads.get(topic) ?? 0) + (1 - exponent) * perMinute;
        this.loads.set(topic, load);
        v.set(topic, load.toFixed(2));
      }
    }
    this.previous = new Map(counts);
    this.lastTickAt = now;
  }

  /** Publishes the values that changed since the last tick to this broker's subscribers. */
  tick(): void {
    const deliveries = new Map<string, Delivery[]>();
    for (const [topic, text] of this.values()) {
      const previous = this.latest.get(topic);
      if (previous?.toString() === text) continue;
      const payload = Buffer.from(text);
      this.latest.set(topic, payload);
      this.route(topic, payload, deliveries);
    }
    for (const [connId, messages] of deliveries) this.broker.connections.get(connId)?.deliver(messages);
  }

  private route(topic: string, payload: Buffer, out: Map<string, Delivery[]>): void {
    const b = this.broker;
    const add = (connId: string, d: Delivery): void => {
      const list = out.get(connId);
      if (list === undefined) out.set(connId, [d]);
      else list.push(d);
    };
    const event: PublishEvent = {
      type: 'publish',
      topic,
      payload,
      qos: 0,
      retain: true,
      clientId: '',
      brokerId: b.brokerId,
      at: b.now(),
    };
    b.router.route(event, (connId) => b.connections.get(connId)?.clientId, add);
    for (const [clientId, match] of b.state.sessions.match(topic)) {
      const owner = b.state.sessions.get(clientId)?.owner;
      if (owner?.brokerId !== b.brokerId || owner.epoch !== b.epoch) continue;
      add(owner.connId, {
        topic,
        payload,
        qos: 0,
        retain: match.retainAsPublished,
        ...(match.subscriptionIds.length > 0 ? { subscriptionIds: match.subscriptionIds } : {}),
      });
    }
  }
}

/**
 * A client's PUBLISH to a `$SYS/` topic: dropped, logged and counted. QoS 1/2 are acknowledged (as
 * Mosquitto does) when that keeps acks in receive order [MQTT-4.6.0-2], that is when no other
 * publish of this client awaits its ack; otherwise the client is disconnected (not authorized).
 */
export function refuseSysPublish(conn: ClientConnection, packet: IPublishPacket): void {
  conn.services.counters.dropped['sys-topic']++;
  conn.log.warn({ topic: packet.topic, qos: packet.qos }, 'publish to a $SYS topic dropped');
  if (packet.qos === 0) return;
  if (conn.actor.getSnapshot().context.inboundUnacked <= 1) {
    conn.send({ type: 'publish.committed', acks: [{ packetId: packet.messageId!, qos: packet.qos }] });
  } else {
    conn.disconnect('not-authorized', 'clients may not publish to $SYS topics');
  }
}
