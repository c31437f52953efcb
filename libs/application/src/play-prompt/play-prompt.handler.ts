import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CallUnitOfWork } from '../shared/call-unit-of-work';
import type { OperationResult } from '../shared/operation.result';
import { PlayPromptCommand } from './play-prompt.command';

@CommandHandler(PlayPromptCommand)
export class PlayPromptHandler implements ICommandHandler<PlayPromptCommand, OperationResult> {
  constructor(private readonly unitOfWork: CallUnitOfWork) {}

  execute({ owner, callId, prompts, clientContext, idempotency, loop }: PlayPromptCommand): Promise<OperationResult> {
    return this.unitOfWork.changeOwned(
      owner,
      callId,
      (call, now) => call.playPrompt(prompts, clientContext, now, loop).snapshot(),
      { idempotency },
    );
  }
}
