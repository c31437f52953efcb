import { Logger } from '@nestjs/common';
import { observePublished, outboxPublished, outboxRelayFailures } from '@calls/runtime';
import type { OutboxMessage } from '../contracts/cloud-event';
import type { OutboxHandover, OutboxSource } from './outbox.ports';

export interface DirectPublishingSettings {
  /** How long the relay leaves a direct save's rows alone (longer than a publish may take). */
  readonly graceMs: number;
  /** Published rows are marked together, at most this long after their publish was confirmed. */
  readonly markDelayMs: number;
}

/** The relay's side of direct publishing: it publishes (with its spans) and is woken. */
export interface RelayForDirectPublishing {
  publishMessages(messages: readonly OutboxMessage[]): Promise<void>;
  wake(): void;
}

/**
 * Publishes a save's events right after its commit, from the messages the
 * save already holds, instead of waiting for the relay to claim, read,
 * publish and mark them in a transaction of its own: the cancel's event
 * leaves with the 200, so the media plane stops sooner. Published rows are
 * marked in batches (one UPDATE for many saves).
 *
 * Nothing changes in what subscribers are promised:
 * - at least once: a publish that fails, or a replica that dies, leaves its
 *   rows unpublished, and the relay takes them after `graceMs`;
 * - order per call: a save publishes directly only when its call had no
 *   event still unpublished (its statement checks, in the snapshot after
 *   the previous version's commit); otherwise its rows go to the relay,
 *   which skips a call while any of its rows is held for direct publishing,
 *   and is woken again once the held rows are marked;
 * - ids: the outbox row's id is the CloudEvent's, whichever path sends it.
 * A duplicate can occur only if the mark fails or the replica dies between
 * the broker's confirm and the mark, as with the relay.
 */
export class DirectPublishing implements OutboxHandover {
  private readonly logger = new Logger(DirectPublishing.name);
  private readonly inFlight = new Set<Promise<void>>();
  private batch: OutboxMessage[] = [];
  private batchTimer: NodeJS.Immediate | null = null;
  private toMark: string[] = [];
  private markTimer: NodeJS.Timeout | null = null;
  private marking: Promise<void> | null = null;
  /** A save went to the relay since the last mark: wake it after the next mark (its call may have been held). */
  private relayWaiting = false;

  constructor(
    private readonly relay: RelayForDirectPublishing,
    private readonly source: Pick<OutboxSource, 'markPublished'>,
    private readonly settings: DirectPublishingSettings,
  ) {}

  get directGraceMs(): number {
    return this.settings.graceMs;
  }

  committed(messages: readonly OutboxMessage[], direct: boolean): void {
    if (messages.length === 0) return;
    if (!direct) {
      this.relayWaiting = true;
      this.relay.wake();
      return;
    }
    // The saves that commit in one turn of the event loop leave in one publish: fewer socket writes.
    this.batch.push(...messages);
    this.batchTimer ??= setImmediate(() => this.publishBatch());
  }

  private publishBatch(): void {
    this.batchTimer = null;
    const messages = this.batch;
    this.batch = [];
    const publishing = this.relay.publishMessages(messages).then(
      () => {
        outboxPublished.inc(messages.length);
        observePublished(
          'direct',
          messages.map((message) => message.occurredAt),
        );
        this.mark(messages.map((message) => message.id));
      },
      (error: Error) => {
        outboxRelayFailures.inc();
        this.logger.warn(
          `direct publish of ${messages.length} events failed (${error.message}); the relay publishes them after ${this.settings.graceMs} ms`,
        );
      },
    );
    this.inFlight.add(publishing);
    void publishing.finally(() => this.inFlight.delete(publishing));
  }

  /** Waits for the publishes in flight and marks what they published (shutdown). */
  async drain(): Promise<void> {
    if (this.batchTimer) {
      clearImmediate(this.batchTimer);
      this.publishBatch();
    }
    await Promise.all([...this.inFlight]);
    await this.markNow();
  }

  private mark(ids: readonly string[]): void {
    this.toMark.push(...ids);
    this.markTimer ??= setTimeout(() => void this.markNow(), this.settings.markDelayMs);
  }

  private async markNow(): Promise<void> {
    if (this.markTimer) clearTimeout(this.markTimer);
    this.markTimer = null;
    while (this.marking) await this.marking;
    const ids = this.toMark;
    this.toMark = [];
    if (ids.length === 0) return;
    this.marking = this.source.markPublished(ids).then(
      () => {
        if (!this.relayWaiting) return;
        this.relayWaiting = false;
        this.relay.wake();
      },
      (error: Error) =>
        this.logger.warn(
          `marking ${ids.length} directly published events failed (${error.message}); the relay publishes them again after ${this.settings.graceMs} ms`,
        ),
    );
    try {
      await this.marking;
    } finally {
      this.marking = null;
    }
  }
}
