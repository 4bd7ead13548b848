/**
 * Detects a hung server. A ZooKeeper server that stops (a long GC, SIGSTOP, a dead disk) keeps its
 * TCP connections open: the client sees no error, its requests just never complete, and the
 * servers expire the session meanwhile. node-zookeeper-client has no read timeout, so we probe:
 * a cheap read on a timer; if it does not answer in time, the connection is dropped so that the
 * library reconnects to another server (same session if it still lives; if the link then stays
 * down for a session timeout, the client is replaced: see client.ts).
 */
import type { LinkState } from '../coordination.js';

/** What the watchdog needs from the client (the narrowest interface). */
export interface Probed {
  readonly state: LinkState;
  /** A cheap read on the current connection. */
  probe(): Promise<unknown>;
  dropConnection(): void;
}

export class Watchdog {
  private timer: NodeJS.Timeout | undefined;
  private probing = false;
  /** Connections dropped because a probe stalled (for stats and tests). */
  stalls = 0;

  constructor(
    private readonly target: Probed,
    private readonly options: { intervalMs: number; timeoutMs: number },
    private readonly onStall: () => void = () => undefined,
  ) {}

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    if (this.probing || this.target.state !== 'connected') return;
    this.probing = true;
    let answered = false;
    const deadline = setTimeout(() => {
      if (answered || this.target.state !== 'connected') return;
      this.stalls++;
      this.onStall();
      this.target.dropConnection();
    }, this.options.timeoutMs);
    // Any answer counts, errors included: a server that says "connection loss" is not hung.
    const settle = (): void => {
      answered = true;
      this.probing = false;
      clearTimeout(deadline);
    };
    this.target.probe().then(settle, settle);
  }
}
