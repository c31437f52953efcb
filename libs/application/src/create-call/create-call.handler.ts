import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Call, CallProps } from '@calls/domain';
import { CallUnitOfWork } from '../shared/call-unit-of-work';
import { CALL_LIFETIME_SETTINGS, CallLifetimeSettings } from '../shared/call-lifetime.settings';
import { CreateCallCommand } from './create-call.command';

@CommandHandler(CreateCallCommand)
export class CreateCallHandler implements ICommandHandler<CreateCallCommand, Readonly<CallProps>> {
  constructor(
    private readonly unitOfWork: CallUnitOfWork,
    @Inject(CALL_LIFETIME_SETTINGS) private readonly lifetime: CallLifetimeSettings,
  ) {}

  execute({ owner, description, idempotency }: CreateCallCommand): Promise<Readonly<CallProps>> {
    return this.unitOfWork.add(
      owner,
      (now) => Call.create(owner, description, now, this.lifetime.keepAliveTimeoutMs),
      (call) => call.snapshot(),
      idempotency,
    );
  }
}
