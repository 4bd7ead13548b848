/** The broker's version, from the package.json of the installed package (src/ or dist/src/ alike). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null = null;

export function brokerVersion(): string {
  if (cached !== null) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'mqttzoo' && typeof pkg.version === 'string') return (cached = pkg.version);
    } catch {
      // not here: one level up
    }
    dir = dirname(dir);
  }
  return (cached = 'unknown');
}
