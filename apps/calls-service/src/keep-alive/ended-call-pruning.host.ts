import { Inject, Injectable, Logger } from '@nestjs/common';
import { CALL_LIFETIME_SETTINGS, PruneEndedCallsCommand } from '@calls/application';
import type { CallLifetimeSettings } from '@calls/application';
import { HostedLoop } from '../shared/hosted-loop';
import { MeteredCommandBus } from '../metrics/metered-command-bus';

/** Calls deleted per round; a full round is followed at once by the next. */
const BATCH = 200;
/** The longest pause between rounds: an ended call is gone at most this long after its retention. */
const MAX_PAUSE_MS = 60_000;

/** Deletes ended calls past CALL_RETENTION_S, on every replica (each delete is idempotent). */
@Injectable()
export class EndedCallPruningHost extends HostedLoop {
  private readonly logger = new Logger(EndedCallPruningHost.name);
  private readonly pauseMs: number;

  constructor(
    private readonly commands: MeteredCommandBus,
    @Inject(CALL_LIFETIME_SETTINGS) lifetime: CallLifetimeSettings,
  ) {
    super();
    // A short retention (a test's) is kept to within half of itself; an hour's, to within a minute.
    this.pauseMs = Math.min(MAX_PAUSE_MS, Math.max(100, lifetime.retentionMs / 2));
  }

  protected async round(): Promise<number> {
    try {
      return (await this.commands.execute(new PruneEndedCallsCommand(BATCH))) === BATCH ? 0 : this.pauseMs;
    } catch (error) {
      this.logger.warn(`pruning ended calls failed: ${(error as Error).message}`);
      return this.pauseMs;
    }
  }
}
