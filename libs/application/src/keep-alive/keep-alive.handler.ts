import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CallUnitOfWork } from '../shared/call-unit-of-work';
import { CALL_LIFETIME_SETTINGS, CallLifetimeSettings } from '../shared/call-lifetime.settings';
import { KeepAliveCommand } from './keep-alive.command';

@CommandHandler(KeepAliveCommand)
export class KeepAliveHandler implements ICommandHandler<KeepAliveCommand, void> {
  constructor(
    private readonly unitOfWork: CallUnitOfWork,
    @Inject(CALL_LIFETIME_SETTINGS) private readonly lifetime: CallLifetimeSettings,
  ) {}

  execute({ owner, callId, idempotency }: KeepAliveCommand): Promise<void> {
    return this.unitOfWork.changeOwned(
      owner,
      callId,
      (call, now) => call.keepAlive(now, this.lifetime.keepAliveTimeoutMs),
      { idempotency },
    );
  }
}
