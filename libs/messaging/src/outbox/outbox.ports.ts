import type { CallsCloudEvent, OutboxMessage } from '../contracts/cloud-event';

/**
 * Where the relay takes unpublished events from. `publishNext` claims a batch
 * (so no other relay publishes the same calls at the same time), hands it to
 * `publish`, and marks it published only if `publish` resolved; if it throws,
 * or the process dies, the rows stay unpublished for the next attempt.
 * Events of one call come in the order they were written.
 */
export interface OutboxSource {
  publishNext(limit: number, publish: (messages: readonly OutboxMessage[]) => Promise<void>): Promise<number>;
  /** Deletes rows published before `before`; answers how many. */
  prunePublished(before: Date): Promise<number>;
  /** Optional: gives back what the source holds between rounds (a database connection); called when the relay stops. */
  release?(): Promise<void>;
  /** Marks rows published that were published without the relay (direct publishing). */
  markPublished(ids: readonly string[]): Promise<void>;
}

/**
 * What a save hands over right after its commit: the events it wrote, and
 * whether they are this replica's to publish at once (`direct`: the call had
 * no event still unpublished) or the relay's. A save asks `directGraceMs`
 * first: with it, its statement decides `direct` and leaves direct rows to
 * the relay only after that many ms (in case this replica dies or its
 * publish fails); without a handover, rows wait for the relay as before.
 */
export interface OutboxHandover {
  readonly directGraceMs: number;
  committed(messages: readonly OutboxMessage[], direct: boolean): void;
}

export const OUTBOX_HANDOVER = Symbol('OUTBOX_HANDOVER');

export const OUTBOX_SOURCE = Symbol('OUTBOX_SOURCE');

/** Resolves once every event is safely with its subscribers (broker confirms, or in-process inbox written). */
export interface IntegrationEventPublisher {
  /** Optional: connect ahead of the first event (a broker publisher). */
  connect?(): Promise<void>;
  publish(events: readonly CallsCloudEvent[]): Promise<void>;
  close(): Promise<void>;
}

export const INTEGRATION_EVENT_PUBLISHER = Symbol('INTEGRATION_EVENT_PUBLISHER');
