/** A small HTTP client for the broker's HTTP endpoint in tests: bounded by a timeout, 127.0.0.1 only. */
import http from 'node:http';

export interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function httpGet(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  timeoutMs = 5000,
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

export async function getJson<T = Record<string, unknown>>(
  port: number,
  path: string,
  token?: string,
): Promise<T> {
  const reply = await httpGet(port, path, token !== undefined ? { authorization: `Bearer ${token}` } : {});
  if (reply.status !== 200) throw new Error(`GET ${path}: ${reply.status} ${reply.body}`);
  return JSON.parse(reply.body) as T;
}

/** Polls `read` until `accept` holds, every 50 ms, for at most `timeoutMs`; returns the last value. */
export async function until<T>(
  read: () => Promise<T>,
  accept: (v: T) => boolean,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!accept(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await read();
  }
  return last;
}
