/**
 * Splits a byte stream into lines, as bytes: the payloads `mqttzoo pub` sends are exactly what was on
 * each line, never re-encoded. A line ends at LF; a CR just before it is dropped too (CRLF input), so
 * "\r\n" is an empty line. A last line without LF still counts.
 *
 * Pulls one chunk at a time from the source and yields its lines before pulling the next, so a caller
 * that awaits between lines holds back the source (back-pressure); memory is one chunk plus the
 * unfinished line.
 */
const LF = 0x0a;
const CR = 0x0d;

function trimCR(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, line.length - 1) : line;
}

export async function* readLines(source: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  let partial: Buffer[] = [];
  for await (const raw of source) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    let start = 0;
    for (let end = chunk.indexOf(LF); end !== -1; end = chunk.indexOf(LF, start)) {
      const piece = chunk.subarray(start, end);
      const line = partial.length === 0 ? piece : Buffer.concat([...partial, piece]);
      partial = [];
      start = end + 1;
      yield trimCR(line);
    }
    if (start < chunk.length) partial.push(chunk.subarray(start));
  }
  if (partial.length > 0) yield trimCR(Buffer.concat(partial));
}
