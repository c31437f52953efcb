import { Logger } from '@nestjs/common';
import { toCloudEvent } from '../contracts/cloud-event';
import type { IntegrationEventPublisher, OutboxSource } from './outbox.ports';

export interface OutboxRelaySettings {
  readonly batchSize: number;
  /** How often to look for rows when nobody woke the relay (rows written by another replica). */
  readonly pollIntervalMs: number;
  /** Longest wait between attempts while the broker or database fails. */
  readonly maxBackoffMs: number;
}

/**
 * Moves outbox rows to the publisher: at least once, in order per call. It
 * runs until stopped; a failure (broker down, database down) is retried with
 * a growing pause and never loses a row, because a row is marked published
 * only after the publisher resolved. Written by hand: no maintained outbox
 * library for NestJS + TypeORM exists.
 */
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private failures = 0;

  constructor(
    private readonly source: OutboxSource,
    private readonly publisher: IntegrationEventPublisher,
    private readonly settings: OutboxRelaySettings,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Finishes the batch in flight, then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** New rows were committed: look now instead of at the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  /** One batch; for tests and for draining. Answers how many rows were published. */
  async publishOnce(): Promise<number> {
    return this.source.publishNext(this.settings.batchSize, (messages) =>
      this.publisher.publish(messages.map((message) => toCloudEvent(message))),
    );
  }

  private async run(): Promise<void> {
    while (this.running) {
      let published = 0;
      try {
        published = await this.publishOnce();
        if (this.failures > 0) this.logger.log(`outbox relay recovered after ${this.failures} failed attempts`);
        this.failures = 0;
      } catch (error) {
        this.failures += 1;
        this.logger.warn(`outbox relay attempt ${this.failures} failed: ${(error as Error).message}`);
      }
      if (published >= this.settings.batchSize) continue; // more waiting: no pause
      await this.pause(this.failures > 0 ? this.backoffMs() : this.settings.pollIntervalMs);
    }
  }

  private backoffMs(): number {
    const exponential = Math.min(this.settings.maxBackoffMs, 100 * 2 ** Math.min(this.failures, 16));
    return exponential / 2 + Math.random() * (exponential / 2);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }
}
