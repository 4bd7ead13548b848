/**
 * One client connection as an XState v5 machine.
 *
 *   awaitingConnect ──CONNECT──► connecting ──session.granted──► connected ──► closed
 *        │ timeout, bad first packet     │ refused                 │ DISCONNECT, error, keep-alive,
 *        └───────────────────────────────┴─────────────────────────┴ takeover, socket closed
 *
 * The machine is pure: it reads packets and broker answers as events and emits effects (send,
 * close, publish, subscribe, ...) that the broker's connection glue executes. Keep-alive is a
 * delayed transition [MQTT-3.1.2-24]; it re-arms itself once per period, not on every packet,
 * because re-entering a state costs far more than an event handled in place.
 */
import { assertEvent, enqueueActions, setup } from 'xstate';
import { ProtocolError } from '../../protocol/reason-codes.js';
import { closeWithError, finish, setCloseReason } from './close.js';
import { initialContext, type ConnectionContext, type ConnectionInput } from './context.js';
import { deliver } from './deliver.js';
import {
  connectRefusal,
  defer,
  onConnect,
  onEarlyProtocolError,
  onGranted,
  onRefused,
  refuseConnect,
} from './on-connect.js';
import { onPackets, splitConnect } from './on-packets.js';
import { onPublishCommitted, onPublishFailed } from './on-publish.js';
import { onSubscribeDone, onUnsubscribeDone } from './on-subscribe.js';
import type { ConnectionEffect, ConnectionEvent } from './types.js';

function keepAliveRemaining(ctx: ConnectionContext): number {
  return ctx.lastPacketAt + ctx.keepAliveMs * 1.5 - ctx.now();
}

export const connectionMachine = setup({
  types: {
    context: {} as ConnectionContext,
    events: {} as ConnectionEvent,
    emitted: {} as ConnectionEffect,
    input: {} as ConnectionInput,
  },
  actions: {
    connect: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'connect');
      context.lastPacketAt = context.now();
      onConnect(context, event.packet, enqueue);
    }),
    refuseConnect: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'connect');
      context.version = event.packet.protocolVersion === 5 ? 5 : 4;
      const refusal = connectRefusal(context, event.packet)!;
      refuseConnect(context, refusal.kind, refusal.message, enqueue);
    }),
    splitConnect: enqueueActions(({ event, enqueue }) => {
      assertEvent(event, 'packets');
      splitConnect(event.packets, enqueue);
    }),
    notConnectFirst: ({ context, event }) => {
      // [MQTT-3.1.0-1] the first packet must be CONNECT
      const what = event.type === 'packets' ? (event.packets[0]?.cmd ?? 'nothing') : event.type;
      setCloseReason(context, { kind: 'error', error: 'protocol', message: `${what} before CONNECT` });
    },
    earlyProtocolError: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'protocol.error');
      onEarlyProtocolError(context, event.error, enqueue);
    }),
    connectTimeout: ({ context }) => {
      setCloseReason(context, {
        kind: 'error',
        error: 'protocol',
        message: 'no CONNECT within the connect timeout',
      });
    },
    granted: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'session.granted');
      onGranted(context, event.grant, enqueue);
    }),
    refused: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'session.refused');
      onRefused(context, event.kind, event.reason, enqueue);
    }),
    defer: enqueueActions(({ context, event, enqueue }) => {
      defer(context, event, enqueue);
    }),
    packets: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'packets');
      onPackets(context, event.packets, enqueue);
    }),
    publishCommitted: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'publish.committed');
      for (const ack of event.acks) onPublishCommitted(context, ack.packetId, ack.qos, enqueue);
    }),
    publishFailed: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'publish.failed');
      onPublishFailed(context, event.packetId, event.qos, event.kind, event.reason, enqueue);
    }),
    subscribeDone: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'subscribe.done');
      const codes = event.granted.map((g) => g.code);
      onSubscribeDone(context, event.packetId, codes, enqueue);
    }),
    unsubscribeDone: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'unsubscribe.done');
      onUnsubscribeDone(context, event.packetId, event.codes, enqueue);
    }),
    deliver: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'deliver');
      deliver(context, event.messages, enqueue);
    }),
    clientDisconnect: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'disconnect');
      // [MQTT-3.14.4-3] DISCONNECT 0x00 deletes the will; in 5.0 any other reason code (0x04 asks
      // for it, an error code) leaves it to be published [MQTT-3.1.2-8], [MQTT-3.1.2-10]
      const sendWill = context.version === 5 && (event.packet.reasonCode ?? 0) !== 0;
      const expiry = context.version === 5 ? event.packet.properties?.sessionExpiryInterval : undefined;
      const requested = context.connect?.properties?.sessionExpiryInterval ?? 0;
      if (expiry !== undefined && expiry > 0 && requested === 0) {
        // a session that expires at once cannot be given an expiry on DISCONNECT (section 3.14.2.2.2)
        closeWithError(context, 'protocol', 'session expiry set on DISCONNECT after 0 in CONNECT', enqueue);
        return;
      }
      setCloseReason(context, {
        kind: 'client-disconnect',
        sendWill,
        ...(expiry !== undefined ? { sessionExpiryInterval: expiry } : {}),
      });
    }),
    protocolError: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, ['protocol.error', 'unexpected', 'connect']);
      const error =
        event.type === 'protocol.error'
          ? event.error
          : event.type === 'connect'
            ? new ProtocolError('protocol', 'a second CONNECT [MQTT-3.1.0-2]')
            : new ProtocolError(
                'protocol',
                `${event.packet.cmd.toUpperCase()} is sent by servers, not clients`,
              );
      closeWithError(context, error.kind, error.message, enqueue);
    }),
    serverDisconnect: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'server.disconnect');
      closeWithError(context, event.kind, event.reason, enqueue);
      context.closeReason = { kind: 'server', error: event.kind, message: event.reason };
    }),
    takenOver: enqueueActions(({ context, enqueue }) => {
      closeWithError(context, 'session-taken-over', 'another connection took over this client id', enqueue);
      context.closeReason = { kind: 'taken-over' };
    }),
    keepAliveTimeout: enqueueActions(({ context, enqueue }) => {
      const seconds = context.keepAliveMs / 1000;
      closeWithError(
        context,
        'keep-alive-timeout',
        `no packet within 1.5 x keep-alive (${seconds} s)`,
        enqueue,
      );
    }),
    socketClosed: ({ context }) => setCloseReason(context, { kind: 'socket-closed' }),
    finish: enqueueActions(({ context, enqueue }) => finish(context, enqueue)),
  },
  guards: {
    connectAcceptable: ({ context, event }) => {
      assertEvent(event, 'connect');
      return connectRefusal(context, event.packet) === null;
    },
    hasKeepAlive: ({ context }) => context.keepAliveMs > 0,
    firstIsConnect: ({ event }) => event.type === 'packets' && event.packets[0]?.cmd === 'connect',
    keepAliveExpired: ({ context }) => keepAliveRemaining(context) <= 0,
  },
  delays: {
    CONNECT_TIMEOUT: ({ context }) => context.limits.connectTimeoutMs,
    KEEP_ALIVE: ({ context }) => Math.max(0, keepAliveRemaining(context)),
  },
}).createMachine({
  id: 'connection',
  context: ({ input }) => initialContext(input),
  initial: 'awaitingConnect',
  states: {
    awaitingConnect: {
      after: { CONNECT_TIMEOUT: { target: 'closed', actions: 'connectTimeout' } },
      on: {
        packets: [
          { guard: 'firstIsConnect', actions: 'splitConnect' },
          { target: 'closed', actions: 'notConnectFirst' },
        ],
        connect: [
          { guard: 'connectAcceptable', target: 'connecting', actions: 'connect' },
          { target: 'closed', actions: 'refuseConnect' },
        ],
        'protocol.error': { target: 'closed', actions: 'earlyProtocolError' },
        'socket.closed': { target: 'closed', actions: 'socketClosed' },
        'server.disconnect': { target: 'closed', actions: 'socketClosed' },
      },
    },
    connecting: {
      on: {
        'session.granted': [
          { guard: 'hasKeepAlive', target: 'connected.alive', actions: 'granted' },
          { target: 'connected.unlimited', actions: 'granted' },
        ],
        'session.refused': { target: 'closed', actions: 'refused' },
        'session.takenOver': { target: 'closed', actions: 'takenOver' },
        'server.disconnect': { target: 'closed', actions: 'serverDisconnect' },
        'socket.closed': { target: 'closed', actions: 'socketClosed' },
        // after CONNACK, in order: a DISCONNECT only follows a CONNACK [MQTT-3.14.0-1]
        'protocol.error': { actions: 'defer' },
        connect: { actions: 'defer' },
        packets: { actions: 'defer' },
        disconnect: { actions: 'defer' },
        unexpected: { actions: 'defer' },
      },
    },
    connected: {
      initial: 'unlimited',
      states: {
        alive: {
          after: {
            KEEP_ALIVE: [
              { guard: 'keepAliveExpired', target: '#connection.closed', actions: 'keepAliveTimeout' },
              { target: 'alive', reenter: true },
            ],
          },
        },
        unlimited: {},
      },
      on: {
        packets: { actions: 'packets' },
        deliver: { actions: 'deliver' },
        'publish.committed': { actions: 'publishCommitted' },
        'publish.failed': { actions: 'publishFailed' },
        'subscribe.done': { actions: 'subscribeDone' },
        'unsubscribe.done': { actions: 'unsubscribeDone' },
        disconnect: { target: 'closed', actions: 'clientDisconnect' },
        connect: { target: 'closed', actions: 'protocolError' },
        unexpected: { target: 'closed', actions: 'protocolError' },
        'protocol.error': { target: 'closed', actions: 'protocolError' },
        'server.disconnect': { target: 'closed', actions: 'serverDisconnect' },
        'session.takenOver': { target: 'closed', actions: 'takenOver' },
        'socket.closed': { target: 'closed', actions: 'socketClosed' },
      },
    },
    closed: {
      type: 'final',
      entry: 'finish',
    },
  },
});

export type ConnectionMachine = typeof connectionMachine;
