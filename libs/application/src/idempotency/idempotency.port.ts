import type { Call, CallOwner, SavedEvents } from '@calls/domain';

/**
 * What makes a command a retry of an earlier one: the caller's key (per
 * application per tenant) and a fingerprint of what was asked. The command
 * runs once per key; a retry gets the first result back, marked replayed.
 */
export class IdempotencyRequest {
  private replayedResult = false;

  constructor(
    readonly key: string,
    readonly fingerprint: string,
  ) {}

  /** True once the result handed back is the stored one of an earlier run. */
  get replayed(): boolean {
    return this.replayedResult;
  }

  markReplayed(): void {
    this.replayedResult = true;
  }
}

/** The first result of a keyed command, written in the same transaction as the call's changes. */
export interface CommandReceipt {
  readonly owner: CallOwner;
  readonly key: string;
  readonly fingerprint: string;
  /** The command's result, JSON-safe (see receipt-result.codec.ts). */
  readonly result: unknown;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

export interface StoredReceipt {
  readonly fingerprint: string;
  readonly result: unknown;
}

/**
 * Receipts of keyed commands. Because a receipt commits with the call's
 * changes or not at all, a retry finds either the first result or no trace
 * of the first attempt: no lease, nothing to release after a crash.
 */
export interface CommandReceipts {
  /** The receipt of `key`, unless none was written or it has expired. */
  find(owner: CallOwner, key: string, now: Date): Promise<StoredReceipt | null>;
  /**
   * Saves the call (as CallRepository.save does, also when only the receipt
   * is new) and the receipt, in one transaction, and answers the events it
   * wrote. Throws ReceiptRecordedError, having written nothing, when the key
   * got an unexpired receipt meanwhile.
   */
  saveWithReceipt(call: Call, receipt: CommandReceipt): Promise<SavedEvents>;
  /** Removes up to `limit` receipts that expired by `now`; answers how many. */
  pruneExpired(now: Date, limit: number): Promise<number>;
}

export const COMMAND_RECEIPTS = Symbol('COMMAND_RECEIPTS');

/** A concurrent run of the same key committed first; its result is the answer. */
export class ReceiptRecordedError extends Error {
  constructor(readonly key: string) {
    super(`A result for key ${key} was recorded meanwhile.`);
    this.name = new.target.name;
  }
}

/** The key was used before for a different request: the caller reused it by mistake. */
export class IdempotencyKeyReusedError extends Error {
  constructor(readonly key: string) {
    super('This Idempotency-Key was already used with a different request.');
    this.name = new.target.name;
  }
}

export interface IdempotencySettings {
  /** How long a key and its result are kept. */
  readonly ttlMs: number;
}

export const IDEMPOTENCY_SETTINGS = Symbol('IDEMPOTENCY_SETTINGS');
