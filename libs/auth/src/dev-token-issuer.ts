import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as jwt from 'jsonwebtoken';
import { DEFAULT_AUDIENCE, DEV_ISSUER } from './auth.config';

export interface DevTokenRequest {
  readonly tenantId: string;
  readonly appId: string;
  readonly roles?: readonly string[];
  /** Delegated scopes: such a token is refused, as Graph refuses it here. */
  readonly scp?: string;
  readonly ttlSeconds?: number;
  readonly audience?: string;
}

export interface Jwk {
  readonly kty: string;
  readonly kid: string;
  readonly use: string;
  readonly alg: string;
  readonly n: string;
  readonly e: string;
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
    const dir = join(dataDir, 'dev-issuer');
    const file = join(dir, 'signing-key.pem');
    if (!existsSync(file)) {
      mkdirSync(dir, { recursive: true });
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      // `wx` fails if another process (CLI or a second replica) wrote the key first; then read theirs.
      try {
        writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { flag: 'wx' });
        chmodSync(file, 0o600);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    const privateKey = createPrivateKey(readFileSync(file));
    const { n, e } = createPublicKey(privateKey).export({ format: 'jwk' });
    // RFC 7638 thumbprint as key id: stable for the key, different for any other.
    const kid = createHash('sha256')
      .update(JSON.stringify({ e, kty: 'RSA', n }))
      .digest('base64url');
    return new DevTokenIssuer(privateKey, kid);
  }

  jwks(): { keys: Jwk[] } {
    const { n, e } = createPublicKey(this.privateKey).export({ format: 'jwk' });
    return { keys: [{ kty: 'RSA', kid: this.kid, use: 'sig', alg: 'RS256', n: n!, e: e! }] };
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
