/**
 * Flow control on one broker: output that cannot keep up slows input down.
 *
 * When a client cannot take its messages as fast as they come (its socket buffer or its queue is
 * past the high-water mark), the broker stops reading from its clients until that client drains,
 * instead of dropping messages for it or buffering without bound. This is what keeps a broker that
 * is itself the bottleneck (CPU-bound) lossless: its publishers wait, as TCP makes them.
 *
 * One client must not hold everyone back forever, though: a client still congested after
 * `slowConsumerMs` is a slow consumer. Intake resumes without it, and it alone loses what exceeds
 * its bounds (QoS 0 beyond its socket buffer, QoS 1/2 beyond its queue), counted and logged, until
 * it drains. Publishers on other brokers cannot be slowed from here: while intake is paused, this
 * broker holds the log entries it follows instead of applying them (broker.ts), and its follower lags.
 */
import { Listeners } from '../coordination/listeners.js';

export interface FlowSettings {
  /** Socket bytes waiting for a client beyond which it is congested. */
  outputHighWater: number;
  /** Queued messages for a client beyond which it is congested. */
  queueHighWater: number;
  /** How long a client may hold intake back before it counts as a slow consumer. */
  slowConsumerMs: number;
}

export const defaultFlowSettings: FlowSettings = {
  outputHighWater: 1024 * 1024,
  queueHighWater: 500,
  slowConsumerMs: 2000,
};

/** What flow control needs of a connection. */
export interface FlowClient {
  readonly connId: string;
  /** Socket bytes waiting. */
  readonly bufferedBytes: number;
  /** Messages queued behind the window. */
  readonly queuedMessages: number;
}

export class FlowControl {
  /** Congested clients, and since when. */
  private readonly congested = new Map<FlowClient, number>();
  /** Clients that stayed congested too long: they no longer hold intake back. */
  private readonly slow = new Set<FlowClient>();
  private pausedFlag = false;
  /** Emits true when intake must pause, false when it may go on. */
  readonly changed = new Listeners<[paused: boolean]>();
  /**
   * Emits each client that becomes congested, after `changed`: its socket must be read even if
   * intake was already paused (for another client) when it got there, or its acks, which are what
   * drain it, would wait until it counts as a slow consumer.
   */
  readonly congestedClient = new Listeners<[client: FlowClient]>();
  slowConsumers = 0;

  constructor(
    private readonly settings: FlowSettings,
    private readonly now: () => number,
    private readonly onSlow: (client: FlowClient) => void = () => undefined,
  ) {}

  get paused(): boolean {
    return this.pausedFlag;
  }

  /** True while `client` is a slow consumer (it loses what exceeds its bounds). */
  isSlow(client: FlowClient): boolean {
    return this.slow.has(client);
  }

  /** True for a congested or slow client: its own socket keeps being read (its acks free it). */
  isCongested(client: FlowClient): boolean {
    return this.congested.has(client) || this.slow.has(client);
  }

  /** Socket bytes beyond which a slow consumer loses QoS 0 messages. */
  get slowBufferBytes(): number {
    return this.settings.outputHighWater;
  }

  /** After messages were written or queued for `client`. Cheap: two comparisons when all is well. */
  check(client: FlowClient): void {
    const over =
      client.bufferedBytes > this.settings.outputHighWater ||
      client.queuedMessages > this.settings.queueHighWater;
    if (over) {
      if (!this.congested.has(client) && !this.slow.has(client)) {
        this.congested.set(client, this.now());
        this.update();
        this.congestedClient.emit(client);
      }
    } else if (this.congested.has(client) || this.slow.has(client)) {
      this.forget(client);
    }
  }

  /** The client's socket drained, or it closed. */
  forget(client: FlowClient): void {
    const was = this.congested.delete(client);
    this.slow.delete(client);
    if (was) this.update();
  }

  /** Promotes clients congested for too long to slow consumers (called on a timer). */
  tick(): void {
    const limit = this.now() - this.settings.slowConsumerMs;
    let changed = false;
    for (const [client, since] of this.congested) {
      if (since > limit) continue;
      this.congested.delete(client);
      this.slow.add(client);
      this.slowConsumers++;
      this.onSlow(client);
      changed = true;
    }
    if (changed) this.update();
  }

  private update(): void {
    const paused = this.congested.size > 0;
    if (paused === this.pausedFlag) return;
    this.pausedFlag = paused;
    this.changed.emit(paused);
  }
}
