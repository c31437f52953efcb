import { Injectable } from '@nestjs/common';
import { GraphHttpError } from '@calls/graph';
import { assertPublicHost } from '@calls/notifications';

/**
 * Where a bot may ask to be called back. In production the callbackUri must
 * resolve to public addresses only (the notifier checks again when it
 * connects); elsewhere loopback receivers are fine for development and tests.
 * The environment is read once, when the app is built.
 */
@Injectable()
export class CallbackPolicy {
  private readonly production = process.env.NODE_ENV === 'production';

  async assertAllowed(callbackUri: string): Promise<void> {
    if (!this.production) return;
    try {
      await assertPublicHost(new URL(callbackUri).hostname);
    } catch (error) {
      throw new GraphHttpError(400, 'invalidRequest', `callbackUri is not allowed: ${(error as Error).message}`);
    }
  }
}
