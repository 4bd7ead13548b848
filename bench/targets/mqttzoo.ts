/**
 * Target `mqttzoo`: our standalone broker, `node dist/src/cli/main.js broker --standalone --host
 * 127.0.0.1 --port <P>`. Unavailable (not a failure) until the CLI is built.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './processes.js';
import { startSingleBroker, TargetUnavailableError, type Target } from './target.js';

export const mqttzoo: Target = {
  name: 'mqttzoo',
  kind: 'single',
  description: 'MQTTZoo standalone broker (in-memory coordination), one process',
  async start(ctx) {
    const main = path.join(ctx.repoRoot, 'dist/src/cli/main.js');
    if (!existsSync(main)) throw new TargetUnavailableError(`${main} not built (npm run build)`);
    const port = await freePort();
    const args = [
      main,
      'broker',
      '--standalone',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--http-port',
      '0',
    ];
    return startSingleBroker(ctx, 'mqttzoo', process.execPath, args, port, ['standalone, in-memory log']);
  },
};
