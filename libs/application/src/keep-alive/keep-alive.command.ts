import { Command } from '@nestjs/cqrs';
import type { IdempotencyRequest } from '../idempotency/idempotency.port';
import type { CallOwner } from '@calls/domain';

export class KeepAliveCommand extends Command<void> {
  constructor(
    readonly owner: CallOwner,
    readonly callId: string,
    /** Set when the caller sent an Idempotency-Key: the command then runs once per key. */
    readonly idempotency?: IdempotencyRequest,
  ) {
    super();
  }
}
