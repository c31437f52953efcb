import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CallUnitOfWork } from '../shared/call-unit-of-work';
import type { OperationResult } from '../shared/operation.result';
import { SubscribeToToneCommand } from './subscribe-to-tone.command';

@CommandHandler(SubscribeToToneCommand)
export class SubscribeToToneHandler implements ICommandHandler<SubscribeToToneCommand, OperationResult> {
  constructor(private readonly unitOfWork: CallUnitOfWork) {}

  execute({ owner, callId, clientContext, idempotency }: SubscribeToToneCommand): Promise<OperationResult> {
    return this.unitOfWork.changeOwned(
      owner,
      callId,
      (call, now) => call.subscribeToTone(clientContext, now).snapshot(),
      { idempotency },
    );
  }
}
