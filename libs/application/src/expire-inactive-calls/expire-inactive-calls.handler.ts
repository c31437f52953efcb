import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CALL_REPOSITORY } from '@calls/domain';
import type { CallRepository } from '@calls/domain';
import { CallUnitOfWork } from '../shared/call-unit-of-work';
import { Clock } from '../shared/clock';
import { ExpireInactiveCallsCommand, ExpiryRound } from './expire-inactive-calls.command';

/**
 * Graph ends a call that had no keepAlive in time. The deadline lives in the
 * database, so it survives restarts; each call is re-checked on the state
 * loaded for its decision and ended under its version, so a keepAlive that
 * landed first wins, and when two replicas sweep the same call one commits
 * and the other's replay finds it already ended: it ends exactly once.
 */
@CommandHandler(ExpireInactiveCallsCommand)
export class ExpireInactiveCallsHandler implements ICommandHandler<ExpireInactiveCallsCommand, ExpiryRound> {
  private readonly logger = new Logger(ExpireInactiveCallsHandler.name);

  constructor(
    private readonly unitOfWork: CallUnitOfWork,
    @Inject(CALL_REPOSITORY) private readonly calls: CallRepository,
    private readonly clock: Clock,
  ) {}

  async execute({ limit }: ExpireInactiveCallsCommand): Promise<ExpiryRound> {
    const ids = await this.calls.findPastKeepAlive(this.clock.now(), limit);
    let ended = 0;
    for (const id of ids) {
      try {
        if (await this.unitOfWork.changeAny(id, (call, now) => call.expireIfInactive(now))) ended += 1;
      } catch (error) {
        // One call that cannot be ended now (a conflict storm, a database blip) must not stop the others.
        this.logger.warn(`call ${id} past its keepAlive deadline was not ended: ${(error as Error).message}`);
      }
    }
    return { found: ids.length, ended };
  }
}
