/**
 * ZooKeeper errors as one named class, and how we classify them: which mean "the outcome is
 * unknown" (a create may have landed), which are worth retrying once the link is back, and the
 * expected races callers handle by name (NODE_EXISTS, NO_NODE, BAD_VERSION: another broker got
 * there first).
 */

/** KeeperException codes of ZooKeeper 3.8 (node-zookeeper-client 1.1.3 knows only some of them). */
export const Code = {
  OK: 0,
  SYSTEM_ERROR: -1,
  RUNTIME_INCONSISTENCY: -2,
  DATA_INCONSISTENCY: -3,
  CONNECTION_LOSS: -4,
  MARSHALLING_ERROR: -5,
  UNIMPLEMENTED: -6,
  OPERATION_TIMEOUT: -7,
  BAD_ARGUMENTS: -8,
  UNKNOWN_SESSION: -12,
  NEW_CONFIG_NO_QUORUM: -13,
  RECONFIG_IN_PROGRESS: -14,
  API_ERROR: -100,
  NO_NODE: -101,
  NO_AUTH: -102,
  BAD_VERSION: -103,
  NO_CHILDREN_FOR_EPHEMERALS: -108,
  NODE_EXISTS: -110,
  NOT_EMPTY: -111,
  SESSION_EXPIRED: -112,
  INVALID_CALLBACK: -113,
  INVALID_ACL: -114,
  AUTH_FAILED: -115,
  SESSION_MOVED: -118,
  NOT_READONLY: -119,
  EPHEMERAL_ON_LOCAL_SESSION: -120,
  NO_WATCHER: -121,
  REQUEST_TIMEOUT: -122,
  RECONFIG_DISABLED: -123,
  SESSION_CLOSED_REQUIRE_SASL_AUTH: -124,
  QUOTA_EXCEEDED: -125,
  THROTTLED_OP: -127,
} as const;

const names = new Map<number, string>(Object.entries(Code).map(([name, code]) => [code, name]));

export function codeName(code: number): string {
  return names.get(code) ?? `UNKNOWN_${code}`;
}

export class ZooKeeperError extends Error {
  override readonly name = 'ZooKeeperError';
  /** For a failed multi(): the index of the operation that failed. */
  opIndex: number | undefined;

  constructor(
    readonly code: number,
    readonly path: string | undefined,
    options?: ErrorOptions,
  ) {
    super(`${codeName(code)}${path === undefined ? '' : ` at ${path}`}`, options);
  }

  get codeName(): string {
    return codeName(this.code);
  }
}

/** Turns whatever node-zookeeper-client passed to a callback into a ZooKeeperError. */
export function toZooKeeperError(err: unknown, path?: string): ZooKeeperError {
  if (err instanceof ZooKeeperError) return err;
  const code =
    err !== null && typeof err === 'object' && typeof (err as { code?: unknown }).code === 'number'
      ? (err as { code: number }).code
      : Code.SYSTEM_ERROR;
  return new ZooKeeperError(code, path, { cause: err });
}

export function hasCode(err: unknown, code: number): boolean {
  return err instanceof ZooKeeperError && err.code === code;
}

const retryable = new Set<number>([
  Code.CONNECTION_LOSS,
  Code.OPERATION_TIMEOUT,
  Code.SESSION_EXPIRED,
  Code.SESSION_MOVED,
  Code.REQUEST_TIMEOUT,
  Code.THROTTLED_OP,
]);

/**
 * The request may or may not have been applied: the reply was lost with the connection or the
 * session (ZooKeeper docs, "Recoverable errors"). Retrying a create blindly would duplicate it.
 */
export function isInDoubt(err: unknown): boolean {
  return err instanceof ZooKeeperError && retryable.has(err.code);
}

/** Worth retrying once the link is back (for idempotent operations). */
export function isRetryable(err: unknown): boolean {
  return isInDoubt(err);
}
