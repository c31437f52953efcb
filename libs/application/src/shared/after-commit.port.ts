import type { SavedEvents } from '@calls/domain';

/**
 * Where a committed save's events go next, besides the in-process event bus:
 * the messaging side (libs/messaging, outbox-publishing.ts) publishes the
 * events the store held for this process at once, and leaves the others to
 * the outbox relay. Called once per commit, never for a save that failed.
 */
export interface AfterCommit {
  committed(saved: SavedEvents): void;
}

export const AFTER_COMMIT = Symbol('AFTER_COMMIT');
