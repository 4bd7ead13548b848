/** docs/CONFIGURATION.md, generated from the option table (`node dist/src/server/config-doc.js > docs/CONFIGURATION.md`). */
import { pathToFileURL } from 'node:url';
import { OPTIONS } from './config.js';

export function configurationDoc(): string {
  const rows = OPTIONS.map((o) => {
    const def = o.key === 'brokerId' ? '(host name)' : o.default === '' ? '(empty)' : String(o.default);
    return `| \`--${o.flag}\` | \`${o.env}\` | ${def} | ${o.description.replace(/\|/g, '\\|')} |`;
  });
  return [
    '# Configuration',
    '',
    'Every broker option has a flag and an environment variable; a flag wins over the variable, which',
    'wins over the default. `mqttzoo broker --help` is not needed: this table is generated from the same',
    'definition the broker reads (`src/server/config.ts`), and a test keeps the two in step.',
    '',
    '| flag | variable | default | meaning |',
    '|---|---|---|---|',
    ...rows,
    '',
    'Settings that shape the replicated state (`--max-queued-messages`, `--persistent-session-expiry`,',
    'the `--quota-*` bounds) must be the same on every broker of a cluster.',
    '',
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.stdout.write(configurationDoc());
