import { Logger } from '@nestjs/common';
import {
  observePublished,
  outboxPublished,
  outboxRelayFailures,
  SpanKind,
  SpanStatusCode,
  startSpanFrom,
  traceContextOfSpan,
} from '@calls/runtime';
import { BackgroundLoop } from '../background-loop';
import { OutboxMessage, toCloudEvent } from '../contracts/cloud-event';
import type { IntegrationEventPublisher, OutboxSource } from './outbox.ports';

export interface OutboxRelaySettings {
  readonly batchSize: number;
  /** How often to look for rows when nobody woke the relay (rows written by another replica). */
  readonly pollIntervalMs: number;
  /** Longest wait between attempts while the broker or database fails. */
  readonly maxBackoffMs: number;
  /**
   * How long a woken relay waits for more events before it claims (ms; 0:
   * none). Under load each request wakes it; waiting a few milliseconds lets
   * one claim carry the events of several requests instead of one each.
   */
  readonly lingerMs?: number;
}

/**
 * Moves outbox rows to the publisher: at least once, in order per call. It
 * runs until stopped; a failure (broker down, database down) is retried with
 * a growing pause and never loses a row, because a row is marked published
 * only after the publisher resolved. Written by hand: no maintained outbox
 * library for NestJS + TypeORM exists.
 */
export class OutboxRelay extends BackgroundLoop {
  private readonly logger = new Logger(OutboxRelay.name);
  private failures = 0;
  private draining = false;

  constructor(
    private readonly source: OutboxSource,
    private readonly publisher: IntegrationEventPublisher,
    private readonly settings: OutboxRelaySettings,
  ) {
    super();
  }

  override async stop(): Promise<void> {
    await super.stop();
    await this.source.release?.();
  }

  /** One batch, outside the loop (tests, draining): nothing stays held after it. Answers how many rows were published. */
  async publishOnce(): Promise<number> {
    try {
      return await this.publishBatch();
    } finally {
      await this.source.release?.();
    }
  }

  private publishBatch(): Promise<number> {
    return this.source.publishNext(this.settings.batchSize, async (messages) => {
      await this.publishMessages(messages);
      observePublished(
        'relay',
        messages.map((message) => message.occurredAt),
      );
    });
  }

  /**
   * One producer span per event, a child of the request that wrote it, ended
   * when the publisher confirmed the batch; the event carries that span's
   * context, so a subscriber's span follows the publish in the same trace.
   * With tracing off the stored context passes through unchanged.
   */
  async publishMessages(messages: readonly OutboxMessage[]): Promise<void> {
    const spans = messages.map((message) =>
      startSpanFrom(message.trace, `publish ${message.type}`, SpanKind.PRODUCER, {
        'messaging.operation.type': 'send',
        'messaging.message.id': message.id,
        'cloudevents.event_id': message.id,
        'cloudevents.event_type': message.type,
      }),
    );
    try {
      await this.publisher.publish(messages.map((message, i) => toCloudEvent(message, traceContextOfSpan(spans[i]))));
    } catch (error) {
      for (const span of spans) span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      for (const span of spans) span.end();
    }
  }

  /** One batch of the loop; answers how long to pause before the next. */
  protected async round(): Promise<number> {
    try {
      // Not while draining a backlog: those rounds are full batches already.
      const linger = this.settings.lingerMs ?? 0;
      if (linger > 0 && !this.draining) await new Promise((resolve) => setTimeout(resolve, linger));
      const published = await this.publishBatch();
      this.draining = published >= this.settings.batchSize;
      outboxPublished.inc(published);
      if (this.failures > 0) this.logger.log(`outbox relay recovered after ${this.failures} failed attempts`);
      this.failures = 0;
      return published >= this.settings.batchSize ? 0 : this.settings.pollIntervalMs; // more waiting: no pause
    } catch (error) {
      this.failures += 1;
      outboxRelayFailures.inc();
      this.logger.warn(`outbox relay attempt ${this.failures} failed: ${(error as Error).message}`);
      const exponential = Math.min(this.settings.maxBackoffMs, 100 * 2 ** Math.min(this.failures, 16));
      return exponential / 2 + Math.random() * (exponential / 2);
    }
  }
}
