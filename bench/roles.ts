/**
 * The two roles a benchmark client plays in one phase.
 *
 * A `Publisher` copies a pre-encoded PUBLISH template into one buffer per batch, stamps packet id,
 * sequence number and send time, and writes the batch with a single socket write. For QoS 1 it
 * keeps the packet id -> sequence map that turns PUBACKs into acknowledged sequence numbers.
 *
 * A `Subscriber` decodes each delivery's payload by offset, records it in the ledger, and answers
 * QoS 1 deliveries with PUBACKs gathered into one write per socket chunk.
 */
import { Bitset } from './bitset.js';
import type { BenchClient } from './client.js';
import { encodePublishTemplate, writePuback, type PublishTemplate } from './frames.js';
import type { DeliveryLedger } from './ledger.js';
import {
  encodePayload,
  isBenchPayload,
  OFFSET_PUBLISHER,
  OFFSET_SEQ,
  OFFSET_SENT_AT,
  OFFSET_TAG,
  stampPayload,
} from './payload.js';

export class Publisher {
  sent = 0;
  ackedCount = 0;
  inflight = 0;
  readonly acked: Bitset | null;
  private readonly template: PublishTemplate;
  private readonly pidToSeq = new Int32Array(65536).fill(-1);
  private nextPid = 1;

  constructor(
    readonly client: BenchClient,
    readonly index: number,
    topic: string,
    readonly qos: 0 | 1,
    tag: number,
    readonly limit: number,
  ) {
    const payload = encodePayload({ tag, publisher: index, seq: 0, sentAtUs: 0 });
    this.template = encodePublishTemplate(topic, qos, payload);
    this.acked = qos === 1 ? new Bitset(limit) : null;
    client.hooks = {
      onPublish: () => undefined,
      onPuback: (pid) => this.onPuback(pid),
      afterChunk: () => undefined,
    };
  }

  get done(): boolean {
    return this.sent >= this.limit;
  }

  /** Sends up to `n` messages in one write, stamped with `nowUs`; returns how many it sent. */
  sendBatch(n: number, nowUs: number): number {
    const count = Math.min(n, this.limit - this.sent);
    if (count <= 0) return 0;
    const { frame, packetIdOffset, payloadOffset } = this.template;
    const size = frame.length;
    const batch = Buffer.allocUnsafe(size * count);
    for (let i = 0; i < count; i++) {
      const base = i * size;
      frame.copy(batch, base);
      const seq = this.sent++;
      stampPayload(batch, base + payloadOffset, seq, nowUs);
      if (packetIdOffset >= 0) {
        const pid = this.allocatePid(seq);
        batch.writeUInt16BE(pid, base + packetIdOffset);
      }
    }
    this.client.write(batch);
    return count;
  }

  /** Whether the socket holds more than its high-water mark of unsent bytes (wait for 'drain'). */
  blocked(): boolean {
    return this.client.writableLength >= this.client.writableHighWaterMark;
  }

  private allocatePid(seq: number): number {
    // Ids cycle through 1..65535; a window far below 65535 never reuses one still in flight.
    const pid = this.nextPid;
    this.nextPid = pid === 65535 ? 1 : pid + 1;
    this.pidToSeq[pid] = seq;
    this.inflight++;
    return pid;
  }

  private onPuback(pid: number): void {
    const seq = this.pidToSeq[pid]!;
    if (seq < 0 || this.acked === null) return;
    this.pidToSeq[pid] = -1;
    this.inflight--;
    if (this.acked.add(seq)) this.ackedCount++;
  }
}

export class Subscriber {
  /** Deliveries of this phase's tag, plus those from other phases or not ours (ignored). */
  stale = 0;
  /** Receive time of the last counted delivery, µs. */
  lastDeliveryUs = 0;
  private acks: number[] = [];
  private flushScheduled = false;

  constructor(
    readonly client: BenchClient,
    readonly index: number,
    private readonly tag: number,
    private readonly ledger: DeliveryLedger,
  ) {
    client.hooks = {
      onPublish: (buf, qos, pid, start, end) => this.onPublish(buf, qos, pid, start, end),
      onPuback: () => undefined,
      afterChunk: () => this.scheduleAcks(),
    };
  }

  private onPublish(buf: Buffer, qos: number, pid: number, start: number, end: number): void {
    if (qos > 0) this.acks.push(pid);
    if (!isBenchPayload(buf, start, end - start) || buf.readUInt16LE(start + OFFSET_TAG) !== this.tag) {
      this.stale++;
      return;
    }
    const latencyUs = this.client.chunkTimeUs - buf.readDoubleLE(start + OFFSET_SENT_AT);
    this.ledger.record(
      this.index,
      buf.readUInt16LE(start + OFFSET_PUBLISHER),
      buf.readUInt32LE(start + OFFSET_SEQ),
      latencyUs * 1000,
    );
    this.lastDeliveryUs = this.client.chunkTimeUs;
  }

  /**
   * PUBACKs go out once per event-loop turn (setImmediate runs after all sockets ready in this
   * turn were read), so acks for several chunks share one write and one syscall.
   */
  private scheduleAcks(): void {
    if (this.flushScheduled || this.acks.length === 0) return;
    this.flushScheduled = true;
    setImmediate(() => this.flushAcks());
  }

  private flushAcks(): void {
    this.flushScheduled = false;
    const n = this.acks.length;
    if (n === 0) return;
    const buf = Buffer.allocUnsafe(4 * n);
    for (let i = 0; i < n; i++) writePuback(buf, 4 * i, this.acks[i]!);
    this.acks = [];
    this.client.write(buf);
  }
}
