import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { COMMAND_RECEIPTS } from '../idempotency/idempotency.port';
import type { CommandReceipts } from '../idempotency/idempotency.port';
import { Clock } from '../shared/clock';
import { PruneCommandReceiptsCommand } from './prune-command-receipts.command';

/**
 * An expired receipt is already ignored (its key runs again), so pruning only
 * keeps the table to the keys of the last IDEMPOTENCY_TTL_HOURS.
 */
@CommandHandler(PruneCommandReceiptsCommand)
export class PruneCommandReceiptsHandler implements ICommandHandler<PruneCommandReceiptsCommand, number> {
  constructor(
    @Inject(COMMAND_RECEIPTS) private readonly receipts: CommandReceipts,
    private readonly clock: Clock,
  ) {}

  execute({ limit }: PruneCommandReceiptsCommand): Promise<number> {
    return this.receipts.pruneExpired(this.clock.now(), limit);
  }
}
