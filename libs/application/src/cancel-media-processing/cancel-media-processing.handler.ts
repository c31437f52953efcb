import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CallUnitOfWork } from '../shared/call-unit-of-work';
import type { OperationResult } from '../shared/operation.result';
import { CancelMediaProcessingCommand } from './cancel-media-processing.command';

@CommandHandler(CancelMediaProcessingCommand)
export class CancelMediaProcessingHandler implements ICommandHandler<CancelMediaProcessingCommand, OperationResult> {
  constructor(private readonly unitOfWork: CallUnitOfWork) {}

  execute({ owner, callId, clientContext }: CancelMediaProcessingCommand): Promise<OperationResult> {
    return this.unitOfWork.changeOwned(owner, callId, (call, now) =>
      call.cancelMediaProcessing(clientContext, now).snapshot(),
    );
  }
}
