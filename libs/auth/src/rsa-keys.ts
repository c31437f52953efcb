import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { dirname } from 'node:path';

export interface Jwk {
  readonly kty: string;
  readonly kid: string;
  readonly use: string;
  readonly alg: string;
  readonly n: string;
  readonly e: string;
}

/**
 * An RSA private key kept in a file, created on first use (mode 0600). Two
 * processes starting together agree on one key: the file is written with
 * `wx`, so the loser of the race reads the winner's key.
 */
export function loadOrCreateRsaKey(file: string): KeyObject {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    try {
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { flag: 'wx' });
      chmodSync(file, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return createPrivateKey(readFileSync(file));
}

/** The public half as a JWK, with its RFC 7638 thumbprint as key id. */
export function publicJwk(privateKey: KeyObject): Jwk {
  const { n, e } = createPublicKey(privateKey).export({ format: 'jwk' });
  const kid = createHash('sha256')
    .update(JSON.stringify({ e, kty: 'RSA', n }))
    .digest('base64url');
  return { kty: 'RSA', kid, use: 'sig', alg: 'RS256', n: n!, e: e! };
}
