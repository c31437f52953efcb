import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CallUnitOfWork } from '../shared/call-unit-of-work';
import type { OperationResult } from '../shared/operation.result';
import { UpdateRecordingStatusCommand } from './update-recording-status.command';

@CommandHandler(UpdateRecordingStatusCommand)
export class UpdateRecordingStatusHandler implements ICommandHandler<UpdateRecordingStatusCommand, OperationResult> {
  constructor(private readonly unitOfWork: CallUnitOfWork) {}

  execute({
    owner,
    callId,
    status,
    clientContext,
    idempotency,
  }: UpdateRecordingStatusCommand): Promise<OperationResult> {
    return this.unitOfWork.changeOwned(
      owner,
      callId,
      (call, now) => call.updateRecordingStatus(status, clientContext, now).snapshot(),
      { idempotency },
    );
  }
}
