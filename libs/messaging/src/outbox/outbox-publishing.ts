import { Logger } from '@nestjs/common';
import type { AfterCommit } from '@calls/application';
import type { SavedEvents } from '@calls/domain';
import { observePublished, outboxPublished, outboxRelayFailures, outsideRequests } from '@calls/runtime';
import type { OutboxMessage } from '../contracts/cloud-event';
import type { OutboxSource } from './outbox.ports';

/**
 * How a committed save's events leave the process: the one place for the
 * rule. Every event is first an outbox row, written in the save's own
 * statement or transaction; then either this process publishes it at once
 * (direct), or the outbox relay does (outbox-relay.ts, in every replica that
 * runs one).
 *
 * **The hold.** A save holds its rows for the process that wrote them (their
 * `relay_after` is `HOLD_MS` after the commit) when, in the statement's
 * snapshot, its call had no event still unpublished; otherwise it holds
 * nothing and the relay publishes them behind the earlier ones. The relay
 * claims a call only while none of its unpublished rows is held
 * (`RELAY_MAY_CLAIM`). The writer ends each hold itself: it marks the rows
 * published once the broker confirmed them, and it releases them
 * (`relay_after` cleared, the relay woken) as soon as their publish failed
 * or was not confirmed within `publishTimeoutMs` of the attempt, and on
 * shutdown, after publishing what was in flight. A hold runs out on its own
 * only when its writer died without a shutdown (killed, crashed): the relay
 * then takes the rows `holdMs` after the commit.
 *
 * **What subscribers are promised.**
 * - At least once: a row is marked published only after the broker confirmed it.
 * - In order per call, for each event's first delivery: a call's rows are
 *   published either by their writer, with none of the call's earlier rows
 *   unpublished, or by a relay that holds the call's advisory lock and reads
 *   its rows in position order.
 * - The same id on every copy: the row's id is the CloudEvent's.
 * - A duplicate (a second copy of an id, which a subscriber drops) happens
 *   only when a publish reached the broker but was not marked: the mark
 *   failed or the process died between the broker's confirm and the mark (a
 *   relay republishes once the hold runs out), or a direct publish that was
 *   given up as failed or late reached the broker anyway (the relay
 *   republishes the released rows). Such a late copy can arrive after a later
 *   event of its call; its first copy did not.
 */
export interface OutboxPublishingSettings {
  /** How long after the commit a held row waits for its writer before the relay may take it. */
  readonly holdMs: number;
  /** A direct publish not confirmed this long after its attempt is given up: its rows go to the relay. */
  readonly publishTimeoutMs: number;
  /** Published rows are marked together, at most this long after their publish was confirmed. */
  readonly markDelayMs: number;
}

/** The relay as direct publishing uses it: it publishes (with its spans) and is woken. */
export interface RelayForPublishing {
  publishMessages(messages: readonly OutboxMessage[]): Promise<void>;
  wake(): void;
}

/** What the save's statement needs to hold rows: how long (in messaging's terms, for persistence). */
export interface OutboxHold {
  readonly holdMs: number;
}

export const OUTBOX_HOLD = Symbol('OUTBOX_HOLD');

/** SQL over the outbox's columns: a row the relay may claim now (not held, or its hold ran out). */
export const RELAY_MAY_CLAIM = 'relay_after IS NULL OR relay_after < now()';

/**
 * SQL: the `relay_after` of a save's rows, given a boolean expression that
 * is true when the call has no event still unpublished and a parameter of
 * the hold in milliseconds.
 */
export const heldUntil = (callHasNoUnpublished: string, holdMsParameter: string): string =>
  `CASE WHEN ${callHasNoUnpublished} THEN now() + ${holdMsParameter}::int * interval '1 millisecond' END`;

export class OutboxPublishing implements AfterCommit {
  private readonly logger = new Logger(OutboxPublishing.name);
  private readonly inFlight = new Set<Promise<void>>();
  /** Ids held for this process and not yet marked or released: what a shutdown must not leave behind. */
  private readonly holding = new Set<string>();
  private batch: OutboxMessage[] = [];
  private batchTimer: NodeJS.Immediate | null = null;
  private toMark: string[] = [];
  private markTimer: NodeJS.Timeout | null = null;
  private marking: Promise<void> | null = null;
  /** A save went to the relay since the last mark: wake it after the next mark (its call may have been held). */
  private relayWaiting = false;

  constructor(
    private readonly relay: RelayForPublishing,
    private readonly source: Pick<OutboxSource, 'markPublished' | 'releaseHeld'>,
    private readonly settings: OutboxPublishingSettings,
  ) {}

  committed(saved: SavedEvents): void {
    // The store wrote these rows from outbox messages (persistence's toMessage): they are that shape.
    const messages = saved.messages as readonly OutboxMessage[];
    if (messages.length === 0) return;
    if (!saved.held) {
      this.relayWaiting = true;
      this.relay.wake();
      return;
    }
    for (const message of messages) this.holding.add(message.id);
    // The saves that commit in one turn of the event loop leave in one publish: fewer socket writes.
    this.batch.push(...messages);
    // Outside the request that committed first: the batch, and any line it logs, belongs to all of them.
    this.batchTimer ??= outsideRequests(() => setImmediate(() => this.publishBatch()));
  }

  private publishBatch(): void {
    this.batchTimer = null;
    const messages = this.batch;
    this.batch = [];
    const ids = messages.map((message) => message.id);
    let given = false;
    const giveUp = (why: string) => {
      if (given) return;
      given = true;
      outboxRelayFailures.inc();
      this.logger.warn(`direct publish of ${messages.length} events failed (${why}); the relay publishes them now`);
      return this.handBack(ids);
    };
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(
        () => resolve(giveUp(`not confirmed within ${this.settings.publishTimeoutMs} ms`)),
        this.settings.publishTimeoutMs,
      );
    });
    const published = this.relay.publishMessages(messages).then(
      () => {
        clearTimeout(timer);
        outboxPublished.inc(messages.length);
        observePublished(
          'direct',
          messages.map((message) => message.occurredAt),
        );
        // Also after a give-up: a late confirm still spares the relay a copy if it has not taken them yet.
        this.mark(ids);
      },
      (error: Error) => {
        clearTimeout(timer);
        return giveUp(error.message);
      },
    );
    const publishing = Promise.race([published, late]);
    this.inFlight.add(publishing);
    void publishing.finally(() => this.inFlight.delete(publishing));
  }

  /** Releases held rows to the relay and wakes it; if even that fails, their hold runs out on its own. */
  private async handBack(ids: readonly string[]): Promise<void> {
    const held = ids.filter((id) => this.holding.delete(id));
    if (held.length === 0) return;
    try {
      await this.source.releaseHeld(held);
    } catch (error) {
      this.logger.warn(
        `releasing ${held.length} held events failed (${(error as Error).message}); the relay takes them after ${this.settings.holdMs} ms`,
      );
    }
    this.relay.wake();
  }

  /**
   * Shutdown: publishes what is batched, waits for the publishes in flight,
   * marks what they published and releases whatever is still held, so no
   * other replica waits for a hold of this one.
   */
  async drain(): Promise<void> {
    if (this.batchTimer) {
      clearImmediate(this.batchTimer);
      this.publishBatch();
    }
    await Promise.all([...this.inFlight]);
    await this.markNow();
    await this.handBack([...this.holding]);
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
    // Either way the hold is no longer this process's to end: marked, or left to run out.
    for (const id of ids) this.holding.delete(id);
    this.marking = this.source.markPublished(ids).then(
      () => {
        if (!this.relayWaiting) return;
        this.relayWaiting = false;
        this.relay.wake();
      },
      (error: Error) =>
        this.logger.warn(
          `marking ${ids.length} published events failed (${error.message}); the relay publishes them again after ${this.settings.holdMs} ms`,
        ),
    );
    try {
      await this.marking;
    } finally {
      this.marking = null;
    }
  }
}
