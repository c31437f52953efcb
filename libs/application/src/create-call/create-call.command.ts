import { Command } from '@nestjs/cqrs';
import type { IdempotencyRequest } from '../idempotency/idempotency.port';
import type { CallDescription, CallOwner, CallProps } from '@calls/domain';

export class CreateCallCommand extends Command<Readonly<CallProps>> {
  constructor(
    readonly owner: CallOwner,
    readonly description: CallDescription,
    /** Set when the caller sent an Idempotency-Key: the command then runs once per key. */
    readonly idempotency?: IdempotencyRequest,
  ) {
    super();
  }
}
