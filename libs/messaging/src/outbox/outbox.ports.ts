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
  /** Ends the hold on rows whose direct publish failed (outbox-publishing.ts): the relay may take them now. */
  releaseHeld(ids: readonly string[]): Promise<void>;
}

export const OUTBOX_SOURCE = Symbol('OUTBOX_SOURCE');

/** Resolves once every event is safely with its subscribers (broker confirms, or in-process inbox written). */
export interface IntegrationEventPublisher {
  /** Optional: connect ahead of the first event (a broker publisher). */
  connect?(): Promise<void>;
  publish(events: readonly CallsCloudEvent[]): Promise<void>;
  close(): Promise<void>;
}

export const INTEGRATION_EVENT_PUBLISHER = Symbol('INTEGRATION_EVENT_PUBLISHER');
