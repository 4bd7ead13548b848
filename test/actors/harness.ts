/** Drives a connection actor without sockets: events in, emitted effects collected, time simulated. */
import type { IConnectPacket, Packet } from 'mqtt-packet';
import { createActor, SimulatedClock } from 'xstate';
import { connectionMachine } from '../../src/actors/connection/connection.machine.js';
import { defaultConnectionLimits, type ConnectionLimits } from '../../src/actors/connection/context.js';
import type { ConnectionEffect, ConnectionEvent, SessionGrant } from '../../src/actors/connection/types.js';

export function startConnection(limits: Partial<ConnectionLimits> = {}) {
  const clock = new SimulatedClock();
  clock.set(1_000_000);
  const actor = createActor(connectionMachine, {
    input: {
      connId: 'b1-1',
      remoteAddress: '127.0.0.1:40000',
      limits: { ...defaultConnectionLimits, ...limits },
      now: () => clock.now(),
    },
    clock,
  });
  const effects: ConnectionEffect[] = [];
  actor.on('*', (effect) => effects.push(effect));
  actor.start();

  const h = {
    actor,
    clock,
    effects,
    send(event: ConnectionEvent): void {
      actor.send(event);
    },
    packet(packet: Packet): void {
      actor.send({ type: 'packets', packets: [packet] });
    },
    /** Effects emitted since the last take(), and forget them. */
    take(): ConnectionEffect[] {
      return effects.splice(0);
    },
    /** Packets sent since the last take(). */
    sent(): Packet[] {
      return h
        .take()
        .filter((e): e is Extract<ConnectionEffect, { type: 'send' }> => e.type === 'send')
        .map((e) => e.packet);
    },
    get state(): unknown {
      return actor.getSnapshot().value;
    },
    get status(): string {
      return actor.getSnapshot().status;
    },
    /** CONNECT, then the broker's grant: leaves the actor connected with effects cleared. */
    connect(over: Partial<IConnectPacket> = {}, grant: Partial<SessionGrant> = {}): void {
      h.packet(connectPacket(over));
      actor.send({
        type: 'session.granted',
        grant: {
          sessionPresent: false,
          clientId: over.clientId ?? 'c1',
          awaitingRelease: [],
          queued: [],
          ...grant,
        },
      });
      h.take();
    },
  };
  return h;
}

export function connectPacket(over: Partial<IConnectPacket> = {}): IConnectPacket {
  return {
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clientId: 'c1',
    clean: true,
    keepalive: 60,
    ...over,
  };
}
