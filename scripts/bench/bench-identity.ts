import { createServer, Server } from 'node:http';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import * as jwt from 'jsonwebtoken';
import { publicJwk } from '@calls/auth';

/**
 * An identity provider for the production-configuration contender: its key
 * set on loopback (the service fetches it once, as from Entra ID) and a bot's
 * RS256 access token signed with it.
 */
export async function startIdentityProvider(
  owner: { tenantId: string; appId: string },
  roles: readonly string[] = ['Calls.Initiate.All'],
): Promise<{
  jwksUri: string;
  issuer: string;
  audience: string;
  token: string;
  /** A token for another bot (tenant and app) of the same identity provider. */
  tokenFor(other: { tenantId: string; appId: string }): string;
  stop(): Promise<void>;
}> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: [{ ...publicJwk(privateKey), kid }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `https://login.bench.invalid/${owner.tenantId}/v2.0`;
  const audience = 'https://graph.microsoft.com';
  const tokenFor = (bot: { tenantId: string; appId: string }) =>
    jwt.sign({ iss: issuer, aud: audience, tid: bot.tenantId, azp: bot.appId, roles }, privateKey, {
      algorithm: 'RS256',
      keyid: kid,
      expiresIn: '2h',
    });
  const token = tokenFor(owner);
  return {
    jwksUri: `http://127.0.0.1:${(server.address() as { port: number }).port}/keys`,
    issuer,
    audience,
    token,
    tokenFor,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The service's environment as deployed: NODE_ENV=production, tokens verified
 * against the identity provider's key set, a notification signing key,
 * throttling in Redis, the relay publishing to RabbitMQ.
 */
export function productionEnv(settings: {
  databaseUrl: string;
  dataDir: string;
  identity: { jwksUri: string; issuer: string; audience: string };
  amqpUrl: string;
}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: settings.databaseUrl,
    DATA_DIR: settings.dataDir,
    AUTH_JWKS_URI: settings.identity.jwksUri,
    AUTH_ISSUER: settings.identity.issuer,
    AUTH_AUDIENCE: settings.identity.audience,
    NOTIFICATION_SIGNING_KEY: generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString(),
    REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    AMQP_URL: settings.amqpUrl,
  };
}
