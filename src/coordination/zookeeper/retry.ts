/**
 * Retry as a policy object with an injected sleeper, as Curator's RetryPolicy: the policy decides
 * whether another attempt is allowed and sleeps through the sleeper it is given, never through a
 * timer of its own, so tests run it without real time and close() can cut a sleep short.
 */

export interface Sleeper {
  /** Resolves after `ms`, or earlier when its owner cancels the sleeper (on close). */
  sleep(ms: number): Promise<void>;
}

export interface RetryPolicy {
  /**
   * Called after a failed attempt (retryCount 0 after the first failure); sleeps as the policy
   * wants and says whether to try again.
   */
  allowRetry(retryCount: number, elapsedMs: number, sleeper: Sleeper): Promise<boolean>;
}

/** Exponential backoff with jitter: base * random(1 .. 2^(n+1)), capped per sleep and in count. */
export class ExponentialBackoffRetry implements RetryPolicy {
  constructor(
    private readonly options: {
      baseSleepMs: number;
      maxSleepMs: number;
      /** Infinity: retry until cancelled (session re-establishment). */
      maxRetries: number;
      /** Gives up once this much time has passed since the first attempt. */
      maxElapsedMs?: number;
      random?: () => number;
    },
  ) {}

  sleepFor(retryCount: number): number {
    const random = this.options.random ?? Math.random;
    // Cap the exponent as Curator does, so that 2^n cannot overflow into nonsense.
    const factor = 1 + Math.floor(random() * 2 ** Math.min(retryCount + 1, 20));
    return Math.min(this.options.baseSleepMs * factor, this.options.maxSleepMs);
  }

  async allowRetry(retryCount: number, elapsedMs: number, sleeper: Sleeper): Promise<boolean> {
    if (retryCount >= this.options.maxRetries) return false;
    if (elapsedMs >= (this.options.maxElapsedMs ?? Infinity)) return false;
    await sleeper.sleep(this.sleepFor(retryCount));
    return true;
  }
}

/** A sleeper on real timers whose pending sleeps all end at once on `cancel()` (used by close). */
export class TimerSleeper implements Sleeper {
  private readonly wakers = new Set<() => void>();
  private cancelledFlag = false;

  get cancelled(): boolean {
    return this.cancelledFlag;
  }

  sleep(ms: number): Promise<void> {
    if (this.cancelledFlag) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  cancel(): void {
    this.cancelledFlag = true;
    for (const wake of [...this.wakers]) wake();
  }
}
