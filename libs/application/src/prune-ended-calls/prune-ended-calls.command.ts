import { Command } from '@nestjs/cqrs';

/** Deletes up to `limit` calls that ended longer than the retention ago; answers how many went. */
export class PruneEndedCallsCommand extends Command<number> {
  constructor(readonly limit: number) {
    super();
  }
}
