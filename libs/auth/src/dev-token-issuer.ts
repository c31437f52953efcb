import { createPublicKey, KeyObject } from 'node:crypto';
import { join } from 'node:path';
import * as jwt from 'jsonwebtoken';
import { DEFAULT_AUDIENCE, DEV_ISSUER } from './auth.config';
import { Jwk, loadOrCreateRsaKey, publicJwk } from './rsa-keys';

export interface DevTokenRequest {
  readonly tenantId: string;
  readonly appId: string;
  readonly roles?: readonly string[];
  /** Delegated scopes: such a token is refused, as Graph refuses it here. */
  readonly scp?: string;
  readonly ttlSeconds?: number;
  readonly audience?: string;
}

/**
 * The development identity provider of the embedded default: an RSA key kept
 * under the data directory, so the `npm run token` CLI and the running
 * service sign and verify with the same key. Never used in production.
 */
export class DevTokenIssuer {
  private constructor(
    private readonly privateKey: KeyObject,
    readonly kid: string,
  ) {}

  static forDataDir(dataDir: string): DevTokenIssuer {
    const privateKey = loadOrCreateRsaKey(join(dataDir, 'dev-issuer', 'signing-key.pem'));
    return new DevTokenIssuer(privateKey, publicJwk(privateKey).kid);
  }

  jwks(): { keys: Jwk[] } {
    return { keys: [publicJwk(this.privateKey)] };
  }

  publicKeyPem(): string {
    return createPublicKey(this.privateKey).export({ type: 'spki', format: 'pem' }).toString();
  }

  issue(request: DevTokenRequest): string {
    const claims: Record<string, unknown> = {
      tid: request.tenantId,
      azp: request.appId,
      appid: request.appId,
      roles: [...(request.roles ?? [])],
      idtyp: request.scp ? 'user' : 'app',
    };
    if (request.scp) claims.scp = request.scp;
    return jwt.sign(claims, this.privateKey, {
      algorithm: 'RS256',
      keyid: this.kid,
      issuer: DEV_ISSUER,
      audience: request.audience ?? DEFAULT_AUDIENCE,
      subject: request.appId,
      expiresIn: request.ttlSeconds ?? 3600,
    });
  }
}
