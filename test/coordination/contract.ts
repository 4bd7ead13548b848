/**
 * The Coordination contract: one suite, run on every implementation through a factory
 * (aedes-persistence's abstract.js, MQTT.js's abstractStoreTest). memory.test.ts runs it on the
 * in-memory implementation, zookeeper.test.ts on a real 3-server ensemble. Cases are named by the
 * failure mode they exercise, as Curator's tests are.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AppendError,
  type Coordination,
  type CoordinationOptions,
} from '../../src/coordination/coordination.js';
import {
  appendAll,
  appendOneByOne,
  collect,
  eventually,
  fromWriter,
  publish,
  soleLeader,
  startBrokers,
  turns,
} from './contract-helpers.js';

export type ContractBrokerOptions = Partial<
  Pick<CoordinationOptions, 'maxBatchBytes' | 'maxInFlightBatches' | 'maxPendingEvents'>
> & {
  /** Entries per log segment, where the implementation has segments (tiny in the rollover case). */
  segmentEntries?: number;
};

export interface ContractFaults {
  /** Expires the broker's session; resolves once the broker has seen it ('lost'). */
  expire(brokerId: string): Promise<void>;
  /** Drops the broker's link and keeps it down; resolves once the broker is 'suspended'. */
  disconnect(brokerId: string): Promise<void>;
  /** Lets the broker's link come back. */
  reconnect(brokerId: string): Promise<void>;
  /** The broker's next log create lands but its reply is lost; resolves once that happened. */
  loseReplyOfNextAppend(brokerId: string): Promise<void>;
  /** A second copy of the batch at `position` lands at the head of the log (as a late resend). */
  duplicate(brokerId: string, position: number): Promise<void>;
}

export interface ContractCluster {
  /** A new, not yet started, Coordination for `brokerId` on this cluster (same id: a restart). */
  broker(brokerId: string, options?: ContractBrokerOptions): Promise<Coordination>;
  faults: ContractFaults;
  /** Closes every broker made by `broker` and what the cluster holds. */
  close(): Promise<void>;
}

export interface ContractFactory {
  name: string;
  /** A fresh, empty cluster (its own namespace). */
  cluster(): Promise<ContractCluster>;
}

export function coordinationContract(factory: ContractFactory): void {
  describe(`Coordination contract: ${factory.name}`, () => {
    let cluster: ContractCluster;
    beforeEach(async () => {
      cluster = await factory.cluster();
    });
    afterEach(async () => {
      await cluster.close();
    });

    it('three writers: one total order, the same for every follower, each writer in its own order', async () => {
      const brokers = await startBrokers(cluster, ['a', 'b', 'c']);
      const views = brokers.map((b) => collect(b));
      const acks = await Promise.all(brokers.map((b) => appendAll(b, b.brokerId, 120, 30)));
      for (const ack of acks.flat()) expect(ack.err).toBeNull();
      await eventually(() => views.every((v) => v.events.length === 360));
      for (const view of views.slice(1)) expect(view.events).toEqual(views[0]!.events);
      expect(new Set(views[0]!.events).size).toBe(360);
      for (const writer of ['a', 'b', 'c'])
        expect(fromWriter(views[0]!, writer)).toEqual([...Array(120).keys()]);
      // Acknowledged means committed: every event sits in the entry at the position its ack named,
      // as a follower that starts afterwards reads it.
      const late = (await startBrokers(cluster, ['d']))[0]!;
      const lateView = collect(late);
      await eventually(() => lateView.events.length === 360);
      expect(lateView.events).toEqual(views[0]!.events);
      for (const [i, ack] of acks.flat().entries()) {
        expect(lateView.positionOf.get(ack.payload), `event ${i}`).toBe(ack.position);
      }
    });

    it('lost reply: a batch whose create reply was lost is applied once', async () => {
      const [a, b] = await startBrokers(cluster, ['a', 'b']);
      const views = [collect(a!), collect(b!)];
      const lost = cluster.faults.loseReplyOfNextAppend('a');
      const first = appendAll(a!, 'a', 10, 10);
      await lost;
      for (const ack of await first) expect(ack.err).toBeNull();
      for (const ack of await appendAll(a!, 'a', 10, 10, 10)) expect(ack.err).toBeNull();
      await eventually(() => views.every((v) => v.events.length === 20));
      for (const view of views) expect(fromWriter(view, 'a')).toEqual([...Array(20).keys()]);
    });

    it('session expired: membership and leadership are rebuilt with a new session; no loss, no repeat', async () => {
      const [a, b, c] = await startBrokers(cluster, ['a', 'b', 'c']);
      const views = [a!, b!, c!].map((x) => collect(x));
      await eventually(() => soleLeader([a!, b!, c!]) === 'a');
      const states: string[] = [];
      a!.onLinkState((s) => states.push(s));
      await appendAll(b!, 'b', 5, 5);
      const inFlight = appendAll(a!, 'a', 100, 10); // some of it in flight when the session goes
      await turns(11); // all appended (10 per turn), not all committed
      await cluster.faults.expire('a');
      const duringExpiry = appendAll(a!, 'a', 10, 5, 100);
      await eventually(() => a!.linkState === 'connected');
      expect(states).toContain('lost');
      for (const ack of [...(await inFlight), ...(await duringExpiry)]) expect(ack.err).toBeNull();
      // a queued again behind b and c: b leads, in every view.
      await eventually(() => soleLeader([a!, b!, c!]) === 'b');
      await eventually(
        () =>
          b!
            .members()
            .map((m) => m.brokerId)
            .sort()
            .join() === 'a,b,c',
      );
      await appendAll(b!, 'b', 5, 5, 5);
      await appendAll(a!, 'a', 5, 5, 110);
      await eventually(() => views.every((v) => v.events.length === 125));
      for (const view of views.slice(1)) expect(view.events).toEqual(views[0]!.events);
      expect(fromWriter(views[0]!, 'a')).toEqual([...Array(115).keys()]);
    });

    it('connection lost: suspended, appends wait, then reconnected and they complete', async () => {
      const [a, b] = await startBrokers(cluster, ['a', 'b']);
      const viewB = collect(b!);
      await eventually(() => soleLeader([a!, b!]) === 'a');
      const inFlight = appendAll(a!, 'a', 50, 10); // some of it in flight when the link drops
      await turns(6); // all appended (10 per turn), not all committed
      await cluster.faults.disconnect('a');
      expect(a!.linkState).toBe('suspended');
      expect(a!.isLeader()).toBe(false);
      await turns(5);
      const seenBefore = fromWriter(viewB, 'a').length;
      let acked = 0;
      const acks = appendAll(a!, 'a', 10, 10, 50, () => acked++);
      await turns(5);
      // Not committed while the link is down: not acknowledged, and nobody sees it.
      expect(acked).toBe(0);
      expect(a!.stats().pendingEvents).toBeGreaterThanOrEqual(10);
      expect(fromWriter(viewB, 'a').filter((i) => i >= 50)).toEqual([]);
      expect(seenBefore).toBeLessThanOrEqual(50);
      await cluster.faults.reconnect('a');
      for (const ack of [...(await inFlight), ...(await acks)]) expect(ack.err).toBeNull();
      await eventually(() => fromWriter(viewB, 'a').length === 60);
      expect(fromWriter(viewB, 'a')).toEqual([...Array(60).keys()]);
      await eventually(() => soleLeader([a!, b!]) === 'a');
    });

    it('leader closes: another becomes leader, and every view agrees on exactly one', async () => {
      const [a, b, c] = await startBrokers(cluster, ['a', 'b', 'c']);
      await eventually(() => soleLeader([a!, b!, c!]) === 'a');
      await a!.close();
      await eventually(() => soleLeader([b!, c!]) === 'b');
      expect(a!.isLeader()).toBe(false);
      await b!.close();
      await eventually(() => soleLeader([c!]) === 'c');
    });

    it('restart: snapshot plus the rest of the log gives the identical event sequence', async () => {
      const [a, w] = await startBrokers(cluster, ['a', 'w']);
      const view = collect(a!);
      await appendAll(w!, 'w', 20, 5);
      await eventually(() => view.events.length === 20);
      const position = view.lastPosition;
      await a!.saveSnapshot(position, { seen: [...view.events] });
      await appendAll(w!, 'w', 10, 5, 20);
      // A late copy of a batch the snapshot covers: the restored dedupe table must drop it.
      await cluster.faults.duplicate('w', view.entries[0]!.position);
      await appendAll(w!, 'w', 5, 5, 30);
      await eventually(() => view.events.length === 35);
      await a!.close();
      const restarted = await cluster.broker('a');
      await restarted.start();
      const snapshot = await restarted.loadSnapshot();
      expect(snapshot?.position).toBe(position);
      const rest = collect(restarted, position);
      await eventually(() => rest.events.length === 15);
      await turns(5);
      expect([...(snapshot!.state as { seen: string[] }).seen, ...rest.events]).toEqual(view.events);
    });

    it('trim: removes what a snapshot covers and every member applied; followers carry on', async () => {
      const [a, b] = await startBrokers(cluster, ['a', 'b']);
      const views = [collect(a!), collect(b!)];
      await appendAll(a!, 'a', 40, 10);
      await eventually(() => views.every((v) => v.events.length === 40));
      const entriesBefore = a!.stats().entries;
      const position = views[0]!.lastPosition;
      await a!.saveSnapshot(position, { n: 40 });
      let removed = 0;
      // Members report what they applied every few seconds: trim until the tail reaches the snapshot.
      await eventually(async () => {
        removed += await a!.trim(position);
        return a!.stats().tail >= position;
      });
      expect(removed).toBeGreaterThan(0);
      expect(a!.stats().entries).toBeLessThan(entriesBefore);
      expect(await a!.trim(position)).toBe(0); // safe to run twice
      await appendAll(b!, 'b', 10, 5);
      await eventually(() => views.every((v) => v.events.length === 50));
      const [c] = await startBrokers(cluster, ['c']);
      expect((await c!.loadSnapshot())?.position).toBe(position);
      const viewC = collect(c!, position);
      await eventually(() => viewC.events.length === 10);
      expect(viewC.events).toEqual(views[0]!.events.slice(40));
    });

    it('trim: never removes what a live member has not applied', async () => {
      const [a] = await startBrokers(cluster, ['a', 'idle']);
      const view = collect(a!);
      await appendAll(a!, 'a', 10, 5);
      await eventually(() => view.events.length === 10);
      await a!.saveSnapshot(view.lastPosition, { n: 10 });
      expect(await a!.trim(view.lastPosition)).toBe(0);
      expect(a!.stats().tail).toBe(0);
    });

    it('segment rollover: a log over many tiny segments reads in one order everywhere', async () => {
      const brokers = await startBrokers(cluster, ['a', 'b', 'c'], { segmentEntries: 4 });
      const views = brokers.map((b) => collect(b));
      await Promise.all(brokers.map((b) => appendOneByOne(b, b.brokerId, 25)));
      await eventually(() => views.every((v) => v.events.length === 75));
      for (const view of views.slice(1)) expect(view.events).toEqual(views[0]!.events);
      for (const w of ['a', 'b', 'c']) expect(fromWriter(views[0]!, w)).toEqual([...Array(25).keys()]);
      const position = views[0]!.lastPosition;
      await brokers[0]!.saveSnapshot(position, {});
      await eventually(async () => {
        await brokers[0]!.trim(position);
        return brokers[0]!.stats().tail >= position;
      });
      await appendOneByOne(brokers[1]!, 'b', 6, 25);
      await eventually(() => views.every((v) => v.events.length === 81));
      for (const view of views.slice(1)) expect(view.events).toEqual(views[0]!.events);
    });

    it('large batches near the size cap are committed whole; an event over the cap is refused', async () => {
      const [a] = await startBrokers(cluster, ['a'], { maxBatchBytes: 256 * 1024 });
      const view = collect(a!);
      const big = (i: number) => publish('a', i, 60 * 1024);
      const acks = await appendAll(a!, 'a', 12, 12, 0, undefined, big);
      for (const ack of acks) expect(ack.err).toBeNull();
      await eventually(() => view.events.length === 12);
      expect(view.entries.length).toBeGreaterThanOrEqual(3);
      for (const entry of view.entries) expect(entry.bytes).toBeLessThanOrEqual(256 * 1024);
      for (const [i, e] of view.published.entries()) expect(e.payload.equals(big(i).payload)).toBe(true);
      const refused = await appendAll(a!, 'a', 1, 1, 12, undefined, (i) => publish('a', i, 300 * 1024));
      expect(refused[0]!.err).toBeInstanceOf(AppendError);
      expect((refused[0]!.err as AppendError).reason).toBe('too-large');
    });

    it('back-pressure: pending events count while the link is down; onDrain fires once they drain', async () => {
      const [a] = await startBrokers(cluster, ['a'], { maxPendingEvents: 100 });
      await cluster.faults.disconnect('a');
      let drained = 0;
      a!.onDrain(() => drained++);
      const acks = appendAll(a!, 'a', 150, 150);
      await turns(3);
      expect(a!.stats().pendingEvents).toBe(150);
      await cluster.faults.reconnect('a');
      for (const ack of await acks) expect(ack.err).toBeNull();
      await eventually(() => drained >= 1 && a!.stats().pendingEvents === 0);
    });

    it('flush resolves once everything appended so far is committed', async () => {
      const [a] = await startBrokers(cluster, ['a']);
      let acked = 0;
      const acks = appendAll(a!, 'a', 20, 20, 0, () => acked++); // all 20 appended in this turn
      await a!.flush();
      expect(acked).toBe(20);
      await acks;
    });

    it('close fails pending appends with AppendError closed, and every later append', async () => {
      const [a] = await startBrokers(cluster, ['a']);
      await cluster.faults.disconnect('a');
      const acks = appendAll(a!, 'a', 5, 5);
      await turns(2);
      await a!.close();
      for (const ack of await acks) expect((ack.err as AppendError | null)?.reason).toBe('closed');
      const after = await appendAll(a!, 'a', 1, 1, 5);
      expect((after[0]!.err as AppendError | null)?.reason).toBe('closed');
      expect(a!.linkState).toBe('closed');
    });
  });
}
