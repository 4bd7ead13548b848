/**
 * What the broker needs from a network connection (NATS.js's Transport idea): the server edge
 * (TCP, TLS, WebSocket) implements it; tests can implement it without sockets.
 */
export interface Transport {
  readonly remoteAddress: string;
  /** Bytes written and not yet handed to the kernel. */
  readonly bufferedBytes: number;
  write(bytes: Buffer): void;
  /** Closes after flushing what was written. */
  end(): void;
  /** Stops reading from the client (back-pressure) and starts again. */
  pause(): void;
  resume(): void;
  /** Calls `listener` whenever what was written has been handed to the kernel. */
  onDrain(listener: () => void): void;
}
