/**
 * `mqttzoo inspect [--host h --port p] [CLIENT_ID]`: the debug endpoint in a terminal. Without a
 * client id: the coordinator's summary and a table of connection actors; with one: that actor's
 * state, counts and history; with --watch: its (or every actor's) transitions as they happen, until
 * Ctrl-C or --count events. The token comes from --token or MQTTZOO_DEBUG_TOKEN.
 */
import { parseArgs } from 'node:util';
import {
  formatActors,
  formatCoordinator,
  formatDetail,
  formatEvent,
  type ActorList,
  type CoordinatorSummary,
  type StreamEvent,
} from './inspect-format.js';

const USAGE = `usage: mqttzoo inspect [options] [CLIENT_ID]

Shows this broker's actors from its debug endpoint (HTTP, --http-port of the broker).
  -h, --host HOST      debug endpoint host (default 127.0.0.1)
  -p, --port PORT      debug endpoint port (default 8080)
      --token TOKEN    bearer token (default: $MQTTZOO_DEBUG_TOKEN)
  -s, --state STATE    only actors in this state (connected, connected.alive, awaitingConnect, ...)
  -l, --limit N        at most N actors in the table (default 100)
  -w, --watch          stream transitions (of CLIENT_ID, a prefix, or every actor)
      --type TYPES     with --watch: only these event types (comma separated)
  -C, --count N        with --watch: stop after N events
      --payload        show the first 64 bytes of payloads in an actor's detail
      --json           print the endpoint's JSON as is
      --help           this text
`;

const OPTIONS = {
  host: { type: 'string', short: 'h' },
  port: { type: 'string', short: 'p' },
  token: { type: 'string' },
  state: { type: 'string', short: 's' },
  limit: { type: 'string', short: 'l' },
  watch: { type: 'boolean', short: 'w' },
  type: { type: 'string' },
  count: { type: 'string', short: 'C' },
  payload: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

export interface InspectIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Ends a --watch early (Ctrl-C); defaults to SIGINT/SIGTERM. */
  stop?: AbortSignal;
}

class HttpError extends Error {
  override readonly name = 'HttpError';
}

const defaultIo = (): InspectIo => ({
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  env: process.env,
});

export async function inspectCommand(args: string[], io: InspectIo = defaultIo()): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    io.err(`mqttzoo inspect: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.out(USAGE);
    return 0;
  }
  const port = Number(values.port ?? '8080');
  const limit = Number(values.limit ?? '100');
  const count = values.count !== undefined ? Number(values.count) : undefined;
  if (!Number.isInteger(port) || port < 1 || port > 65535 || !Number.isInteger(limit) || limit < 1) {
    io.err(`mqttzoo inspect: --port must be 1..65535 and --limit a whole number >= 1\n`);
    return 2;
  }
  if (count !== undefined && (!Number.isInteger(count) || count < 1)) {
    io.err(`mqttzoo inspect: --count must be a whole number >= 1\n`);
    return 2;
  }
  const base = `http://${values.host ?? '127.0.0.1'}:${port}`;
  const token = values.token ?? io.env.MQTTZOO_DEBUG_TOKEN ?? '';
  const headers: Record<string, string> = token !== '' ? { authorization: `Bearer ${token}` } : {};
  const clientId = positionals[0];
  try {
    if (values.watch === true) return await watch(base, headers, clientId, values.type, count, io);
    const get = async <T>(path: string): Promise<T> => {
      const res = await fetch(base + path, { headers, signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new HttpError(`${path}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
      return (await res.json()) as T;
    };
    if (clientId !== undefined) {
      const detail = await get<Parameters<typeof formatDetail>[0]>(
        `/debug/actors/${encodeURIComponent(clientId)}${values.payload === true ? '?payload=preview' : ''}`,
      );
      io.out(values.json === true ? JSON.stringify(detail, null, 2) + '\n' : formatDetail(detail));
      return 0;
    }
    const query = new URLSearchParams({
      limit: String(limit),
      ...(values.state !== undefined ? { state: values.state } : {}),
    });
    const [coordinator, list] = await Promise.all([
      get<CoordinatorSummary>('/debug/coordinator'),
      get<ActorList>(`/debug/actors?${query.toString()}`),
    ]);
    io.out(
      values.json === true
        ? JSON.stringify({ coordinator, actors: list }, null, 2) + '\n'
        : `${formatCoordinator(coordinator)}\n${formatActors(list)}`,
    );
    return 0;
  } catch (err) {
    const why =
      err instanceof HttpError ? err.message : err instanceof Error ? `${base}: ${err.message}` : String(err);
    io.err(`mqttzoo inspect: ${why}\n`);
    return 1;
  }
}

/** Reads the live stream and prints one line per transition. */
async function watch(
  base: string,
  headers: Record<string, string>,
  clientId: string | undefined,
  types: string | undefined,
  count: number | undefined,
  io: InspectIo,
): Promise<number> {
  const query = new URLSearchParams({
    ...(clientId !== undefined ? { clientId } : {}),
    ...(types !== undefined ? { type: types } : {}),
  });
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  const signal = io.stop ?? null;
  signal?.addEventListener('abort', stop);
  if (signal === null) {
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  try {
    const res = await fetch(`${base}/debug/events?${query.toString()}`, { headers, signal: abort.signal });
    if (!res.ok || res.body === null) throw new HttpError(`/debug/events: HTTP ${res.status}`);
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let seen = 0;
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value as Uint8Array, { stream: true });
      const blocks = buffer.split('\n\n');
      buffer = blocks.pop() ?? '';
      for (const block of blocks) {
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (data === undefined) continue;
        if (event === 'dropped')
          io.err(
            `(${(JSON.parse(data) as { dropped: number }).dropped} events dropped: this terminal fell behind)\n`,
          );
        if (event !== 'transition') continue;
        io.out(formatEvent(JSON.parse(data) as StreamEvent));
        if (count !== undefined && ++seen >= count) return 0;
      }
    }
    io.err('mqttzoo inspect: the stream ended\n');
    return 1;
  } catch (err) {
    if (abort.signal.aborted) return 0;
    throw err;
  } finally {
    abort.abort();
    signal?.removeEventListener('abort', stop);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
