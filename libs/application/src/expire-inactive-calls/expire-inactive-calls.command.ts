import { Command } from '@nestjs/cqrs';

export interface ExpiryRound {
  /** Calls found past their keepAlive deadline. */
  readonly found: number;
  /** Calls this round ended (a keepAlive or another replica may have got there first). */
  readonly ended: number;
}

/** Ends up to `limit` calls whose keepAlive deadline has passed. */
export class ExpireInactiveCallsCommand extends Command<ExpiryRound> {
  constructor(readonly limit: number) {
    super();
  }
}
