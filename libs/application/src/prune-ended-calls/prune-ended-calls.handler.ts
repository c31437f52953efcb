import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CALL_REPOSITORY } from '@calls/domain';
import type { CallRepository } from '@calls/domain';
import { CALL_LIFETIME_SETTINGS } from '../shared/call-lifetime.settings';
import type { CallLifetimeSettings } from '../shared/call-lifetime.settings';
import { Clock } from '../shared/clock';
import { PruneEndedCallsCommand } from './prune-ended-calls.command';

/**
 * Graph keeps no ended call for its clients: a request on one is "Call not
 * found" (docs/graph-facts.md). This service serves an ended call's final
 * state and operations for CALL_RETENTION_S after its end, so a bot can read
 * why it ended and what its operations did, then deletes them: an ended
 * call is then gone (404), and the tables keep only recent history.
 */
@CommandHandler(PruneEndedCallsCommand)
export class PruneEndedCallsHandler implements ICommandHandler<PruneEndedCallsCommand, number> {
  constructor(
    @Inject(CALL_REPOSITORY) private readonly calls: CallRepository,
    @Inject(CALL_LIFETIME_SETTINGS) private readonly lifetime: CallLifetimeSettings,
    private readonly clock: Clock,
  ) {}

  execute({ limit }: PruneEndedCallsCommand): Promise<number> {
    const endedBefore = new Date(this.clock.now().getTime() - this.lifetime.retentionMs);
    return this.calls.pruneEnded(endedBefore, limit);
  }
}
