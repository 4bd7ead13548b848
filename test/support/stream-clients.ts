/**
 * The subscriber of the cluster and fault tests, on the raw client (test/support/raw-client.ts) so
 * that every flag and packet id is visible: it records every PUBLISH (DUP, QoS, retain),
 * acknowledges QoS 1 and 2 at once, and notices how its connection ended (a DISCONNECT with a
 * reason code, or a bare close). Every wait is bounded. The publisher is in stream-publisher.ts.
 */
import type { IConnackPacket, IConnectPacket, Packet } from 'mqtt-packet';
import { parsePayload, payloadOf, type Delivered } from './delivery-check.js';
import { RawClient, connectPacket } from './raw-client.js';

export interface Received {
  topic: string;
  payload: string;
  qos: number;
  dup: boolean;
  retain: boolean;
  packetId: number | undefined;
  /**
   * A QoS 2 PUBLISH whose packet id was still awaiting PUBREL: the same message again, which a
   * receiver does not hand to its application a second time [MQTT-4.3.3-2].
   */
  qos2Repeat: boolean;
  at: number;
}

/** Polls `check` every 20 ms until it holds; fails after `ms` saying what it waited for. */
export async function eventually(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export class Subscriber {
  readonly messages: Received[] = [];
  /** The DISCONNECT the server sent, if any. */
  disconnect: Packet | null = null;
  private readonly replies = new Map<string, (packet: Packet) => void>();
  private nextId = 1;

  /** While true, QoS 2 PUBLISHes get no PUBREC until `sendPubrecs()`. */
  holdPubrecs = false;
  private readonly unanswered: number[] = [];

  private constructor(
    readonly client: RawClient,
    readonly connack: IConnackPacket,
    readonly clientId: string,
    /** Inbound QoS 2 packet ids awaiting PUBREL: client session state, kept across reconnects. */
    readonly awaitingRelease: Set<number>,
  ) {
    void this.pump();
  }

  /**
   * Connects and expects CONNACK 0. A client resuming its session passes the QoS 2 packet ids it
   * still awaits PUBREL for (`previous.awaitingRelease`), as a real client keeps them.
   */
  static async connect(
    port: number,
    over: Partial<IConnectPacket> = {},
    awaitingRelease = new Set<number>(),
  ): Promise<Subscriber> {
    const packet = connectPacket(over);
    const client = await RawClient.open(port, packet.protocolVersion);
    try {
      const connack = await client.handshake(packet);
      const code = connack.returnCode ?? connack.reasonCode ?? 0;
      if (code !== 0) throw new Error(`CONNECT to ${port} refused with ${code}`);
      return new Subscriber(client, connack, packet.clientId, awaitingRelease);
    } catch (err) {
      client.destroy();
      throw err;
    }
  }

  get closed(): boolean {
    return this.client.isClosed;
  }

  /** What arrived on `topic` (all topics when omitted), as stream deliveries. */
  /** What the application got on `topic` (all topics when omitted): QoS 2 repeats left out. */
  delivered(topic?: string): Delivered[] {
    const out: Delivered[] = [];
    for (const m of this.messages) {
      if (m.qos2Repeat || (topic !== undefined && m.topic !== topic)) continue;
      const p = parsePayload(m.payload);
      if (p !== null) out.push({ ...p, dup: m.dup });
    }
    return out;
  }

  has(pub: string, seq: number): boolean {
    return this.messages.some((m) => {
      const p = parsePayload(m.payload);
      return p !== null && p.pub === pub && p.seq === seq;
    });
  }

  async subscribe(filter: string, qos: 0 | 1 | 2 = 1, ms = 10_000): Promise<number[]> {
    const messageId = this.id();
    const suback = await this.request(
      'suback',
      messageId,
      { cmd: 'subscribe', messageId, subscriptions: [{ topic: filter, qos }] },
      ms,
    );
    return (suback as { granted: (number | { qos: number })[] }).granted.map((g) =>
      typeof g === 'number' ? g : g.qos,
    );
  }

  async unsubscribe(filter: string, ms = 10_000): Promise<void> {
    const messageId = this.id();
    await this.request(
      'unsuback',
      messageId,
      { cmd: 'unsubscribe', messageId, unsubscriptions: [filter] },
      ms,
    );
  }

  /** PUBREC for every QoS 2 message held back (`holdPubrecs`), in order; stops holding. */
  sendPubrecs(): void {
    this.holdPubrecs = false;
    for (const messageId of this.unanswered.splice(0)) this.client.send({ cmd: 'pubrec', messageId });
  }

  /** PINGREQ and its PINGRESP: whatever the server sent before it has arrived. */
  async ping(ms = 10_000): Promise<void> {
    await this.request('pingresp', undefined, { cmd: 'pingreq' }, ms);
  }

  waitFor(check: (messages: Received[]) => boolean, what: string, ms = 20_000): Promise<void> {
    return eventually(() => check(this.messages), `${this.clientId}: ${what}`, ms);
  }

  /** Waits until the message `<pub>:<seq>` arrived. */
  waitForMessage(pub: string, seq: number, ms = 20_000): Promise<void> {
    return eventually(() => this.has(pub, seq), `${this.clientId} to receive ${payloadOf(pub, seq)}`, ms);
  }

  waitClosed(ms = 20_000): Promise<void> {
    return eventually(() => this.closed, `${this.clientId}'s connection to close`, ms);
  }

  async close(): Promise<void> {
    await this.client.disconnect();
  }

  /** Drops the TCP connection without DISCONNECT. */
  destroy(): void {
    this.client.destroy();
  }

  private id(): number {
    const id = this.nextId;
    this.nextId = (this.nextId % 65535) + 1;
    return id;
  }

  private request(cmd: string, messageId: number | undefined, packet: Packet, ms: number): Promise<Packet> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replies.delete(`${cmd}:${messageId}`);
        reject(new Error(`${this.clientId}: no ${cmd} for ${messageId} within ${ms} ms`));
      }, ms);
      this.replies.set(`${cmd}:${messageId}`, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.client.send(packet);
    });
  }

  private async pump(): Promise<void> {
    while (!this.client.isClosed) {
      let packet: Packet;
      try {
        packet = await this.client.next(60_000);
      } catch {
        continue; // closed (the loop ends) or quiet for a minute
      }
      this.onPacket(packet);
    }
  }

  private onPacket(packet: Packet): void {
    switch (packet.cmd) {
      case 'publish': {
        const p = packet;
        this.messages.push({
          topic: p.topic,
          payload: Buffer.isBuffer(p.payload) ? p.payload.toString('utf8') : p.payload,
          qos: p.qos,
          dup: p.dup,
          retain: p.retain,
          packetId: p.messageId,
          qos2Repeat: p.qos === 2 && this.awaitingRelease.has(p.messageId!),
          at: Date.now(),
        });
        if (p.qos === 1) this.client.send({ cmd: 'puback', messageId: p.messageId! });
        if (p.qos === 2) {
          this.awaitingRelease.add(p.messageId!);
          if (this.holdPubrecs) this.unanswered.push(p.messageId!);
          else this.client.send({ cmd: 'pubrec', messageId: p.messageId! });
        }
        return;
      }
      case 'pubrel':
        this.awaitingRelease.delete(packet.messageId!);
        this.client.send({ cmd: 'pubcomp', messageId: packet.messageId });
        return;
      case 'disconnect':
        this.disconnect = packet;
        return;
      default: {
        const id = (packet as { messageId?: number }).messageId;
        const reply = this.replies.get(`${packet.cmd}:${id}`);
        this.replies.delete(`${packet.cmd}:${id}`);
        reply?.(packet);
      }
    }
  }
}
