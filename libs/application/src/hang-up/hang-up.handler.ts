import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CallUnitOfWork } from '../shared/call-unit-of-work';
import { HangUpCommand } from './hang-up.command';

@CommandHandler(HangUpCommand)
export class HangUpHandler implements ICommandHandler<HangUpCommand, void> {
  constructor(private readonly unitOfWork: CallUnitOfWork) {}

  execute({ owner, callId }: HangUpCommand): Promise<void> {
    return this.unitOfWork.changeOwned(owner, callId, (call, now) => call.hangUp(now));
  }
}
