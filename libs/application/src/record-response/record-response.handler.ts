import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CallUnitOfWork } from '../shared/call-unit-of-work';
import type { OperationResult } from '../shared/operation.result';
import { RecordResponseCommand } from './record-response.command';

@CommandHandler(RecordResponseCommand)
export class RecordResponseHandler implements ICommandHandler<RecordResponseCommand, OperationResult> {
  constructor(private readonly unitOfWork: CallUnitOfWork) {}

  execute({
    owner,
    callId,
    prompts,
    record,
    clientContext,
    idempotency,
  }: RecordResponseCommand): Promise<OperationResult> {
    return this.unitOfWork.changeOwned(
      owner,
      callId,
      (call, now) => call.recordResponse(prompts, record, clientContext, now).snapshot(),
      { idempotency },
    );
  }
}
