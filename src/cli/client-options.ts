/**
 * The flags `mqttzoo pub` and `mqttzoo sub` share (the original MQTTZoo clients' and mosquitto's
 * letters: -t -h -p -q -i -u -P -V -k), their environment defaults, their checks, the usage text, and
 * the MQTT.js options they turn into. Pure apart from the random default client id.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { IClientOptions } from 'mqtt';
import { topicFilterProblem, topicNameProblem } from '../protocol/topic.js';

export type ClientCommand = 'pub' | 'sub';

export interface ClientFlags {
  command: ClientCommand;
  /** One topic name for pub; one or more topic filters for sub. */
  topics: string[];
  host: string;
  port: number;
  qos: 0 | 1 | 2;
  clientId: string;
  username: string | undefined;
  password: string | undefined;
  protocolVersion: 4 | 5;
  keepalive: number;
  retain: boolean;
  clean: boolean;
  verbose: boolean;
  count: number | undefined;
  /** Print connection events on stderr (-d). */
  debug: boolean;
  /** Seconds to wait for the TCP connection and the CONNACK before giving up. */
  connectTimeout: number;
}

/** A bad command line: the command prints it with the usage text and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const OPTIONS = {
  topic: { type: 'string', short: 't', multiple: true },
  host: { type: 'string', short: 'h' },
  port: { type: 'string', short: 'p' },
  qos: { type: 'string', short: 'q' },
  id: { type: 'string', short: 'i' },
  username: { type: 'string', short: 'u' },
  password: { type: 'string', short: 'P' },
  'protocol-version': { type: 'string', short: 'V' },
  keepalive: { type: 'string', short: 'k' },
  retain: { type: 'boolean', short: 'r' },
  'no-clean': { type: 'boolean', short: 'c' },
  verbose: { type: 'boolean', short: 'v' },
  count: { type: 'string', short: 'C' },
  'connect-timeout': { type: 'string' },
  debug: { type: 'boolean', short: 'd' },
  help: { type: 'boolean' },
} as const;

/** Flags that only one of the two commands takes. */
const ONLY: Record<string, ClientCommand> = {
  retain: 'pub',
  'no-clean': 'sub',
  verbose: 'sub',
  count: 'sub',
};

export function usage(command: ClientCommand): string {
  const pub = command === 'pub';
  const rows: [string, string][] = [
    [
      '-t, --topic TOPIC',
      `${pub ? 'topic to publish to' : 'topic filter (+ and # allowed); repeat for more'}, default Testing`,
    ],
    ['-h, --host HOST', 'broker host, default $MQTTZOO_HOST or localhost'],
    ['-p, --port PORT', 'broker port, default $MQTTZOO_PORT or 1883'],
    ['-q, --qos 0|1|2', `${pub ? 'QoS of each message' : 'QoS of the subscription'}, default 0`],
    ['-i, --id CLIENT_ID', `client id, default mqttzoo-${command}- and 8 random hex digits`],
    ['-u, --username USER', 'user name, default $MQTTZOO_USERNAME'],
    ['-P, --password PASSWORD', 'password (needs -u), default $MQTTZOO_PASSWORD'],
    ['-V, --protocol-version V', 'MQTT 3.1.1 or 5, default 3.1.1'],
    ['-k, --keepalive SECONDS', 'keep-alive interval, 0 for none, default 60'],
    ['    --connect-timeout SECONDS', 'give up when not connected by then, default 10'],
    ...((pub
      ? [['-r, --retain', 'publish retained messages']]
      : [
          ['-c, --no-clean', 'persistent session (needs -i): subscriptions and messages kept while away'],
          ['-v, --verbose', 'print the topic, a space, then the payload'],
          ['-C, --count N', 'exit after N messages'],
        ]) as [string, string][]),
    ['-d, --debug', 'print connection events on stderr'],
    ['    --help', 'print this text'],
  ];
  const what = pub
    ? 'Publishes each line of standard input as one message; an empty line or the end of input ends.'
    : 'Prints each message, one per line, until Ctrl-C (SIGINT), SIGTERM or -C messages.';
  return `usage: mqttzoo ${command} [options]${pub ? ' < lines' : ''}
${what}

${rows.map(([flag, text]) => `  ${flag.padEnd(30)} ${text}`).join('\n')}

exit status: 0 done, 1 connection failed or lost, 2 bad usage, 3 refused by the broker
`;
}

function integer(raw: string, what: string, min: number, max: number): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${what} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

function protocolVersion(raw: string): 4 | 5 {
  if (['3.1.1', '311', 'mqttv311', '4'].includes(raw.toLowerCase())) return 4;
  if (['5', '5.0', 'mqttv5'].includes(raw.toLowerCase())) return 5;
  throw new UsageError(`-V must be 3.1.1 or 5, got ${JSON.stringify(raw)}`);
}

/**
 * Parses `args` (after the command name). Returns null when --help was asked; throws UsageError.
 * Environment: MQTTZOO_HOST, MQTTZOO_PORT, MQTTZOO_USERNAME, MQTTZOO_PASSWORD (flags win).
 */
export function parseClientFlags(
  command: ClientCommand,
  args: string[],
  env: NodeJS.ProcessEnv,
): ClientFlags | null {
  let values;
  try {
    ({ values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help === true) return null;
  for (const [name, owner] of Object.entries(ONLY)) {
    if (owner !== command && name in values) throw new UsageError(`--${name} applies to ${owner} only`);
  }
  const topics = values.topic ?? ['Testing'];
  if (command === 'pub' && topics.length > 1)
    throw new UsageError('pub publishes to one topic: give -t once');
  for (const topic of topics) {
    const problem = command === 'pub' ? topicNameProblem(topic) : topicFilterProblem(topic);
    if (problem !== null) throw new UsageError(`invalid topic ${JSON.stringify(topic)}: ${problem}`);
  }
  const rawPort = values.port ?? env.MQTTZOO_PORT;
  const portWhat = values.port !== undefined ? '-p' : 'MQTTZOO_PORT';
  const username = values.username ?? (env.MQTTZOO_USERNAME || undefined);
  const password = values.password ?? (env.MQTTZOO_PASSWORD || undefined);
  // [MQTT-3.1.2-22] a password without a user name is not allowed in 3.1.1
  if (password !== undefined && username === undefined) throw new UsageError('-P needs -u');
  const clean = values['no-clean'] !== true;
  if (!clean && values.id === undefined) throw new UsageError('-c needs a client id: give -i');
  return {
    command,
    topics,
    host: values.host ?? (env.MQTTZOO_HOST || 'localhost'),
    port: rawPort === undefined || rawPort === '' ? 1883 : integer(rawPort, portWhat, 1, 65535),
    qos: integer(values.qos ?? '0', '-q', 0, 2) as 0 | 1 | 2,
    clientId: values.id ?? `mqttzoo-${command}-${randomBytes(4).toString('hex')}`,
    username,
    password,
    protocolVersion: protocolVersion(values['protocol-version'] ?? '3.1.1'),
    keepalive: integer(values.keepalive ?? '60', '-k', 0, 65535),
    retain: values.retain === true,
    clean,
    verbose: values.verbose === true,
    debug: values.debug === true,
    connectTimeout: integer(values['connect-timeout'] ?? '10', '--connect-timeout', 1, 3600),
    count: values.count === undefined ? undefined : integer(values.count, '-C', 1, Number.MAX_SAFE_INTEGER),
  };
}

/** MQTT.js options: one connection attempt, no automatic reconnect, bounded wait for CONNACK. */
export function mqttOptions(flags: ClientFlags): IClientOptions {
  return {
    protocol: 'mqtt',
    host: flags.host,
    port: flags.port,
    protocolVersion: flags.protocolVersion,
    clientId: flags.clientId,
    clean: flags.clean,
    keepalive: flags.keepalive,
    ...(flags.username !== undefined ? { username: flags.username } : {}),
    ...(flags.password !== undefined ? { password: flags.password } : {}),
    // MQTT 5.0: a persistent session must outlive the connection; 0xFFFFFFFF means it never expires
    ...(flags.protocolVersion === 5 && !flags.clean
      ? { properties: { sessionExpiryInterval: 0xffffffff } }
      : {}),
    reconnectPeriod: 0,
    connectTimeout: flags.connectTimeout * 1000,
    resubscribe: false,
    queueQoSZero: false,
  };
}
