/**
 * msgpackr in one place: standard MessagePack (no records extension, so any MessagePack reader can
 * decode our data), every document wrapped with a format version so that a reader refuses what it
 * does not understand instead of misreading it.
 */
import { Packr, Unpackr } from 'msgpackr';

const packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'number' });

/** Version of the encoding of log batches and snapshots. */
export const FORMAT_VERSION = 1;

export class FormatError extends Error {
  override readonly name = 'FormatError';
}

/** Encodes `body` with the format version. */
export function encodeDocument(kind: string, body: unknown): Buffer {
  return packr.pack({ v: FORMAT_VERSION, k: kind, b: body });
}

/** Decodes what `encodeDocument` wrote; throws FormatError for another kind or a newer version. */
export function decodeDocument(kind: string, bytes: Uint8Array): unknown {
  const doc = packr.unpack(bytes) as { v?: unknown; k?: unknown; b?: unknown } | null;
  checkHeader(kind, doc);
  return doc!.b;
}

/*
 * Framed documents: a document (as encodeDocument writes it) followed by parts, each one plain
 * MessagePack value, one after another. Still standard MessagePack (a sequence of values), but a
 * writer can encode each part once, when it is handed over, and know its exact size; a batch is
 * then the concatenation. Decoded binaries are copied, so that a kept payload (a retained message)
 * does not pin the whole batch it came in.
 */
const framedReader = new Unpackr({
  useRecords: false,
  moreTypes: false,
  int64AsType: 'number',
  copyBuffers: true,
});

/** Encodes one part of a framed document. */
export function encodePart(value: unknown): Buffer {
  return packr.pack(value);
}

/** Decodes a framed document: its header body and its parts. */
export function decodeFramed(kind: string, bytes: Uint8Array): { body: unknown; parts: unknown[] } {
  const values = framedReader.unpackMultiple(bytes) as unknown[];
  const head = values[0] as { v?: unknown; k?: unknown; b?: unknown } | undefined;
  checkHeader(kind, head);
  return { body: head!.b, parts: values.slice(1) };
}

/**
 * The first document of a framed document (or a plain document), without decoding its parts: its
 * kind and body. Throws FormatError for a version this reader does not know.
 */
export function decodeHead(bytes: Uint8Array): { kind: string; body: unknown } {
  let head: { v?: unknown; k?: unknown; b?: unknown } | null | undefined;
  framedReader.unpackMultiple(bytes, (value: unknown) => {
    head = value as typeof head;
    return false; // stop after the first value
  });
  const kind = head !== null && typeof head === 'object' && typeof head.k === 'string' ? head.k : '';
  checkHeader(kind, head);
  return { kind, body: head!.b };
}

function checkHeader(kind: string, doc: { v?: unknown; k?: unknown } | null | undefined): void {
  if (doc === null || doc === undefined || typeof doc !== 'object') {
    throw new FormatError(`not a ${kind} document`);
  }
  if (doc.k !== kind) throw new FormatError(`expected a ${kind} document, found ${String(doc.k)}`);
  if (doc.v !== FORMAT_VERSION) {
    throw new FormatError(`${kind} format version ${String(doc.v)} is not supported`);
  }
}
