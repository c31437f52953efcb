import { createServer, Server } from 'node:http';
import { generateKeyPairSync, KeyObject, randomUUID, sign } from 'node:crypto';
import * as jwt from 'jsonwebtoken';
import { publicJwk } from '@calls/auth';

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export function newSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid: randomUUID(), privateKey, publicKey };
}

/** An identity provider's key set on loopback, whose keys the test rotates and whose fetches it counts. */
export class JwksServer {
  keys: SigningKey[] = [];
  fetches = 0;
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      this.fetches += 1;
      const keys = this.keys.map((key) => ({ ...publicJwk(key.privateKey), kid: key.kid }));
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/discovery/keys`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

export interface TokenClaims {
  readonly [claim: string]: unknown;
}

/** An RS256 token signed by `key`, with `kid` in the header unless told otherwise. */
export function signWith(key: SigningKey, claims: TokenClaims, options: { kid?: string | null } = {}): string {
  const kid = options.kid === undefined ? key.kid : options.kid;
  return jwt.sign({ ...claims }, key.privateKey, { algorithm: 'RS256', ...(kid === null ? {} : { keyid: kid }) });
}

/** Signed as is, with no checks of the claims: for tokens jsonwebtoken would refuse to mint. */
export function signRaw(key: SigningKey, claims: TokenClaims): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'RS256', typ: 'JWT', kid: key.kid })}.${part(claims)}`;
  return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), key.privateKey).toString('base64url')}`;
}
