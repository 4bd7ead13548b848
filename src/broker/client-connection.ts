/**
 * One client connection on this broker: its connection actor, and the one interpreter of the
 * actor's effects (EMQX's with_channel): only here do effects become socket writes and log appends.
 * Session-level work (CONNECT, the will, the end) is in session-requests.ts; this file is the loop.
 */
import type { IConnectPacket, IPublishPacket, Packet } from 'mqtt-packet';
import type { Logger } from 'pino';
import { createActor, type Actor } from 'xstate';
import { connectionMachine } from '../actors/connection/connection.machine.js';
import type { ConnectionEffect, ConnectionEvent, Delivery } from '../actors/connection/types.js';
import { AppendError } from '../coordination/coordination.js';
import type { LogEvent, PublishEvent } from '../coordination/log-events.js';
import { encode } from '../protocol/codec.js';
import type { ErrorKind, ProtocolError } from '../protocol/reason-codes.js';
import { publishEventOf } from './publish-event.js';
import { isSysTopic, refuseSysPublish } from './sys-topics.js';
import type { BrokerServices } from './services.js';
import { beginSession, endSession } from './session-requests.js';
import { subscribe, unsubscribe, type PendingAck } from './subscribe-requests.js';
import type { Transport } from './transport.js';

export class ClientConnection {
  readonly actor: Actor<typeof connectionMachine>;
  /** Carries brokerId, connId and remote; rebound with clientId once the CONNECT names it. */
  log: Logger;
  clientId = '';
  /** The CONNECT, once the actor accepted it; its will is the one this connection owes. */
  connectPacket: IConnectPacket | null = null;
  /** Seconds the session outlives this connection (0: a clean session, subscriptions stay local). */
  sessionExpiry = 0;
  /** True when this connection's subscriptions and acks go through the log (a persistent session). */
  logged = false;
  /** True once CONNACK was granted. */
  granted = false;
  /** Set when the broker had no room for this connection: its CONNECT is refused. */
  overLimit = false;
  /** Subscribe / unsubscribe acks waiting for their log event to be applied, in order. */
  readonly pendingAcks: PendingAck[] = [];
  private ended = false;
  /**
   * PUBRELs and PUBCOMPs of a persistent session waiting for the log to hold the PUBREC or PUBREL
   * they answer: `pubrel:<id>` / `pubcomp:<id>` -> the packet, once the actor sent it.
   */
  private readonly held = new Map<string, Packet | null>();
  /** Acks whose publishes committed, handed to the actor together once per commit. */
  private committed: { packetId: number; qos: 1 | 2 }[] = [];
  private readonly flushCommitted = (): void => {
    const acks = this.committed;
    this.committed = [];
    this.send({ type: 'publish.committed', acks });
  };

  constructor(
    readonly services: BrokerServices,
    readonly connId: string,
    readonly transport: Transport,
    private readonly onEnded: (conn: ClientConnection) => void,
  ) {
    this.log = services.log.child({ connId, remote: transport.remoteAddress });
    transport.onDrain(() => services.flow.check(this));
    this.actor = createActor(connectionMachine, {
      input: {
        connId,
        remoteAddress: transport.remoteAddress,
        limits: services.settings.limits,
        now: () => services.now(),
      },
    });
    this.actor.on('*', (effect) => this.execute(effect));
  }

  start(): void {
    this.actor.start();
  }

  get version(): 3 | 4 | 5 {
    return this.actor.getSnapshot().context.version;
  }

  // ── events in ──

  /** The packets of one read from the socket. */
  receive(packets: Packet[]): void {
    if (this.ended || packets.length === 0) return;
    this.actor.send({ type: 'packets', packets });
    this.services.flow.check(this); // acks may have freed the queue
  }

  send(event: ConnectionEvent): void {
    if (!this.ended) this.actor.send(event);
  }

  protocolError(error: ProtocolError): void {
    this.services.counters.protocolErrors++;
    this.log.warn({ err: error.message, kind: error.kind }, 'protocol error');
    this.send({ type: 'protocol.error', error });
  }

  socketClosed(): void {
    this.send({ type: 'socket.closed' });
  }

  deliver(messages: Delivery[]): void {
    if (!this.granted) return;
    this.send({ type: 'deliver', messages });
    this.services.flow.check(this);
  }

  // ── FlowClient: what flow control watches ──

  get bufferedBytes(): number {
    return this.transport.bufferedBytes;
  }

  get queuedMessages(): number {
    return this.actor.getSnapshot().context.outbound.queued;
  }

  disconnect(kind: ErrorKind, reason: string): void {
    this.send({ type: 'server.disconnect', kind, reason });
  }

  // ── effects out ──

  private execute(effect: ConnectionEffect): void {
    switch (effect.type) {
      case 'send':
        if (this.held.size > 0 && (effect.packet.cmd === 'pubrel' || effect.packet.cmd === 'pubcomp')) {
          const key = `${effect.packet.cmd}:${effect.packet.messageId}`;
          if (this.held.has(key)) {
            this.held.set(key, effect.packet);
            return;
          }
        }
        return this.write(effect.packet);
      case 'close':
        this.transport.end();
        return;
      case 'connect':
        this.log = this.log.child({ clientId: effect.packet.clientId });
        if (this.overLimit) {
          this.log.warn('connection refused: too many connections');
          this.send({ type: 'session.refused', kind: 'server-busy', reason: 'too many connections' });
          return;
        }
        this.connectPacket = effect.packet;
        this.clientId = effect.packet.clientId;
        beginSession(this, effect.packet);
        return;
      case 'publish':
        return this.publish(effect.packet);
      case 'subscribe':
        return subscribe(this, effect.packet);
      case 'unsubscribe':
        return unsubscribe(this, effect.packet);
      case 'delivered':
        if (this.logged) {
          this.services.append({
            type: 'ack',
            clientId: this.clientId,
            connId: this.connId,
            phase: 'delivered',
            packetIds: [effect.packetId],
          });
        }
        return;
      case 'released':
        if (this.logged) {
          const event = {
            type: 'ack',
            clientId: this.clientId,
            connId: this.connId,
            phase: 'released',
          } as const;
          this.holdUntilCommitted(`pubrel:${effect.packetId}`, { ...event, packetIds: [effect.packetId] });
        }
        return;
      case 'inboundReleased':
        if (this.logged) {
          const event = {
            type: 'inbound-release',
            clientId: this.clientId,
            packetId: effect.packetId,
          } as const;
          this.holdUntilCommitted(`pubcomp:${effect.packetId}`, event);
        }
        return;
      case 'dropped':
        this.services.counters.dropped[effect.reason] += effect.count;
        this.log.debug({ count: effect.count, reason: effect.reason }, 'messages dropped');
        return;
      case 'ended':
        this.ended = true;
        this.services.flow.forget(this);
        endSession(this, effect.reason);
        this.onEnded(this);
        return;
    }
  }

  /**
   * A persistent session's answer to PUBREC (PUBREL) or to PUBREL (PUBCOMP), the actor's next effect,
   * waits until the log holds what the client said. A replica resuming the session after this broker
   * died then knows it too: it sends PUBREL, never the PUBLISH again, which a client that completed
   * it would take as a new message; and it does not take a new PUBLISH under a packet id the client
   * was told is free (by PUBCOMP) for a repeat, which would lose it. QoS 2 exactly once across
   * brokers. Commit callbacks run in append order, so PUBRELs keep the PUBRECs' order [MQTT-4.6.0-3].
   */
  private holdUntilCommitted(key: string, event: LogEvent): void {
    if (this.held.has(key)) return; // a repeated PUBREC or PUBREL: its answer is already waiting
    this.held.set(key, null);
    this.services.append(event, (err) => {
      const answer = this.held.get(key);
      this.held.delete(key);
      if (err !== null) {
        this.disconnect('server-unavailable', 'QoS 2 state not recorded: the cluster log is unavailable');
        return;
      }
      if (answer != null && !this.ended) this.write(answer);
    });
  }

  private write(packet: Packet): void {
    if (packet.cmd === 'publish' && packet.qos === 0) {
      // a slow consumer (or one flooded through the log, which cannot be slowed) loses QoS 0
      // messages beyond its buffer, never the broker's memory
      const flow = this.services.flow;
      const limit = flow.isSlow(this) ? flow.slowBufferBytes : this.services.settings.maxWriteBuffer;
      if (this.transport.bufferedBytes > limit) {
        this.services.counters.dropped['slow-consumer']++;
        return;
      }
    }
    const bytes = encode(packet, this.version);
    const counters = this.services.counters;
    counters.packetsSent[packet.cmd]++;
    if (packet.cmd === 'publish') {
      counters.publishesSent++;
      counters.publishesSentByQos[packet.qos]++;
    }
    this.services.counters.bytesSent += bytes.length;
    this.transport.write(bytes);
  }

  private publish(packet: IPublishPacket): void {
    this.services.counters.publishesReceived++;
    this.services.counters.publishesReceivedByQos[packet.qos]++;
    if (isSysTopic(packet.topic)) return refuseSysPublish(this, packet);
    // at the quota new messages are refused; clearing a retained message frees room, so it passes
    if (this.services.quota.exceeded && !(packet.retain && packet.payload.length === 0)) {
      this.refuseForQuota(packet);
      return;
    }
    const event: PublishEvent = publishEventOf(this, packet);
    if (packet.qos === 0) {
      this.services.append(event);
      return;
    }
    const packetId = packet.messageId!;
    const qos = packet.qos;
    const appendedAt = performance.now();
    this.services.append(event, (err) => {
      if (err === null) {
        this.services.counters.appendLatency.observe((performance.now() - appendedAt) / 1000);
        // a commit calls back for a whole batch in one turn: gather, then one event
        if (this.committed.push({ packetId, qos }) === 1) queueMicrotask(this.flushCommitted);
        return;
      }
      const kind: ErrorKind =
        err instanceof AppendError && err.reason === 'quota-exceeded'
          ? 'quota-exceeded'
          : 'server-unavailable';
      this.log.warn({ err: err.message }, 'publish not committed');
      this.send({ type: 'publish.failed', packetId, qos, kind, reason: err.message });
    });
  }

  /** MQTT 5.0: PUBACK/PUBREC 0x97, or DISCONNECT 0x97 for QoS 0; 3.1.1: withhold the ack and close. */
  private refuseForQuota(packet: IPublishPacket): void {
    this.services.quota.refuse();
    const reason = 'quota exceeded: the cluster holds as much as it may';
    if (packet.qos === 0) {
      this.disconnect('quota-exceeded', reason);
      return;
    }
    this.send({
      type: 'publish.failed',
      packetId: packet.messageId!,
      qos: packet.qos,
      kind: 'quota-exceeded',
      reason,
    });
  }
}
