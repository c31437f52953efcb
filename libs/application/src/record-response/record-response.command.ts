import { Command } from '@nestjs/cqrs';
import type { CallOwner, MediaPrompt, RecordParameters } from '@calls/domain';
import type { OperationResult } from '../shared/operation.result';

export class RecordResponseCommand extends Command<OperationResult> {
  constructor(
    readonly owner: CallOwner,
    readonly callId: string,
    readonly prompts: readonly MediaPrompt[],
    readonly record: RecordParameters,
    readonly clientContext: string | null,
  ) {
    super();
  }
}
