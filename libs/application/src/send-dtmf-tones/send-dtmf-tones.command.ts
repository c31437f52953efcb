import { Command } from '@nestjs/cqrs';
import type { IdempotencyRequest } from '../idempotency/idempotency.port';
import type { CallOwner, DtmfParameters } from '@calls/domain';
import type { OperationResult } from '../shared/operation.result';

export class SendDtmfTonesCommand extends Command<OperationResult> {
  constructor(
    readonly owner: CallOwner,
    readonly callId: string,
    readonly dtmf: DtmfParameters,
    readonly clientContext: string | null,
    /** Set when the caller sent an Idempotency-Key: the command then runs once per key. */
    readonly idempotency?: IdempotencyRequest,
  ) {
    super();
  }
}
