/**
 * The quota (the original MQTTZoo's "bank"): a bound on what ZooKeeper holds for the cluster, so
 * that neither producers nor offline sessions can exhaust its memory. ZooKeeper keeps the log until
 * it is trimmed and the last snapshots of the derived state, so the bound is on both:
 * - the log: encoded bytes and entries not yet trimmed;
 * - the state: payload bytes of retained messages and of messages queued for persistent sessions.
 *
 * At the bound, new publishes are refused (MQTT 5.0: reason 0x97 Quota exceeded; 3.1.1: the ack is
 * withheld and the connection closed) and said in the log and the metrics; session and
 * acknowledgement events still pass, because they are what frees room. Nothing acknowledged is
 * dropped to make room. The usage is sampled every `sampleMs`, so the bound can be passed by what
 * arrives in one sample period: it is a soft bound by design (docs/QUOTA.md).
 */
import type { Coordination } from '../coordination/coordination.js';
import type { ClusterState } from './state/cluster-state.js';

export interface QuotaSettings {
  /** Encoded bytes the log may hold (0: no bound). */
  maxLogBytes: number;
  /** Entries the log may hold (0: no bound). */
  maxLogEntries: number;
  /** Payload bytes of retained and queued messages (0: no bound). */
  maxStateBytes: number;
}

export interface QuotaUsage {
  logBytes: number;
  logEntries: number;
  stateBytes: number;
  limits: QuotaSettings;
  exceeded: boolean;
  /** Which bound is reached, for the log line and the metrics. */
  reason: string | null;
  /** Publishes refused since start. */
  refused: number;
}

export class Quota {
  private usage: QuotaUsage;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly settings: QuotaSettings,
    private readonly coordination: Coordination,
    private readonly state: ClusterState,
    private readonly onChange: (usage: QuotaUsage) => void = () => undefined,
  ) {
    this.usage = {
      logBytes: 0,
      logEntries: 0,
      stateBytes: 0,
      limits: settings,
      exceeded: false,
      reason: null,
      refused: 0,
    };
  }

  start(sampleMs = 100): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), sampleMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** True while a new publish must be refused. Called per publish: reads a flag. */
  get exceeded(): boolean {
    return this.usage.exceeded;
  }

  refuse(): void {
    this.usage.refused++;
  }

  current(): QuotaUsage {
    return { ...this.usage };
  }

  /** Recomputes the usage (also called by tests). */
  sample(): void {
    const log = this.coordination.stats();
    const stateBytes = this.state.payloadBytes();
    const s = this.settings;
    const reason =
      s.maxLogBytes > 0 && log.bytes >= s.maxLogBytes
        ? `log holds ${log.bytes} bytes (quota ${s.maxLogBytes})`
        : s.maxLogEntries > 0 && log.entries >= s.maxLogEntries
          ? `log holds ${log.entries} entries (quota ${s.maxLogEntries})`
          : s.maxStateBytes > 0 && stateBytes >= s.maxStateBytes
            ? `retained and queued messages hold ${stateBytes} bytes (quota ${s.maxStateBytes})`
            : null;
    const was = this.usage.exceeded;
    this.usage = {
      ...this.usage,
      logBytes: log.bytes,
      logEntries: log.entries,
      stateBytes,
      exceeded: reason !== null,
      reason,
    };
    if (was !== this.usage.exceeded) this.onChange(this.current());
  }
}
