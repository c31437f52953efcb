/**
 * Base of the process's background workers (outbox relay, notifier): runs
 * `round()` again and again until stopped. A round answers how
 * long to pause before the next (0: go on at once); `wake()` cuts a pause
 * short, for work that just arrived. A wake that comes while a round runs is
 * kept, and the next round follows at once: the work it announced may have
 * arrived after the round looked. `stop()` lets the round in flight finish.
 */
export abstract class BackgroundLoop {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private wokenDuringRound = false;

  /** One round of work; answers how long to pause before the next. */
  protected abstract round(): Promise<number>;

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Lets the round in flight finish, then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** Work arrived: look now instead of after the pause. */
  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.wokenDuringRound = true;
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.wokenDuringRound = false;
      const pauseMs = await this.round();
      if (pauseMs > 0 && this.running && !this.wokenDuringRound) await this.pause(pauseMs);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}
