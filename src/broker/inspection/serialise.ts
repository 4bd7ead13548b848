/**
 * Turns an actor's snapshot (context with Maps, Sets, Buffers, class instances and functions) into
 * plain JSON for the debug endpoint. Never shows a password; shows payloads only as their size,
 * unless the caller asks for a preview (the first 64 bytes). Bounded: long lists are cut and said so.
 */
import { Outbound } from '../../actors/connection/outbound.js';
import type { Delivery } from '../../actors/connection/types.js';

export interface SerialiseOptions {
  /** Show the first PREVIEW_BYTES of payloads (utf8 and hex). */
  payloadPreview: boolean;
  /** Longest list shown; the rest is counted. */
  maxItems: number;
}

export const PREVIEW_BYTES = 64;
const MAX_DEPTH = 10;
const REDACTED = new Set(['password', 'authenticationData']);

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A payload as the debug endpoint shows it. */
export function payloadView(bytes: Uint8Array, preview: boolean): Json {
  if (!preview) return { bytes: bytes.length };
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, PREVIEW_BYTES));
  return {
    bytes: bytes.length,
    preview: head.toString('utf8'),
    previewHex: head.toString('hex'),
    truncated: bytes.length > PREVIEW_BYTES,
  };
}

function deliveryView(
  d: Delivery,
  packetId: number | undefined,
  extra: Record<string, Json>,
  o: SerialiseOptions,
): Json {
  return {
    ...(packetId !== undefined && packetId !== 0 ? { packetId } : {}),
    topic: d.topic,
    qos: d.qos,
    retain: d.retain,
    ...(d.dup === true ? { dup: true } : {}),
    ...extra,
    payload: payloadView(d.payload, o.payloadPreview),
  };
}

/** Outbound's window and queue: ids and topics; payloads as sizes unless previewed. */
export function outboundView(outbound: Outbound, o: SerialiseOptions): Json {
  const inflight = [...outbound.inflight.values()];
  const pending = outbound.queued > 0 ? outbound.pending().slice(inflight.length) : [];
  return {
    inflightCount: inflight.length,
    queuedCount: outbound.queued,
    inflight: inflight
      .slice(0, o.maxItems)
      .map((e) => deliveryView(e.delivery, e.packetId, { phase: e.phase }, o)),
    queued: pending.slice(0, o.maxItems).map((d) => deliveryView(d, d.packetId, {}, o)),
    ...(inflight.length > o.maxItems || pending.length > o.maxItems ? { truncated: true } : {}),
  };
}

/** Any value as JSON: Maps become objects (or entry lists), functions and sockets disappear. */
export function toJson(
  value: unknown,
  o: SerialiseOptions,
  depth = 0,
  seen = new WeakSet<object>(),
): Json | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return null;
  const obj = value as object;
  if (obj instanceof Uint8Array) return payloadView(obj, o.payloadPreview);
  if (obj instanceof Outbound) return outboundView(obj, o);
  if (depth >= MAX_DEPTH || seen.has(obj)) return '[…]';
  if (isNodeHandle(obj)) return undefined;
  seen.add(obj);
  try {
    if (Array.isArray(obj)) return listOf(obj, o, depth, seen);
    if (obj instanceof Set) return listOf([...(obj as Set<unknown>)], o, depth, seen);
    if (obj instanceof Map) return mapOf(obj as Map<unknown, unknown>, o, depth, seen);
    if (obj instanceof Date) return obj.toISOString();
    if (obj instanceof Error) return { name: obj.name, message: obj.message };
    const out: Record<string, Json> = {};
    for (const [key, v] of Object.entries(obj)) {
      if (REDACTED.has(key)) {
        if (v !== undefined && v !== null) out[key] = '[redacted]';
        continue;
      }
      const j = toJson(v, o, depth + 1, seen);
      if (j !== undefined) out[key] = j;
    }
    return out;
  } finally {
    seen.delete(obj);
  }
}

function listOf(items: unknown[], o: SerialiseOptions, depth: number, seen: WeakSet<object>): Json {
  const out = items.slice(0, o.maxItems).map((v) => toJson(v, o, depth + 1, seen) ?? null);
  if (items.length > o.maxItems) out.push(`… ${items.length - o.maxItems} more`);
  return out;
}

function mapOf(map: Map<unknown, unknown>, o: SerialiseOptions, depth: number, seen: WeakSet<object>): Json {
  const entries = [...map].slice(0, o.maxItems);
  const plainKeys = entries.every(([k]) => typeof k === 'string' || typeof k === 'number');
  if (plainKeys) {
    const out: Record<string, Json> = {};
    for (const [k, v] of entries) out[String(k)] = toJson(v, o, depth + 1, seen) ?? null;
    if (map.size > o.maxItems) out['…'] = `${map.size - o.maxItems} more`;
    return out;
  }
  return listOf(entries, o, depth, seen);
}

/** Sockets, streams, timers, event emitters: never part of a debug view. */
function isNodeHandle(obj: object): boolean {
  const ctor = (obj as { constructor?: { name?: string } }).constructor?.name ?? '';
  return /Socket|Stream|Server|Timeout|Immediate|EventEmitter|Agent|Actor$/.test(ctor);
}
