/**
 * Target `aedes`: Aedes 1.2 in memory (default mqemitter and persistence), in its own Node
 * process started from bench/targets/aedes-server.ts.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './processes.js';
import { startSingleBroker, type Target } from './target.js';

export const AEDES_SERVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'aedes-server.js');

export function aedesVersion(): string {
  // aedes' "exports" hides package.json: read it next to the resolved entry point.
  const entry = createRequire(import.meta.url).resolve('aedes');
  const pkg = JSON.parse(readFileSync(path.join(path.dirname(entry), 'package.json'), 'utf8')) as {
    version?: unknown;
  };
  return typeof pkg.version === 'string' ? pkg.version : '?';
}

export const aedes: Target = {
  name: 'aedes',
  kind: 'single',
  description: 'Aedes in memory, one Node process',
  async start(ctx) {
    const port = await freePort();
    const args = [AEDES_SERVER, '--port', String(port)];
    return startSingleBroker(ctx, 'aedes', process.execPath, args, port, [
      `aedes ${aedesVersion()}, in memory`,
    ]);
  },
};
