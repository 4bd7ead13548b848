/** Reads a Server-Sent Events stream over a real HTTP connection, for tests: every wait is bounded. */
import http from 'node:http';

export interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

export interface SseStream {
  readonly messages: SseMessage[];
  readonly comments: string[];
  /** Resolves with the first message (seen or to come) matching `accept`; rejects after `timeoutMs`. */
  next(accept: (m: SseMessage) => boolean, timeoutMs?: number, what?: string): Promise<SseMessage>;
  /** Stops reading for a while (a slow viewer): the socket's buffers fill up. */
  pause(): void;
  resume(): void;
  close(): void;
}

export function openSse(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  timeoutMs = 5000,
): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = http.get({
      host: '127.0.0.1',
      port,
      path,
      headers: { accept: 'text/event-stream', ...headers },
    });
    const timer = setTimeout(
      () => req.destroy(new Error(`GET ${path}: no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.on('response', (res) => {
      clearTimeout(timer);
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`GET ${path}: ${res.statusCode}`));
        return;
      }
      const messages: SseMessage[] = [];
      const comments: string[] = [];
      const waiters: { accept: (m: SseMessage) => boolean; resolve: (m: SseMessage) => void }[] = [];
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        const blocks = buf.split('\n\n');
        buf = blocks.pop() ?? '';
        for (const block of blocks) {
          const m: SseMessage = { event: 'message', data: '' };
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('event: ')) m.event = line.slice(7);
            else if (line.startsWith('data: ')) m.data += line.slice(6);
            else if (line.startsWith('id: ')) m.id = line.slice(4);
          }
          if (m.data === '') continue;
          messages.push(m);
          for (const w of [...waiters]) {
            if (!w.accept(m)) continue;
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(m);
          }
        }
      });
      res.on('error', () => undefined);
      resolve({
        messages,
        comments,
        next(accept, ms = 5000, what = 'an SSE message') {
          const seen = messages.find(accept);
          if (seen !== undefined) return Promise.resolve(seen);
          return new Promise((res2, rej2) => {
            const w = { accept, resolve: (m: SseMessage) => (clearTimeout(t), res2(m)) };
            const t = setTimeout(() => {
              waiters.splice(waiters.indexOf(w), 1);
              rej2(
                new Error(
                  `timed out after ${ms} ms waiting for ${what}; got ${messages.map((x) => x.data).join('\n')}`,
                ),
              );
            }, ms);
            waiters.push(w);
          });
        },
        pause: () => res.pause(),
        resume: () => res.resume(),
        close: () => req.destroy(),
      });
    });
  });
}
