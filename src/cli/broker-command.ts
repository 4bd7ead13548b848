/** `mqttzoo broker`: runs one broker until SIGTERM or SIGINT, then shuts down gracefully. */
import { parseArgs } from 'node:util';
import { ConfigError, flagOptions, loadConfig } from '../server/config.js';
import { createLogger } from '../server/logger.js';
import { startServer } from '../server/server.js';

export async function brokerCommand(args: string[]): Promise<number> {
  let config;
  try {
    const { values } = parseArgs({ args, options: flagOptions(), strict: true, allowPositionals: false });
    config = loadConfig(values, process.env);
  } catch (err) {
    const message = err instanceof ConfigError || err instanceof TypeError ? err.message : String(err);
    process.stderr.write(`mqttzoo broker: ${message}\n`);
    return 2;
  }
  const log = createLogger({ level: config.logLevel, format: config.logFormat, brokerId: config.brokerId });
  const server = await startServer(config, log);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down: closing connections and sending wills');
      server.close().then(
        () => resolve(0),
        (err: unknown) => {
          log.error({ err: String(err) }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
