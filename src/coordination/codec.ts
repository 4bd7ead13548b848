/**
 * msgpackr in one place: standard MessagePack (no records extension, so any MessagePack reader can
 * decode our data), every document wrapped with a format version so that a reader refuses what it
 * does not understand instead of misreading it.
 */
import { Packr } from 'msgpackr';

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
  if (doc === null || typeof doc !== 'object') throw new FormatError(`not a ${kind} document`);
  if (doc.k !== kind) throw new FormatError(`expected a ${kind} document, found ${String(doc.k)}`);
  if (doc.v !== FORMAT_VERSION)
    throw new FormatError(`${kind} format version ${String(doc.v)} is not supported`);
  return doc.b;
}
