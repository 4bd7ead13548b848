/**
 * `mqttzoo sub`: subscribes and prints each message on its own line (with -v: the topic, a space, the
 * payload) until SIGINT or SIGTERM, or until -C messages, then sends DISCONNECT and exits 0.
 *
 * Each message is one write to standard output; Node writes pipes and files synchronously, so a
 * reader sees every line as soon as it arrived. A reader that goes away (EPIPE, `| head -1`) ends the
 * session cleanly too.
 */
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
import { describeCode } from './reason-text.js';

const NEWLINE = Buffer.from('\n');

/** Subscribes to every -t filter; rejects with a ClientError if the broker refuses any of them. */
async function subscribe(
  session: ClientSession,
  flags: ClientFlags,
  note: (line: string) => void,
): Promise<void> {
  const { topics, qos, protocolVersion } = flags;
  const codes = await new Promise<number[]>((resolve, reject) => {
    session.client.subscribe(topics, { qos }, (err, _subs, suback) => {
      // The SUBACK's return codes, one per filter, whether MQTT.js calls them an error (>= 0x80) or not
      if (suback !== undefined) resolve(suback.granted.map((g) => (typeof g === 'number' ? g : 0x80)));
      else if (err !== null) reject(err);
      else resolve([]);
    });
  });
  for (const [i, code] of codes.entries()) {
    const filter = JSON.stringify(topics[i] ?? topics.join(' '));
    if (code >= 0x80) {
      const reason = describeCode(code, protocolVersion, 'suback');
      throw new ClientError(`subscription to ${filter} refused: ${reason}`, EXIT_REFUSED);
    }
    note(`subscribed to ${filter} (QoS ${code})`);
  }
}

function format(flags: ClientFlags, topic: string, payload: Buffer): Buffer {
  return flags.verbose
    ? Buffer.concat([Buffer.from(`${topic} `), payload, NEWLINE])
    : Buffer.concat([payload, NEWLINE]);
}

export async function subCommand(args: string[]): Promise<number> {
  const flags = parseOrUsage('sub', args);
  if (typeof flags === 'number') return flags;
  return runClientCommand('sub', async () => {
    const note = debugLog(flags);
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    let done = false;
    const end = (): void => {
      done = true;
      // After this turn: MQTT.js acknowledges a QoS 1 message right after handing it to us
      setImmediate(finish);
    };
    let received = 0;
    const onMessage = (topic: string, payload: Buffer): void => {
      if (done) return;
      process.stdout.write(format(flags, topic, payload));
      received++;
      if (flags.count !== undefined && received >= flags.count) end();
    };
    const session = await ClientSession.open(mqttOptions(flags), (client) => client.on('message', onMessage));
    note(`connected to ${session.target} (session present: ${session.connack.sessionPresent})`);
    const removeSignals = onStopSignal(end);
    const onOutputError = (err: NodeJS.ErrnoException): void => {
      if (err.code === 'EPIPE') end();
      else
        session.failWith(
          new ClientError(`cannot write output: ${err.message}`, EXIT_CONNECTION, { cause: err }),
        );
    };
    process.stdout.on('error', onOutputError);
    try {
      await Promise.race([subscribe(session, flags, note), session.failed]);
      await Promise.race([finished, session.failed]);
      note(`${received} messages received; disconnecting`);
    } finally {
      removeSignals();
      process.stdout.off('error', onOutputError);
      await session.close();
    }
  });
}
