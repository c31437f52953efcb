import { Command } from '@nestjs/cqrs';

/** Removes up to `limit` command receipts past their lifetime; answers how many went. */
export class PruneCommandReceiptsCommand extends Command<number> {
  constructor(readonly limit: number) {
    super();
  }
}
