#!/usr/bin/env node
// Completes package-lock.json with the platform-specific optional packages (e.g. msgpackr-extract's
// native builds for macOS and Windows) that a partial npm registry mirror does not serve: npm
// install then leaves them out of the lock, and `npm ci` refuses a lock without them. Entries get
// name, version, os and cpu, as npm writes them with a complete registry; on other platforms npm
// skips them. Idempotent: prints what it added, changes nothing when nothing is missing.
import fs from 'node:fs';

const file = process.argv[2] ?? 'package-lock.json';
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const PLATFORM =
  /-(darwin|linux|win32|freebsd|android|openbsd|sunos)-(x64|arm64|arm|ia32|ppc64|s390x|riscv64)(?:-(gnu|musl|msvc))?$/;
const added = [];
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key] || lock.packages[`${path}/${key}`]) continue;
    const match = PLATFORM.exec(name);
    if (match === null) continue; // not a platform build: a real gap npm install must fill
    const pinned = version.replace(/^[\^~]/, '');
    lock.packages[key] = {
      version: pinned,
      cpu: [match[2]],
      ...(match[3] === 'gnu' || match[3] === 'musl' ? { libc: [match[3] === 'gnu' ? 'glibc' : 'musl'] } : {}),
      optional: true,
      os: [match[1]],
    };
    added.push(`${name}@${pinned}`);
  }
}
if (added.length > 0) {
  const root = lock.packages[''];
  const rest = Object.entries(lock.packages)
    .filter(([k]) => k !== '')
    .sort(([a], [b]) => a.localeCompare(b));
  lock.packages = Object.fromEntries([['', root], ...rest]);
  fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(`complete-lock: added ${added.join(', ')}`);
}
