/** Internals for tests (and the debug endpoint): not part of the public surface. */
export { ZkClient } from './client.js';
export { Code, ZooKeeperError, hasCode, isInDoubt } from './errors.js';
export { guardConnectionManager, guardExceptionCodes, setParseFailureListener } from './guards.js';
export { decodeRecord, decodeBatchHeader, encodeBatch, encodeEvent } from './batch-format.js';
export { createsUnder, paths, segmentOf, seqOf, toPosition } from './paths.js';
export { listSegments, OPEN_VERSION } from './segments.js';
export { Watchdog } from './watchdog.js';
