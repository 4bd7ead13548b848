/**
 * One actor transition as the live stream shows it, and the event that caused it summarised: packet
 * types, ids and topics, never payloads or passwords. Built only while a viewer is connected.
 */
import type { AnyEventObject } from 'xstate';

export type ActorKind = 'connection' | 'coordinator';

export interface InspectionEventData {
  /** Per broker, increasing: a viewer sees gaps when events were dropped for it. */
  seq: number;
  at: number;
  brokerId: string;
  actor: ActorKind;
  /** connId for a connection, the broker id for the coordinator. */
  id: string;
  clientId: string | null;
  /** The event the actor took (`packets`, `session.granted`, `link`, ...). */
  event: string;
  detail?: Record<string, unknown>;
  from: string | null;
  to: string;
  /** False when the actor handled the event in place (its state value stayed the same). */
  changed: boolean;
}

/** An event with its JSON made once, however many viewers send it. */
export class InspectionEvent {
  private text: string | null = null;
  constructor(readonly data: InspectionEventData) {}

  get json(): string {
    this.text ??= JSON.stringify(this.data);
    return this.text;
  }
}

const MAX_LISTED = 16;

interface PacketLike {
  cmd: string;
  topic?: string | null;
  qos?: number;
  messageId?: number;
  reasonCode?: number;
  subscriptions?: { topic: string; qos: number }[];
  unsubscriptions?: string[];
}

function packetSummary(p: PacketLike): Record<string, unknown> {
  const s: Record<string, unknown> = { cmd: p.cmd };
  if (typeof p.topic === 'string') s.topic = p.topic;
  if (p.qos !== undefined && p.cmd === 'publish') s.qos = p.qos;
  if (p.messageId !== undefined) s.messageId = p.messageId;
  if (p.reasonCode !== undefined) s.reasonCode = p.reasonCode;
  if (p.subscriptions !== undefined) s.filters = p.subscriptions.slice(0, MAX_LISTED).map((x) => x.topic);
  if (p.unsubscriptions !== undefined) s.filters = p.unsubscriptions.slice(0, MAX_LISTED);
  return s;
}

function connectSummary(p: Record<string, unknown>): Record<string, unknown> {
  const will = p.will as { topic?: string } | undefined;
  return {
    clientId: p.clientId,
    protocolVersion: p.protocolVersion,
    clean: p.clean,
    keepalive: p.keepalive,
    ...(p.username !== undefined ? { username: p.username } : {}),
    ...(will?.topic !== undefined ? { willTopic: will.topic } : {}),
  };
}

/** What an event carried, short and safe to show. */
export function summariseEvent(event: AnyEventObject): Record<string, unknown> | undefined {
  const e = event as Record<string, unknown>;
  switch (event.type) {
    case 'packets': {
      const packets = e.packets as PacketLike[];
      return { count: packets.length, packets: packets.slice(0, MAX_LISTED).map(packetSummary) };
    }
    case 'connect':
      return connectSummary(e.packet as Record<string, unknown>);
    case 'disconnect':
    case 'unexpected':
      return packetSummary(e.packet as PacketLike);
    case 'deliver': {
      const messages = e.messages as { topic: string; qos: number }[];
      return { count: messages.length, topics: messages.slice(0, MAX_LISTED).map((m) => m.topic) };
    }
    case 'publish.committed': {
      const acks = e.acks as { packetId: number }[];
      return { count: acks.length, packetIds: acks.slice(0, MAX_LISTED).map((a) => a.packetId) };
    }
    case 'session.granted': {
      const g = e.grant as {
        sessionPresent: boolean;
        clientId: string;
        queued: unknown[];
        awaitingRelease: unknown[];
      };
      return {
        sessionPresent: g.sessionPresent,
        clientId: g.clientId,
        queued: g.queued.length,
        awaitingRelease: g.awaitingRelease.length,
      };
    }
    case 'protocol.error': {
      const err = e.error as { kind?: string; message?: string };
      return { kind: err.kind, message: err.message };
    }
    case 'members': {
      const members = e.members as { brokerId: string }[];
      return { count: members.length, brokers: members.slice(0, MAX_LISTED).map((m) => m.brokerId) };
    }
    default: {
      // small scalar fields only (packetId, kind, reason, state, isLeader, leaderId, codes)
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(e)) {
        if (key === 'type') continue;
        if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) out[key] = v;
        else if (Array.isArray(v) && v.length <= MAX_LISTED && v.every((x) => typeof x === 'number'))
          out[key] = v;
      }
      return Object.keys(out).length > 0 ? out : undefined;
    }
  }
}
