import { createPrivateKey, KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as jwt from 'jsonwebtoken';
import { Jwk, loadOrCreateRsaKey, publicJwk } from './rsa-keys';

export interface NotificationSigningSettings {
  /** PEM of the signing key (production: from a Secret). */
  readonly keyPem?: string;
  /** Or a file holding it. */
  readonly keyFile?: string;
  /** Otherwise a key kept under the data directory (development). */
  readonly dataDir: string;
  readonly issuer: string;
  readonly ttlSeconds: number;
}

/**
 * Signs what the service POSTs to a bot's callbackUri, as Graph signs its
 * notifications: a bearer JWT whose audience is the bot's app id. Bots check
 * it against the public keys at /.well-known/jwks.json.
 */
export class NotificationSigner {
  private readonly jwk: Jwk;

  private constructor(
    private readonly privateKey: KeyObject,
    private readonly settings: NotificationSigningSettings,
  ) {
    this.jwk = publicJwk(privateKey);
  }

  static from(settings: NotificationSigningSettings): NotificationSigner {
    const key = settings.keyPem
      ? createPrivateKey(settings.keyPem)
      : settings.keyFile
        ? createPrivateKey(readFileSync(settings.keyFile))
        : loadOrCreateRsaKey(join(settings.dataDir, 'notification-key', 'signing-key.pem'));
    return new NotificationSigner(key, settings);
  }

  jwks(): { keys: Jwk[] } {
    return { keys: [this.jwk] };
  }

  get issuer(): string {
    return this.settings.issuer;
  }

  /** The one algorithm notifications are signed with. */
  readonly algorithm = 'RS256';

  sign(appId: string, tenantId: string): string {
    return jwt.sign({ tid: tenantId }, this.privateKey, {
      algorithm: this.algorithm,
      keyid: this.jwk.kid,
      issuer: this.settings.issuer,
      audience: appId,
      expiresIn: this.settings.ttlSeconds,
    });
  }
}
