/**
 * Test whether standard input is split into the exact payloads `mqttzoo pub` sends: bytes kept, LF and
 * CRLF ends, empty lines kept (pub stops there), a last line without LF, lines split across chunks.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readLines } from '../../src/cli/lines.js';

async function split(chunks: (string | Buffer)[]): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of readLines(Readable.from(chunks, { objectMode: true })))
    lines.push(line.toString('latin1'));
  return lines;
}

describe('readLines', () => {
  it.each([
    [['a\nb\n'], ['a', 'b']],
    [['a\r\nb\r\n'], ['a', 'b']],
    [['a\n\nb\n'], ['a', '', 'b']],
    [['\r\n'], ['']],
    [['a\nlast'], ['a', 'last']],
    [
      ['ab', 'c\nd', 'e\n'],
      ['abc', 'de'],
    ],
    [
      ['a\r', '\nb'],
      ['a', 'b'],
    ],
    [[''], []],
    [[], []],
    [['x\r'], ['x']],
  ])('%j -> %j', async (chunks, lines) => {
    expect(await split(chunks)).toEqual(lines);
  });

  it('keeps bytes as they are (no re-encoding)', async () => {
    const bytes = Buffer.from([0xff, 0x00, 0xc3, 0x0a]);
    const lines: Buffer[] = [];
    for await (const line of readLines(Readable.from([bytes]))) lines.push(line);
    expect(lines).toEqual([Buffer.from([0xff, 0x00, 0xc3])]);
  });
});
