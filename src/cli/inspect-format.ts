/**
 * How `mqttzoo inspect` prints the debug endpoint's JSON in a terminal: the coordinator's summary,
 * a table of connection actors, one actor's detail, one live event per line. Pure: strings in, out.
 */

export interface ActorRow {
  clientId: string | null;
  connId: string;
  state: string;
  remoteAddress: string;
  session: { kind: string; expiry?: number } | null;
  keepAlive: number;
  sinceLastPacketMs: number;
  keepAliveExpiresInMs: number | null;
  inflight: number;
  awaitingPubcomp: number;
  queued: number;
  awaitingPubrel: number;
  subscriptions: string[];
}

export interface ActorList {
  brokerId: string;
  total: number;
  offset: number;
  states: Record<string, number>;
  actors: ActorRow[];
}

export interface CoordinatorSummary {
  brokerId: string;
  role: string;
  state: string | null;
  leaderId: string | null;
  link: string;
  applied: number;
  lag: number;
  log: { head: number; entries: number; bytes: number; pendingEvents: number };
  members: { brokerId: string; http: string; applied: number; lag: number; leader: boolean; self: boolean }[];
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export function duration(ms: number | null): string {
  if (ms === null) return '-';
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}

export function clock(at: number): string {
  return new Date(at).toISOString().slice(11, 23);
}

function sessionText(s: ActorRow['session']): string {
  if (s === null) return '-';
  return s.kind === 'persistent' ? `persistent ${s.expiry ?? 0}s` : 'clean';
}

export function formatCoordinator(c: CoordinatorSummary): string {
  const lines = [
    `broker ${c.brokerId}: ${c.role} (${c.state ?? '?'}), leader ${c.leaderId ?? 'none'}, link ${c.link}`,
    `log: applied ${c.applied} / head ${c.log.head}, lag ${c.lag}, ${c.log.entries} entries, ${c.log.bytes} bytes, ${c.log.pendingEvents} pending`,
    `members: ${c.members.map((m) => `${m.brokerId}${m.leader ? '*' : ''} (${m.http}, lag ${m.lag})`).join(', ')}`,
  ];
  return lines.join('\n') + '\n';
}

export function formatActors(list: ActorList): string {
  const counts = Object.entries(list.states)
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
  const rows = list.actors.map((a) => [
    a.clientId ?? '(no CONNECT)',
    a.state,
    sessionText(a.session),
    a.keepAlive > 0 ? `${a.keepAlive}s (${duration(a.keepAliveExpiresInMs)} left)` : 'none',
    duration(a.sinceLastPacketMs),
    a.awaitingPubcomp > 0 ? `${a.inflight} (${a.awaitingPubcomp} PUBCOMP due)` : String(a.inflight),
    String(a.queued),
    String(a.awaitingPubrel),
    a.subscriptions.join(','),
  ]);
  const header = [
    'CLIENT ID',
    'STATE',
    'SESSION',
    'KEEP-ALIVE',
    'LAST PACKET',
    'INFLIGHT',
    'QUEUED',
    'PUBREL DUE',
    'SUBSCRIPTIONS',
  ];
  const shown =
    list.actors.length < list.total
      ? ` (showing ${list.offset + 1}-${list.offset + list.actors.length})`
      : '';
  return `${list.total} connection actors${shown}: ${counts || 'none'}\n` + table(header, rows);
}

interface HistoryRecord {
  at: number;
  from: string | null;
  to: string;
  via: string[];
  reason?: { kind?: string; error?: string; message?: string };
}

interface Detail extends Partial<ActorRow> {
  live: boolean;
  connId: string;
  closedAt?: number;
  closeReason?: unknown;
  history: HistoryRecord[];
  snapshot?: {
    context?: {
      outbound?: { inflight?: { packetId?: number; topic: string; qos: number; phase?: string }[] };
    };
  };
}

export function formatDetail(d: Detail): string {
  const out: string[] = [];
  out.push(
    `${d.clientId ?? '(no client id)'}  ${d.connId}  ${d.live ? (d.state ?? '') : `closed at ${clock(d.closedAt ?? 0)}`}`,
  );
  if (d.live) {
    out.push(
      `  remote ${d.remoteAddress ?? '?'}, session ${sessionText(d.session ?? null)}, keep-alive ${d.keepAlive ?? 0}s`,
    );
    out.push(
      `  last packet ${duration(d.sinceLastPacketMs ?? null)} ago, keep-alive expires in ${duration(d.keepAliveExpiresInMs ?? null)}`,
    );
    out.push(
      `  inflight ${d.inflight ?? 0} (PUBCOMP due ${d.awaitingPubcomp ?? 0}), queued ${d.queued ?? 0}, PUBREL due ${d.awaitingPubrel ?? 0}`,
    );
    const subs = (d.subscriptions ?? []) as unknown as ({ filter: string; qos?: number } | string)[];
    out.push(
      `  subscriptions: ${subs.map((s) => (typeof s === 'string' ? s : `${s.filter}${s.qos !== undefined ? ` (QoS ${s.qos})` : ''}`)).join(', ') || 'none'}`,
    );
    for (const e of d.snapshot?.context?.outbound?.inflight ?? []) {
      out.push(
        `  inflight #${e.packetId ?? '-'} ${e.topic} QoS ${e.qos}${e.phase === 'release' ? ' (PUBREL sent, PUBCOMP due)' : ''}`,
      );
    }
  } else {
    out.push(`  close reason: ${JSON.stringify(d.closeReason)}`);
  }
  out.push('', 'history:');
  out.push(
    table(
      ['TIME', 'FROM', 'TO', 'VIA'],
      d.history.map((h) => [
        clock(h.at),
        h.from ?? '-',
        h.to,
        h.via.join('|') + (h.reason?.kind !== undefined ? ` (${h.reason.error ?? h.reason.kind})` : ''),
      ]),
    ).trimEnd(),
  );
  return out.join('\n') + '\n';
}

export interface StreamEvent {
  at: number;
  actor: string;
  id: string;
  clientId: string | null;
  event: string;
  from: string | null;
  to: string;
  changed: boolean;
  detail?: Record<string, unknown>;
}

export function formatEvent(e: StreamEvent): string {
  const who = e.actor === 'coordinator' ? `coordinator ${e.id}` : (e.clientId ?? e.id);
  const move = e.changed ? `${e.from ?? '-'} -> ${e.to}` : `(${e.to})`;
  const detail = e.detail !== undefined ? ` ${JSON.stringify(e.detail)}` : '';
  return `${clock(e.at)} ${who} ${e.event} ${move}${detail}\n`;
}
