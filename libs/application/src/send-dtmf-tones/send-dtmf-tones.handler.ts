import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CallUnitOfWork } from '../shared/call-unit-of-work';
import type { OperationResult } from '../shared/operation.result';
import { SendDtmfTonesCommand } from './send-dtmf-tones.command';

@CommandHandler(SendDtmfTonesCommand)
export class SendDtmfTonesHandler implements ICommandHandler<SendDtmfTonesCommand, OperationResult> {
  constructor(private readonly unitOfWork: CallUnitOfWork) {}

  execute({ owner, callId, dtmf, clientContext, idempotency }: SendDtmfTonesCommand): Promise<OperationResult> {
    return this.unitOfWork.changeOwned(
      owner,
      callId,
      (call, now) => call.sendDtmfTones(dtmf, clientContext, now).snapshot(),
      { idempotency },
    );
  }
}
