import { Inject, Injectable, Logger } from '@nestjs/common';
import { CALL_LIFETIME_SETTINGS, ExpireInactiveCallsCommand } from '@calls/application';
import type { CallLifetimeSettings } from '@calls/application';
import { callsExpired } from '@calls/runtime';
import { HostedLoop } from '../shared/hosted-loop';
import { MeteredCommandBus } from '../metrics/metered-command-bus';

/** Calls ended per round; a full round is followed at once by the next. */
const BATCH = 100;

/**
 * Ends calls whose keepAlive deadline passed, on every replica: the deadline
 * is in the database and each end is a versioned write, so replicas sweeping
 * together end each call once, and a restart loses no deadline.
 */
@Injectable()
export class CallExpiryHost extends HostedLoop {
  private readonly logger = new Logger(CallExpiryHost.name);

  constructor(
    private readonly commands: MeteredCommandBus,
    @Inject(CALL_LIFETIME_SETTINGS) private readonly lifetime: CallLifetimeSettings,
  ) {
    super();
  }

  protected async round(): Promise<number> {
    try {
      const { found, ended } = await this.commands.execute(new ExpireInactiveCallsCommand(BATCH));
      callsExpired.inc(ended);
      if (ended > 0) this.logger.log(`ended ${ended} calls that had no keepAlive in time`);
      return found === BATCH ? 0 : this.lifetime.expirySweepMs;
    } catch (error) {
      this.logger.warn(`keepAlive expiry sweep failed: ${(error as Error).message}`);
      return this.lifetime.expirySweepMs;
    }
  }
}
