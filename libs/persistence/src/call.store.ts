import type { Call, CallOwner, CallProps } from '@calls/domain';
import type { OutboxInsert } from './call.rows';
import type { ReceiptRow } from './schema/tables';

/**
 * A command's two steps on one database: load the call with its open
 * operations, and write a decision (the call under its version, the changed
 * operations, the outbox rows, any receipt) atomically. One per dialect:
 * call.postgres-store.ts and call.sqlite-store.ts.
 */
export interface CallStore {
  /** The call with its queued and running operations; with `owner`, only when it is that owner's. */
  load(callId: string, owner?: CallOwner): Promise<Call | null>;
  /**
   * Writes the decision, or nothing: throws ConcurrencyConflictError when the
   * call's version moved, ReceiptRecordedError when the key got a receipt
   * meanwhile. Answers whether its outbox rows are held for this process.
   */
  write(
    call: Call,
    props: Readonly<CallProps>,
    outbox: readonly OutboxInsert[],
    receipt: ReceiptRow | undefined,
  ): Promise<boolean>;
}
