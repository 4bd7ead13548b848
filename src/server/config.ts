/**
 * Broker configuration: one table of options, each with its flag, its environment variable
 * (MQTTZOO_*), its default and a sentence. Flags win over the environment, which wins over defaults.
 * The table is the single definition that the CLI, docs/CONFIGURATION.md and the Kubernetes
 * manifests' consistency tests read.
 */
import { hostname } from 'node:os';

export interface BrokerConfig {
  brokerId: string;
  host: string;
  port: number;
  httpHost: string;
  httpPort: number;
  standalone: boolean;
  zookeeper: string;
  zkRoot: string;
  zkSessionTimeoutMs: number;
  maxConnections: number;
  maxPacketSize: number;
  maxInflight: number;
  maxQueuedMessages: number;
  maxConnectionQueue: number;
  receiveMaximum: number;
  maxClientIdLength: number;
  topicAliasMaximum: number;
  maxKeepAlive: number;
  connectTimeoutMs: number;
  persistentSessionExpiry: number;
  maxWriteBuffer: number;
  maxPendingAppends: number;
  slowConsumerMs: number;
  quotaLogBytes: number;
  quotaLogEntries: number;
  quotaStateBytes: number;
  denySubscribe: string;
  dutyIntervalMs: number;
  brokerGoneGraceMs: number;
  snapshotIntervalMs: number;
  snapshotEveryEntries: number;
  positionIntervalMs: number;
  logLevel: string;
  logFormat: string;
  debugToken: string;
  sysInterval: number;
  debugTransitions: number;
}

type Kind = 'string' | 'int' | 'bool';

export interface OptionSpec<K extends keyof BrokerConfig = keyof BrokerConfig> {
  key: K;
  flag: string;
  env: string;
  kind: Kind;
  default: BrokerConfig[K];
  description: string;
}

const opt = <K extends keyof BrokerConfig>(
  key: K,
  flag: string,
  kind: Kind,
  def: BrokerConfig[K],
  description: string,
): OptionSpec => ({
  key,
  flag,
  env: `MQTTZOO_${flag.toUpperCase().replace(/-/g, '_')}`,
  kind,
  default: def,
  description,
});

export const OPTIONS: readonly OptionSpec[] = [
  opt(
    'brokerId',
    'broker-id',
    'string',
    hostname(),
    'Unique name of this broker in the cluster (a pod name in Kubernetes).',
  ),
  opt('host', 'host', 'string', '0.0.0.0', 'Address the MQTT listener binds.'),
  opt('port', 'port', 'int', 1883, 'MQTT TCP port.'),
  opt(
    'httpHost',
    'http-host',
    'string',
    '127.0.0.1',
    'Address of the HTTP endpoint (health, metrics, debug): localhost unless set.',
  ),
  opt(
    'httpPort',
    'http-port',
    'int',
    8080,
    'HTTP port for /healthz, /readyz, /metrics and /debug (0: any free port).',
  ),
  opt('standalone', 'standalone', 'bool', false, 'Run alone on the in-memory log instead of ZooKeeper.'),
  opt(
    'zookeeper',
    'zookeeper',
    'string',
    '127.0.0.1:2181',
    'ZooKeeper connect string (host:port,host:port,...).',
  ),
  opt('zkRoot', 'zk-root', 'string', '/mqttzoo', 'ZooKeeper path under which the cluster keeps its data.'),
  opt('zkSessionTimeoutMs', 'zk-session-timeout-ms', 'int', 10_000, 'ZooKeeper session timeout.'),
  opt(
    'maxConnections',
    'max-connections',
    'int',
    100_000,
    'Client connections accepted at once; more are refused with CONNACK "server unavailable".',
  ),
  opt('maxPacketSize', 'max-packet-size', 'int', 1024 * 1024, 'Largest MQTT packet accepted, in bytes.'),
  opt(
    'maxInflight',
    'max-inflight',
    'int',
    1000,
    "Outbound QoS 1/2 messages in flight per client (lowered to an MQTT 5.0 client's Receive Maximum).",
  ),
  opt(
    'maxQueuedMessages',
    'max-queued-messages',
    'int',
    1000,
    'QoS 1/2 messages kept for a persistent session while it is offline; beyond it new ones are dropped and counted.',
  ),
  opt(
    'maxConnectionQueue',
    'max-connection-queue',
    'int',
    10_000,
    'Messages waiting behind the window of a connected clean-session client; flow control keeps it from filling, and a slow consumer loses what exceeds it (counted).',
  ),
  opt(
    'receiveMaximum',
    'receive-maximum',
    'int',
    1024,
    'Inbound QoS 1/2 publishes a client may have unacknowledged (MQTT 5.0 Receive Maximum).',
  ),
  opt('maxClientIdLength', 'max-client-id-length', 'int', 256, 'Longest client id accepted.'),
  opt('topicAliasMaximum', 'topic-alias-maximum', 'int', 64, 'Topic aliases an MQTT 5.0 client may use.'),
  opt(
    'maxKeepAlive',
    'max-keep-alive',
    'int',
    0,
    'Highest keep-alive in seconds (0: any); MQTT 5.0 clients are told.',
  ),
  opt('connectTimeoutMs', 'connect-timeout-ms', 'int', 10_000, 'Time a new connection has to send CONNECT.'),
  opt(
    'persistentSessionExpiry',
    'persistent-session-expiry',
    'int',
    7200,
    'Seconds an MQTT 3.1.1 persistent session (clean session 0) lives while disconnected.',
  ),
  opt(
    'maxWriteBuffer',
    'max-write-buffer',
    'int',
    8 * 1024 * 1024,
    'Bytes waiting on a client socket beyond which QoS 0 messages to it are dropped.',
  ),
  opt(
    'maxPendingAppends',
    'max-pending-appends',
    'int',
    50_000,
    'Log appends awaiting commit beyond which the broker stops reading publishers.',
  ),
  opt(
    'slowConsumerMs',
    'slow-consumer-ms',
    'int',
    2000,
    'How long a client that cannot keep up may hold publishers back before it counts as a slow consumer and loses what exceeds its bounds.',
  ),
  opt(
    'quotaLogBytes',
    'quota-log-bytes',
    'int',
    128 * 1024 * 1024,
    'Quota: encoded bytes the cluster log may hold in ZooKeeper before publishes are refused (0: none).',
  ),
  opt(
    'quotaLogEntries',
    'quota-log-entries',
    'int',
    1_000_000,
    'Quota: log entries (znodes) the log may hold (0: none).',
  ),
  opt(
    'quotaStateBytes',
    'quota-state-bytes',
    'int',
    128 * 1024 * 1024,
    "Quota: payload bytes of retained messages and offline sessions' queues (0: none).",
  ),
  opt(
    'denySubscribe',
    'deny-subscribe',
    'string',
    '',
    'Comma-separated topic filters no client may subscribe to (SUBACK failure), e.g. test/nosubscribe.',
  ),
  opt(
    'dutyIntervalMs',
    'duty-interval-ms',
    'int',
    1000,
    'How often the leader runs its duties (wills, expiry, snapshots).',
  ),
  opt(
    'brokerGoneGraceMs',
    'broker-gone-grace-ms',
    'int',
    10_000,
    "How long a broker may be missing from membership before the leader releases its clients' sessions and wills.",
  ),
  opt(
    'snapshotIntervalMs',
    'snapshot-interval-ms',
    'int',
    60_000,
    'The leader snapshots the state at least this often (when anything changed).',
  ),
  opt(
    'snapshotEveryEntries',
    'snapshot-every-entries',
    'int',
    20_000,
    '... and whenever this many log entries were applied since the last snapshot.',
  ),
  opt(
    'positionIntervalMs',
    'position-interval-ms',
    'int',
    2000,
    'How often each broker writes the log position it has applied to ZooKeeper. The leader trims the log only up to the lowest, so the log holds this long of traffic beyond the last snapshot: size --quota-log-entries for it.',
  ),
  opt('logLevel', 'log-level', 'string', 'info', 'Log level: fatal, error, warn, info, debug, trace.'),
  opt(
    'logFormat',
    'log-format',
    'string',
    'auto',
    'Log format: json, pretty, or auto (pretty on a terminal).',
  ),
  opt('debugToken', 'debug-token', 'string', '', 'Bearer token required by /debug and /metrics when set.'),
  opt(
    'sysInterval',
    'sys-interval',
    'int',
    10,
    "Seconds between this broker's $SYS/ topic updates to its own subscribers (0: no $SYS topics).",
  ),
  opt(
    'debugTransitions',
    'debug-transitions',
    'int',
    32,
    'State changes the debug endpoint keeps per actor (/debug/actors/CLIENT_ID).',
  ),
];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function parseValue(spec: OptionSpec, raw: string, source: string): string | number | boolean {
  if (spec.kind === 'string') return raw;
  if (spec.kind === 'bool') {
    if (['1', 'true', 'yes', 'on', ''].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
    throw new ConfigError(`${source}: expected true or false, got ${JSON.stringify(raw)}`);
  }
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new ConfigError(`${source}: expected a whole number >= 0, got ${JSON.stringify(raw)}`);
  return n;
}

/** Reads the environment and `flags` (already split: flag name without dashes -> raw value). */
export function loadConfig(
  flags: Record<string, string | boolean | undefined>,
  env: NodeJS.ProcessEnv,
): BrokerConfig {
  const config: Record<string, unknown> = {};
  for (const spec of OPTIONS) {
    let value: unknown = spec.default;
    const fromEnv = env[spec.env];
    if (fromEnv !== undefined) value = parseValue(spec, fromEnv, spec.env);
    const fromFlag = flags[spec.flag];
    if (fromFlag !== undefined) {
      value = typeof fromFlag === 'boolean' ? fromFlag : parseValue(spec, fromFlag, `--${spec.flag}`);
    }
    config[spec.key] = value;
  }
  const c = config as unknown as BrokerConfig;
  if (c.port > 65535 || c.httpPort > 65535) throw new ConfigError('ports must be at most 65535');
  if (c.maxPacketSize < 64) throw new ConfigError('--max-packet-size must be at least 64 bytes');
  if (c.maxInflight < 1 || c.maxInflight > 65535) throw new ConfigError('--max-inflight must be 1..65535');
  if (c.maxQueuedMessages < 1 || c.maxQueuedMessages > 60_000)
    throw new ConfigError('--max-queued-messages must be 1..60000');
  if (c.maxConnectionQueue < 1) throw new ConfigError('--max-connection-queue must be at least 1');
  if (c.receiveMaximum < 1 || c.receiveMaximum > 65535)
    throw new ConfigError('--receive-maximum must be 1..65535');
  if (c.maxClientIdLength < 23)
    throw new ConfigError('--max-client-id-length must be at least 23 [MQTT-3.1.3-5]');
  return c;
}

/** The parseArgs option table for the flags above. */
export function flagOptions(): Record<string, { type: 'string' | 'boolean' }> {
  const out: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const spec of OPTIONS) out[spec.flag] = { type: spec.kind === 'bool' ? 'boolean' : 'string' };
  return out;
}
