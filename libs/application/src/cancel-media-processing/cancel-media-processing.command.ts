import { Command } from '@nestjs/cqrs';
import type { IdempotencyRequest } from '../idempotency/idempotency.port';
import type { CallOwner } from '@calls/domain';
import type { OperationResult } from '../shared/operation.result';

/**
 * Which operations to end: Graph's cancel is `{ scope: 'all' }`; the rest is
 * this service's extension (only the running one, only the queued ones, or
 * exactly the named ones).
 */
export type CancelTarget =
  { readonly scope: 'all' | 'current' | 'queued' } | { readonly operationIds: readonly string[] };

export class CancelMediaProcessingCommand extends Command<OperationResult> {
  constructor(
    readonly owner: CallOwner,
    readonly callId: string,
    readonly clientContext: string | null,
    readonly target: CancelTarget = { scope: 'all' },
    /** Set when the caller sent an Idempotency-Key: the command then runs once per key. */
    readonly idempotency?: IdempotencyRequest,
    /** Extension: a running recording is stopped and kept (completed), not discarded. */
    readonly keepRecordings = false,
  ) {
    super();
  }
}
