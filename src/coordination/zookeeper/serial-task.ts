/**
 * Runs an async task one at a time: a trigger while it runs schedules exactly one more run. Watch
 * callbacks and link events call `trigger` freely; the task always re-reads ZooKeeper, so a
 * coalesced trigger loses nothing ("after a watch fires, re-read").
 */
export class SerialTask {
  private running = false;
  private again = false;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly onError: (err: unknown) => void,
  ) {}

  get busy(): boolean {
    return this.running;
  }

  trigger(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    // Bounded: each pass needs a new trigger to run again.
    for (let pass = 0; pass === 0 || this.again; pass++) {
      this.again = false;
      try {
        await this.task();
      } catch (err) {
        this.onError(err);
      }
    }
    this.running = false;
  }
}
