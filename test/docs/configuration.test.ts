// Test whether docs/CONFIGURATION.md is the table generated from the broker's option definitions.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configurationDoc } from '../../src/server/config-doc.js';

describe('docs/CONFIGURATION.md', () => {
  it('matches the option table (regenerate: node dist/src/server/config-doc.js > docs/CONFIGURATION.md)', () => {
    expect(readFileSync(new URL('../../docs/CONFIGURATION.md', import.meta.url), 'utf8')).toBe(
      configurationDoc(),
    );
  });
});
