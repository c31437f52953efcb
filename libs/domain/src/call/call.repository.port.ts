import type { Call } from './call.aggregate';
import type { CallOwner } from './call.values';
import type { MediaOperationProps, OperationStatus } from './media-operation';

export const CALL_REPOSITORY = Symbol('CALL_REPOSITORY');

/**
 * What a save wrote for publication: the call's events as stored (opaque
 * here; the after-commit port of the application reads them), and whether
 * the store holds them for this process to publish itself (`held`) rather
 * than for the outbox relay.
 */
export interface SavedEvents {
  readonly messages: readonly unknown[];
  readonly held: boolean;
}

/** A save that wrote no event. */
export const NO_EVENTS_SAVED: SavedEvents = Object.freeze({ messages: [], held: false });

/**
 * Where calls live. `findOwned` answers null both for a call that does not
 * exist and for one that belongs to another tenant or application, so no
 * caller can tell the two apart.
 */
export interface CallRepository {
  findOwned(owner: CallOwner, callId: string): Promise<Call | null>;
  /** Any owner's call: for the media plane, which acts for the service itself. */
  findById(callId: string): Promise<Call | null>;
  /**
   * Writes the call, its changed operations and its uncommitted events (to
   * the outbox) in one transaction. Throws ConcurrencyConflictError when the
   * call changed since it was loaded; nothing is written then. Answers the
   * events it wrote, for the after-commit port.
   */
  save(call: Call): Promise<SavedEvents>;
  findOperation(owner: CallOwner, callId: string, operationId: string): Promise<Readonly<MediaOperationProps> | null>;
  /**
   * A page of the call's operations in creation order, those after
   * `afterSequence`; null when the owner has no such call.
   */
  listOperations(
    owner: CallOwner,
    callId: string,
    page: { readonly afterSequence: number; readonly limit: number },
  ): Promise<Readonly<MediaOperationProps>[] | null>;
  /** The status of each named operation the call has; ids it does not have are absent. */
  operationStatuses(callId: string, operationIds: readonly string[]): Promise<Map<string, OperationStatus>>;
  /**
   * Deletes up to `limit` calls that ended at or before `endedBefore`, with
   * their operations, oldest first; answers how many went.
   */
  pruneEnded(endedBefore: Date, limit: number): Promise<number>;
  /** Live calls whose keepAlive deadline has passed, oldest deadline first. */
  findPastKeepAlive(now: Date, limit: number): Promise<string[]>;
  /**
   * The media plane's own measure of how long an ended operation played;
   * answers false when there is no such ended operation.
   */
  recordPlayedDuration(callId: string, operationId: string, playedDurationMs: number): Promise<boolean>;
}
