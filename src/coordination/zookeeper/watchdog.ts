/**
 * Detects a hung server. A ZooKeeper server that stops (a long GC, SIGSTOP, a dead disk) keeps its
 * TCP connections open: the client sees no error, its requests just never complete, and the
 * servers expire the session meanwhile. node-zookeeper-client has no read timeout, so we probe: a
 * cheap read on a timer. A slow server is not a hung one (our probe waits behind this session's
 * own writes), so the connection is dropped only when, while the probe is unanswered, nothing at
 * all came from the server for `timeoutMs`. The library then connects to another server (same
 * session if it still lives; if the link stays down for a session timeout, the client is
 * replaced: see client.ts).
 */
import type { LinkState } from '../coordination.js';

/** What the watchdog needs from the client (the narrowest interface). */
export interface Probed {
  readonly state: LinkState;
  /** A cheap read on the current connection. */
  probe(): Promise<unknown>;
  /** When bytes last came from the server (Date.now() clock). */
  lastDataAt(): number;
  dropConnection(): void;
}

export class Watchdog {
  private timer: NodeJS.Timeout | undefined;
  private probing = false;
  /** Connections dropped because the server went silent (for stats and tests). */
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
    let deadline: NodeJS.Timeout | undefined;
    const check = (since: number): void => {
      deadline = setTimeout(() => {
        if (answered || this.target.state !== 'connected') return;
        const last = this.target.lastDataAt();
        if (last > since) return check(last); // replies still flow: slow, not hung
        this.stalls++;
        this.onStall();
        this.target.dropConnection();
      }, this.options.timeoutMs);
    };
    check(Date.now());
    // Any answer counts, errors included: a server that says "connection loss" is not hung.
    const settle = (): void => {
      answered = true;
      this.probing = false;
      clearTimeout(deadline);
    };
    this.target.probe().then(settle, settle);
  }
}
