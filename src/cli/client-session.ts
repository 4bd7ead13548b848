/**
 * One MQTT.js connection for `mqttzoo pub` and `mqttzoo sub`: opened once (no reconnect loop), watched
 * for the first failure, closed with DISCONNECT. Every way it can fail becomes one ClientError whose
 * message is the single line the command prints, and whose exit code says which kind of failure it was.
 */
import { setDefaultAutoSelectFamily } from 'node:net';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { IConnackPacket, Packet } from 'mqtt-packet';
import { ClientError, EXIT_CONNECTION, EXIT_REFUSED } from './client-command.js';
import { describeCode } from './reason-text.js';

/** How long DISCONNECT may take before the socket is simply closed. */
const CLOSE_TIMEOUT_MS = 5_000;

const SOCKET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timed out',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed by the broker',
  EADDRNOTAVAIL: 'address not available',
};

function errorCode(err: Error): string | undefined {
  const code = (err as Error & { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** An open connection. `failed` rejects with a ClientError when the connection fails or is lost. */
export class ClientSession {
  readonly failed: Promise<never>;
  private fail!: (err: ClientError) => void;
  private ending = false;
  private hasFailed = false;
  private closing: Promise<void> | undefined;
  private connected = false;
  private refusedCode: number | undefined;
  private disconnectCode: number | undefined;
  /** The broker's CONNACK (its MQTT 5.0 properties: Receive Maximum and so on). */
  connack: IConnackPacket = { cmd: 'connack', sessionPresent: false };

  private constructor(
    readonly client: MqttClient,
    readonly target: string,
    private readonly version: 4 | 5,
  ) {
    this.failed = new Promise<never>((_resolve, reject) => {
      this.fail = (err) => {
        if (this.hasFailed || this.ending) return;
        this.hasFailed = true;
        reject(err);
      };
    });
    this.failed.catch(() => undefined); // observed by whoever races it; never an unhandled rejection
    client.on('packetreceive', (packet: Packet) => {
      if (packet.cmd === 'connack') {
        const code = version === 5 ? (packet.reasonCode ?? 0) : (packet.returnCode ?? 0);
        if (code !== 0) this.refusedCode = code;
      } else if (packet.cmd === 'disconnect') {
        this.disconnectCode = packet.reasonCode ?? 0;
      }
    });
    client.on('error', (err) => this.fail(this.describe(err)));
    client.on('close', () => this.fail(this.describe(null)));
  }

  /**
   * Connects once; resolves after a successful CONNACK, rejects with a ClientError otherwise.
   * `listen` attaches listeners before any packet is read: a persistent session's queued messages
   * follow the CONNACK at once and would be acknowledged by MQTT.js with nobody to print them.
   */
  static async open(options: IClientOptions, listen?: (client: MqttClient) => void): Promise<ClientSession> {
    // Try every address a name resolves to, IPv6 and IPv4 (`localhost` may be ::1 first)
    setDefaultAutoSelectFamily(true);
    const host = options.host ?? 'localhost';
    const target = `${host.includes(':') ? `[${host}]` : host}:${options.port ?? 1883}`;
    const session = new ClientSession(mqtt.connect(options), target, options.protocolVersion === 5 ? 5 : 4);
    listen?.(session.client);
    try {
      await Promise.race([
        new Promise<void>((resolve) =>
          session.client.once('connect', (connack) => {
            session.connack = connack;
            session.connected = true;
            resolve();
          }),
        ),
        session.failed,
      ]);
    } catch (err) {
      await session.close();
      throw err;
    }
    return session;
  }

  /** Reports a failure found outside the connection's own events (an ack's reason code, say). */
  failWith(err: ClientError): void {
    this.fail(err);
  }

  /**
   * Sends DISCONNECT (if still connected) and waits until the socket is closed. Safe to call again,
   * and after a failure: the command always ends here so no socket keeps the process alive.
   */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.ending = true;
      // A broker that never closes its side must not hold the command: give up on it after a while
      const timer = setTimeout(() => this.client.stream.destroy(), CLOSE_TIMEOUT_MS);
      // After a failure nothing more is owed to the broker (and MQTT.js would wait for acks): just close
      this.client.end(this.hasFailed, {}, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return this.closing;
  }

  /** Turns an MQTT.js error, or a close without one (null), into the line the user reads. */
  private describe(err: Error | null): ClientError {
    const failure = (line: string, exitCode = EXIT_CONNECTION): ClientError =>
      new ClientError(line, exitCode, { cause: err });
    const { version, target } = this;
    if (this.refusedCode !== undefined)
      return failure(
        `connection refused: ${describeCode(this.refusedCode, version, 'connack')}`,
        EXIT_REFUSED,
      );
    const code = err === null ? undefined : errorCode(err);
    const socketError = code === undefined ? undefined : (SOCKET_ERRORS[code] ?? code);
    if (!this.connected) {
      if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME')
        return failure(`cannot resolve host ${JSON.stringify(this.client.options.host)} (${code})`);
      if (err?.message === 'connack timeout') {
        const seconds = (this.client.options.connectTimeout ?? 0) / 1000;
        return failure(`cannot connect to ${target}: no answer within ${seconds} s`);
      }
      if (socketError !== undefined) return failure(`cannot connect to ${target}: ${socketError} (${code})`);
      return failure(`cannot connect to ${target}: ${err?.message ?? 'closed before CONNACK'}`);
    }
    if (this.disconnectCode !== undefined)
      return failure(
        `disconnected by the broker: ${describeCode(this.disconnectCode, version, 'disconnect')}`,
      );
    const detail = err === null ? 'closed by the broker' : (socketError ?? err.message);
    return failure(`connection to ${target} lost: ${detail}`);
  }
}
