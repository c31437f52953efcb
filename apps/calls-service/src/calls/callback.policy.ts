import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '@calls/config';
import type { Config } from '@calls/config';
import { GraphHttpError } from '@calls/graph';
import { assertPublicHost } from '@calls/notifications';

/**
 * Where a bot may ask to be called back. In production the callbackUri must
 * be https (as Graph requires) and resolve to public addresses only (the
 * notifier checks again when it connects); elsewhere loopback http receivers
 * are fine for development and tests.
 */
@Injectable()
export class CallbackPolicy {
  private readonly production: boolean;

  constructor(@Inject(CONFIG) config: Pick<Config, 'production'>) {
    this.production = config.production;
  }

  async assertAllowed(callbackUri: string): Promise<void> {
    if (!this.production) return;
    const url = new URL(callbackUri);
    if (url.protocol !== 'https:') {
      throw new GraphHttpError(400, 'invalidRequest', 'callbackUri must be an absolute https URL');
    }
    try {
      await assertPublicHost(url.hostname);
    } catch (error) {
      throw new GraphHttpError(400, 'invalidRequest', `callbackUri is not allowed: ${(error as Error).message}`);
    }
  }
}
