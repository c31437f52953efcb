import { Command } from '@nestjs/cqrs';
import type { CallOwner, MediaPrompt } from '@calls/domain';
import type { OperationResult } from '../shared/operation.result';

export class PlayPromptCommand extends Command<OperationResult> {
  constructor(
    readonly owner: CallOwner,
    readonly callId: string,
    readonly prompts: readonly MediaPrompt[],
    readonly clientContext: string | null,
  ) {
    super();
  }
}
