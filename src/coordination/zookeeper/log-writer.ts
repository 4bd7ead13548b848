/**
 * The log writer: group commit of appended events into batches, one persistent-sequential znode
 * per batch in the open segment.
 *
 * Guarantees:
 * - Acknowledged means committed: a callback without error runs only after the multi() that
 *   created the batch returned, i.e. after a ZooKeeper quorum committed it.
 * - Once: each batch carries (brokerId, epoch, seq) and sets the writer's fence (writer-fence.ts);
 *   a create retried after a lost reply cannot land twice, and an unresolved batch is never
 *   overtaken by a later one. Readers drop repeats by (epoch, seq) as a second line.
 * - Order: batches land in the order they were cut, callbacks run in append order.
 * - Loss: pending appends fail only on close() (AppendError 'closed') or when ZooKeeper refuses a
 *   batch for good, not for a connection problem ('link-lost', with the cause); while the link is
 *   down they wait. A batch in doubt (its reply was lost) is resolved by reading the fence, and
 *   only batches that did not land are sent again (in-doubt.ts).
 *
 * Group commit: events appended while earlier batches are in flight form the next batch (up to
 * maxBatchBytes). A batch goes out at once when nothing is in flight; while something is, it waits
 * until it holds pipelineBytes, so at moderate rates one batch is in flight and each carries what
 * arrived during the previous round trip, and under load up to maxInFlightBatches are in flight. Sending pauses (in-flight batches
 * drain) whenever the writer must re-read where it stands: after a failure, or a segment change.
 */
import zookeeper from 'node-zookeeper-client';
import { AppendError, type AppendCallback, type LogPosition } from '../coordination.js';
import type { LogEvent } from '../log-events.js';
import { PendingQueue } from '../log/pending-queue.js';
import { batchOverhead, encodeBatch, encodeEvent } from './batch-format.js';
import type { ZkClient } from './client.js';
import { classifyFailure, resolve, type Batch } from './in-doubt.js';
import type { Logger } from './options.js';
import { paths, sequenceOfPath, toPosition } from './paths.js';
import type { RetryPolicy } from './retry.js';
import { OPEN_VERSION, discoverOpenSegment, sealSegment, type OpenSegment } from './segments.js';
import { fenceData, readFence, type Fence } from './writer-fence.js';

export interface LogWriterOptions {
  brokerId: string;
  epoch: string;
  maxBatchBytes: number;
  maxInFlightBatches: number;
  pipelineBytes: number;
  maxPendingEvents: number;
  segmentEntries: number;
  /** Recovery attempts (re-reading fence and segment) after failures; default: until close. */
  recoveryRetry: RetryPolicy;
  log: Logger;
}

export class LogWriter {
  private readonly queue: PendingQueue<Buffer>;
  /** Cut batches in sequence order, until their callbacks ran. */
  private readonly window: Batch[] = [];
  private inFlight = 0;
  private batchSeq = 0;
  private segment: OpenSegment | null = null;
  private fenceVersion = 0;
  private needsRecovery = true;
  private recovering = false;
  private sealing = false;
  private pumpScheduled = false;
  private closed = false;
  private readonly overhead: number;
  /** Newest position this writer had committed. */
  head: LogPosition = 0;
  /** What recovery found (debug endpoint, tests): batches in doubt that had landed, resends. */
  readonly counters = { recoveries: 0, landedInDoubt: 0, resent: 0 };

  constructor(
    private readonly client: ZkClient,
    private readonly options: LogWriterOptions,
  ) {
    this.queue = new PendingQueue(options.maxPendingEvents);
    this.overhead = batchOverhead(options.brokerId, options.epoch);
  }

  get drained(): PendingQueue<Buffer>['drained'] {
    return this.queue.drained;
  }

  /** Resolves once everything appended so far is committed or failed. */
  flush(): Promise<void> {
    return this.queue.flush();
  }

  stats(): { pendingEvents: number; pendingBytes: number; inFlightBatches: number } {
    return {
      pendingEvents: this.queue.pending,
      pendingBytes: this.queue.pendingBytes,
      inFlightBatches: this.inFlight,
    };
  }

  append(event: LogEvent, done: AppendCallback | undefined): void {
    if (this.closed) return done?.(new AppendError('closed', 'coordination closed'), 0);
    let encoded: Buffer;
    try {
      encoded = encodeEvent(event);
    } catch (err) {
      return done?.(new AppendError('too-large', 'event could not be encoded', { cause: err }), 0);
    }
    if (encoded.length + this.overhead > this.options.maxBatchBytes) {
      const message = `event of ${encoded.length} bytes exceeds the batch limit`;
      return done?.(new AppendError('too-large', message), 0);
    }
    const refused = this.admit(encoded.length);
    if (refused !== null) return done?.(refused, 0);
    this.queue.push({ value: encoded, bytes: encoded.length, done });
    this.schedulePump();
  }

  /**
   * The one place where an append can be refused before it is queued. The quota (issue 4) goes
   * here: return new AppendError('quota-exceeded', ...) to refuse.
   */
  private admit(_bytes: number): AppendError | null {
    return null;
  }

  /** The link is (again) connected: carry on. */
  onLinkUp(): void {
    this.schedulePump();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const err = new AppendError('closed', 'coordination closed');
    for (const batch of this.window.splice(0)) {
      this.queue.settle(batch.items);
      for (const item of batch.items) item.done?.(err, 0);
    }
    this.queue.failQueued(err);
  }

  /** A method, not the field: it changes while recovery awaits. */
  private isClosed(): boolean {
    return this.closed;
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.closed) return;
    this.pumpScheduled = true;
    // One turn of the event loop: everything appended in it goes into the same batch.
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.closed || this.client.state !== 'connected') return;
    if (this.needsRecovery) {
      if (this.inFlight === 0) void this.recover();
      return;
    }
    while (this.inFlight < this.options.maxInFlightBatches) {
      const unsent = this.window.find((b) => b.state === 'unsent');
      // A small batch waits for the one in flight (and grows meanwhile): see pipelineBytes.
      if (unsent === undefined && this.inFlight > 0 && this.queue.pendingBytes < this.options.pipelineBytes)
        break;
      const batch = unsent ?? this.cut();
      if (batch === null) break;
      this.send(batch);
    }
  }

  private cut(): Batch | null {
    const items = this.queue.take(this.options.maxBatchBytes - this.overhead);
    if (items.length === 0) return null;
    const seq = ++this.batchSeq;
    const header = { brokerId: this.options.brokerId, epoch: this.options.epoch, seq, count: items.length };
    const batch: Batch = {
      seq,
      items,
      data: encodeBatch(
        header,
        items.map((item) => item.value),
      ),
      state: 'unsent',
      segment: 0,
      fence: 0,
      sentAfter: -1,
      position: 0,
    };
    this.window.push(batch);
    return batch;
  }

  private send(batch: Batch): void {
    const segment = this.segment!;
    batch.state = 'in-flight';
    batch.segment = segment.number;
    batch.fence = this.fenceVersion++;
    batch.sentAfter = segment.highWater;
    this.inFlight++;
    this.client
      .multi([
        { type: 'check', path: paths.segment(segment.number), version: OPEN_VERSION },
        {
          type: 'setData',
          path: paths.writer(this.options.brokerId),
          data: fenceData(this.options.epoch, batch.seq),
          version: batch.fence,
        },
        {
          type: 'create',
          path: paths.entryPrefix(segment.number),
          data: batch.data,
          mode: zookeeper.CreateMode.PERSISTENT_SEQUENTIAL,
        },
      ])
      .then(
        (results) => this.onCommitted(batch, sequenceOfPath(results[2]?.path ?? '')),
        (err: unknown) => this.onFailed(batch, err),
      );
  }

  private onCommitted(batch: Batch, seq: number): void {
    this.inFlight--;
    if (this.closed) return;
    this.commit(batch, seq);
    this.complete();
    if (seq + 1 >= this.options.segmentEntries && this.segment?.number === batch.segment) {
      void this.rollover(batch.segment);
    }
    this.schedulePump();
  }

  private commit(batch: Batch, seq: number): void {
    batch.state = 'committed';
    batch.position = toPosition(batch.segment, seq);
    if (this.segment?.number === batch.segment)
      this.segment.highWater = Math.max(this.segment.highWater, seq);
    this.head = Math.max(this.head, batch.position);
  }

  private onFailed(batch: Batch, err: unknown): void {
    this.inFlight--;
    if (this.closed) return;
    // Whatever failed, the fence versions of the batches behind it are now wrong: re-read them.
    this.needsRecovery = true;
    batch.state = classifyFailure(err);
    if (batch.state === 'failed') {
      batch.error = new AppendError('link-lost', 'the batch was refused', { cause: err });
      this.options.log.error({ err, seq: batch.seq }, 'log batch refused');
    }
    this.complete();
    this.schedulePump();
  }

  /** Runs callbacks of finished batches at the head of the window, in append order. */
  private complete(): void {
    while (this.window.length > 0) {
      const batch = this.window[0]!;
      if (batch.state !== 'committed' && batch.state !== 'failed') break;
      this.window.shift();
      this.queue.settle(batch.items);
      for (const item of batch.items) item.done?.(batch.error ?? null, batch.error ? 0 : batch.position);
    }
  }

  private async rollover(segment: number): Promise<void> {
    if (this.sealing) return;
    this.sealing = true;
    try {
      const sealedByUs = await sealSegment(this.client, segment);
      this.options.log.info({ segment, sealedByUs }, 'log segment sealed');
    } catch (err) {
      this.options.log.warn({ err, segment }, 'sealing a log segment failed; the next append retries');
    } finally {
      this.sealing = false;
      this.needsRecovery = true; // switch segments once what is in flight has landed
      this.schedulePump();
    }
  }

  /**
   * Finds where the writer stands: the fence (how many of our batches landed, the last one) and
   * the open segment; resolves batches in doubt. Runs with nothing in flight.
   */
  private async recover(): Promise<void> {
    if (this.recovering) return;
    this.recovering = true;
    const started = Date.now();
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        await this.client.whenConnected();
        const fence = await readFence(this.client, this.options.brokerId);
        this.segment = await discoverOpenSegment(this.client);
        await this.resolveDoubts(fence);
        this.fenceVersion = fence.version;
        this.needsRecovery = false;
        this.counters.recoveries++;
        break;
      } catch (err) {
        if (this.isClosed()) break;
        this.options.log.warn({ err, attempt }, 'log writer recovery failed; retrying');
        const again = await this.options.recoveryRetry.allowRetry(
          attempt,
          Date.now() - started,
          this.client.sleeper,
        );
        if (!again) break;
      }
    }
    this.recovering = false;
    this.complete();
    this.schedulePump();
  }

  private async resolveDoubts(fence: Fence): Promise<void> {
    for (const batch of this.window) {
      if (batch.state !== 'doubt') continue;
      const outcome = await resolve(this.client, batch, fence, this.options.epoch);
      if (!outcome.landed) {
        batch.state = 'unsent';
        this.counters.resent++;
        continue;
      }
      this.counters.landedInDoubt++;
      if (outcome.seq === null) {
        // The fence says it landed but it is not where it should be (trimmed already?): it is
        // committed all the same, and its position is a lower bound.
        this.options.log.error({ seq: batch.seq, segment: batch.segment }, 'landed batch not found');
      }
      this.commit(batch, outcome.seq ?? Math.max(0, batch.sentAfter + 1));
    }
  }
}
