/**
 * One viewer of the live stream (`GET /debug/events`, Server-Sent Events). The broker hands it
 * events synchronously from its actors' inspection hook, so it only filters and queues; writing
 * happens on the next turn of the event loop, in one write. Bounded: a viewer whose socket does not
 * keep up loses events (counted, and announced with an `event: dropped` once it catches up), never
 * the broker's memory, and never blocks the broker.
 */
import type http from 'node:http';
import type { InspectionEvent } from '../../broker/inspection/events.js';

export interface EventFilter {
  /** Client id prefix; events without a client id (before CONNECT, the coordinator) do not match. */
  clientId: string | null;
  /** Event types (`packets`, `session.granted`, `link`, ...); empty: every type. */
  types: ReadonlySet<string>;
  actor: 'connection' | 'coordinator' | null;
  /** Only events that changed the actor's state value. */
  changesOnly: boolean;
}

export function parseFilter(url: URL): EventFilter {
  const types = (url.searchParams.get('type') ?? '').split(',').filter((t) => t !== '');
  const actor = url.searchParams.get('actor');
  const changes = url.searchParams.get('changes');
  return {
    clientId: url.searchParams.get('clientId') || null,
    types: new Set(types),
    actor: actor === 'connection' || actor === 'coordinator' ? actor : null,
    changesOnly: changes === '1' || changes === 'true',
  };
}

export function matches(f: EventFilter, e: InspectionEvent): boolean {
  const d = e.data;
  if (f.changesOnly && !d.changed) return false;
  if (f.actor !== null && d.actor !== f.actor) return false;
  if (f.types.size > 0 && !f.types.has(d.event)) return false;
  if (f.clientId !== null && (d.clientId === null || !d.clientId.startsWith(f.clientId))) return false;
  return true;
}

export interface ViewerLimits {
  /** Events queued for a viewer whose socket is busy; beyond it new events are dropped. */
  maxQueued: number;
  /** A comment line this often keeps proxies from closing an idle stream. */
  heartbeatMs: number;
}

export const defaultViewerLimits: ViewerLimits = { maxQueued: 1000, heartbeatMs: 15_000 };

export class SseViewer {
  private queue: string[] = [];
  private blocked = false;
  private scheduled = false;
  private closed = false;
  /** Dropped since the last announcement, and in all. */
  private droppedSinceNotice = 0;
  dropped = 0;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly res: http.ServerResponse,
    private readonly filter: EventFilter,
    private readonly limits: ViewerLimits,
    private readonly onDrop: (n: number) => void,
  ) {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.on('drain', () => {
      this.blocked = false;
      this.flush();
    });
    this.heartbeat = setInterval(() => {
      if (!this.blocked) this.write(': keep-alive\n\n');
    }, limits.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Sends a named event right away (the greeting); not counted against the queue. */
  hello(data: unknown): void {
    this.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Called from the broker's inspection hook: filter, queue, schedule a write. Never blocks. */
  push(e: InspectionEvent): void {
    if (this.closed || !matches(this.filter, e)) return;
    if (this.queue.length >= this.limits.maxQueued) {
      this.dropped++;
      this.droppedSinceNotice++;
      this.onDrop(1);
      return;
    }
    this.queue.push(`id: ${e.data.seq}\nevent: transition\ndata: ${e.json}\n\n`);
    if (!this.blocked && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  close(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
    this.queue = [];
  }

  private flush(): void {
    if (this.closed || this.blocked) return;
    let chunk = '';
    if (this.droppedSinceNotice > 0) {
      const notice = { dropped: this.droppedSinceNotice, total: this.dropped };
      chunk += `: ${this.droppedSinceNotice} events dropped (slow viewer)\nevent: dropped\ndata: ${JSON.stringify(notice)}\n\n`;
      this.droppedSinceNotice = 0;
    }
    if (this.queue.length > 0) {
      chunk += this.queue.join('');
      this.queue = [];
    }
    if (chunk !== '') this.write(chunk);
  }

  private write(text: string): void {
    if (this.closed) return;
    if (!this.res.write(text)) this.blocked = true;
  }
}
