/** Structured logs with pino: JSON lines for machines, pretty lines on a terminal. */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export function createLogger(options: { level: string; format: string; brokerId: string }): Logger {
  const usePretty = options.format === 'pretty' || (options.format === 'auto' && process.stdout.isTTY);
  const base = { level: options.level, base: { brokerId: options.brokerId } };
  if (!usePretty) return pino(base);
  return pino(
    base,
    pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true }),
  );
}
