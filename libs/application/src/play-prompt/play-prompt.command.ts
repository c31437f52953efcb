import { Command } from '@nestjs/cqrs';
import type { IdempotencyRequest } from '../idempotency/idempotency.port';
import type { CallOwner, MediaPrompt } from '@calls/domain';
import type { OperationResult } from '../shared/operation.result';

export class PlayPromptCommand extends Command<OperationResult> {
  constructor(
    readonly owner: CallOwner,
    readonly callId: string,
    readonly prompts: readonly MediaPrompt[],
    readonly clientContext: string | null,
    /** Set when the caller sent an Idempotency-Key: the command then runs once per key. */
    readonly idempotency?: IdempotencyRequest,
    /** Graph beta: play until cancelled or the call ends. */
    readonly loop = false,
  ) {
    super();
  }
}
