/**
 * `mqttzoo pub`: publishes each line of standard input as one message. An empty line, the end of
 * input, SIGINT or SIGTERM ends the session cleanly: every QoS 1/2 message sent is acknowledged first,
 * then DISCONNECT, then exit 0.
 *
 * Nothing is lost on large piped input, and memory stays bounded: standard input is read only as fast
 * as the broker takes messages (at most MAX_INFLIGHT unacknowledged QoS 1/2 messages, or QoS 0 messages
 * waiting for the socket to drain).
 */
import { ErrorWithReasonCode } from 'mqtt';
import { mqttOptions, type ClientFlags } from './client-options.js';
import {
  ClientError,
  debugLog,
  EXIT_CONNECTION,
  EXIT_REFUSED,
  onStopSignal,
  parseOrUsage,
  runClientCommand,
} from './client-command.js';
import { ClientSession } from './client-session.js';
import { readLines } from './lines.js';
import { describeCode } from './reason-text.js';

/** Messages sent and not yet acknowledged (QoS 1/2) or not yet written out (QoS 0). */
const MAX_INFLIGHT = 64;

/** Publishes with a bounded window: `publish` waits while the window is full. */
class PublishWindow {
  private inflight = 0;
  sent = 0;
  private waiters: (() => void)[] = [];
  private readonly limit: number;

  constructor(
    private readonly session: ClientSession,
    private readonly flags: ClientFlags,
  ) {
    // MQTT 5.0: the broker says how many QoS 1/2 publishes it takes at once (Receive Maximum)
    this.limit = Math.min(MAX_INFLIGHT, session.connack.properties?.receiveMaximum ?? MAX_INFLIGHT);
  }

  async publish(payload: Buffer): Promise<void> {
    while (this.inflight >= this.limit) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.inflight++;
    this.sent++;
    const { topics, qos, retain, protocolVersion } = this.flags;
    this.session.client.publish(topics[0]!, payload, { qos, retain }, (err) => {
      this.inflight--;
      this.wake();
      if (err instanceof ErrorWithReasonCode) {
        const reason = describeCode(err.code, protocolVersion, 'ack');
        this.session.failWith(new ClientError(`publish refused: ${reason}`, EXIT_REFUSED, { cause: err }));
      }
      // Any other error here means the connection went away: the session reports that, with its cause.
    });
  }

  /** Resolves when every message sent is acknowledged (QoS 1/2) or written (QoS 0). */
  async drained(): Promise<void> {
    while (this.inflight > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

async function publishLines(window: PublishWindow, isStopped: () => boolean): Promise<void> {
  try {
    for await (const line of readLines(process.stdin)) {
      if (line.length === 0 || isStopped()) return; // an empty line ends the session
      await window.publish(line);
    }
  } catch (err) {
    if (isStopped()) return; // standard input was closed by SIGINT/SIGTERM
    const message = err instanceof Error ? err.message : String(err);
    throw new ClientError(`cannot read standard input: ${message}`, EXIT_CONNECTION, { cause: err });
  }
}

export async function pubCommand(args: string[]): Promise<number> {
  const flags = parseOrUsage('pub', args);
  if (typeof flags === 'number') return flags;
  return runClientCommand('pub', async () => {
    const note = debugLog(flags);
    const session = await ClientSession.open(mqttOptions(flags));
    note(`connected to ${session.target}`);
    const window = new PublishWindow(session, flags);
    let stopped = false;
    const removeSignals = onStopSignal(() => {
      stopped = true;
      process.stdin.destroy(); // unblocks a read waiting on a terminal
    });
    try {
      await Promise.race([publishLines(window, () => stopped), session.failed]);
      await Promise.race([window.drained(), session.failed]);
      note(`${window.sent} messages sent${flags.qos > 0 ? ' and acknowledged' : ''}; disconnecting`);
    } finally {
      removeSignals();
      process.stdin.destroy();
      await session.close();
    }
  });
}
