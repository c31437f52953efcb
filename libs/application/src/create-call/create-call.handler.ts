import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Call, CallProps } from '@calls/domain';
import { CallUnitOfWork } from '../shared/call-unit-of-work';
import { CreateCallCommand } from './create-call.command';

@CommandHandler(CreateCallCommand)
export class CreateCallHandler implements ICommandHandler<CreateCallCommand, Readonly<CallProps>> {
  constructor(private readonly unitOfWork: CallUnitOfWork) {}

  async execute({ owner, description }: CreateCallCommand): Promise<Readonly<CallProps>> {
    const call = await this.unitOfWork.add((now) => Call.create(owner, description, now));
    return call.snapshot();
  }
}
