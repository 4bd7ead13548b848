/**
 * How publishers push load in a phase. Every loop stops at its message limit or its deadline.
 *   - saturateQos0: each publisher writes batches while the kernel accepts them, yields to the
 *     event loop every few batches (so the subscribers in this same process get to read), and
 *     waits for 'drain' under back-pressure.
 *   - saturateQos1: each publisher keeps `window` messages in flight, refilling once per event-loop
 *     turn in which PUBACKs arrived (one write for all of them).
 *   - fixedRate: a 1 ms timer sends whatever the schedule says is due, round-robin over publishers.
 */
import { nowUs } from './clock.js';
import type { Publisher } from './roles.js';

const BATCH = 32;
const BATCHES_PER_TURN = 8;
/** A QoS 1 backlog beyond which the fixed-rate driver stops sending to a stalled broker. */
const FIXED_RATE_MAX_INFLIGHT = 1000;

export async function saturateQos0(publishers: readonly Publisher[], deadlineUs: number): Promise<void> {
  await Promise.all(
    publishers.map(async (pub) => {
      while (!pub.done && pub.client.failure === null) {
        const now = nowUs();
        if (now >= deadlineUs) return;
        if (pub.blocked()) {
          await pub.client.waitDrain();
          continue;
        }
        for (let i = 0; i < BATCHES_PER_TURN && !pub.blocked(); i++) {
          if (pub.sendBatch(BATCH, now) === 0) break;
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    }),
  );
}

export function saturateQos1(
  publishers: readonly Publisher[],
  window: number,
  deadlineUs: number,
): Promise<void> {
  return new Promise((resolve) => {
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      for (const pub of publishers) pub.client.hooks.afterChunk = () => undefined;
      resolve();
    };
    const timer = setTimeout(finish, Math.max(0, (deadlineUs - nowUs()) / 1000));
    const allDone = (): boolean => publishers.every((p) => p.done || p.client.failure !== null);
    for (const pub of publishers) {
      pub.sendBatch(window, nowUs());
      // Refill once per event-loop turn, after every chunk of PUBACKs read in that turn.
      let scheduled = false;
      const refill = (): void => {
        scheduled = false;
        if (finished) return;
        const now = nowUs();
        if (now >= deadlineUs) return finish();
        if (pub.inflight < window && !pub.done) pub.sendBatch(window - pub.inflight, now);
        if (pub.done && allDone()) finish();
      };
      pub.client.hooks.afterChunk = () => {
        if (scheduled || finished) return;
        scheduled = true;
        setImmediate(refill);
      };
    }
    if (allDone()) finish();
  });
}

export function fixedRate(
  publishers: readonly Publisher[],
  ratePerSecond: number,
  deadlineUs: number,
): Promise<void> {
  return new Promise((resolve) => {
    const start = nowUs();
    const limit = publishers.reduce((a, p) => a + p.limit, 0);
    let sent = 0;
    let turn = 0;
    const tick = (): void => {
      const now = nowUs();
      const due = Math.min(limit, Math.floor(((now - start) / 1e6) * ratePerSecond) + 1);
      let idle = 0;
      while (sent < due && idle < publishers.length) {
        const pub = publishers[turn % publishers.length]!;
        turn++;
        if (pub.done || pub.inflight > FIXED_RATE_MAX_INFLIGHT || pub.client.failure !== null) {
          idle++;
          continue;
        }
        idle = 0;
        sent += pub.sendBatch(1, now);
      }
      if (sent >= limit || now >= deadlineUs) return resolve();
      setTimeout(tick, 1);
    };
    tick();
  });
}
