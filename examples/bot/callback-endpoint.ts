import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';

/** One change Graph (here, calls-service) tells the bot about: a call's state, an operation's end. */
export interface CommsNotification {
  readonly changeType: 'created' | 'updated' | 'deleted';
  readonly resourceUrl: string;
  readonly resourceData: Record<string, unknown> & { '@odata.type': string };
}

export interface CallbackEndpoint {
  /** The callbackUri to give the service. */
  readonly url: string;
  /** Every notification that passed validation, in arrival order. */
  readonly received: CommsNotification[];
  /** Requests refused (no token, a bad signature, another issuer or audience). */
  readonly refused: number;
  /** Resolves with the first notification (already received or still to come) that matches. */
  next(match: (notification: CommsNotification) => boolean, timeoutMs?: number): Promise<CommsNotification>;
  close(): Promise<void>;
}

/**
 * Why a notification may not come, named where the wait ends: the most
 * common cause is a service started with AMQP_URL and no notifier.
 */
export const NO_NOTIFICATION = (timeoutMs: number) =>
  `no such notification within ${timeoutMs / 1000} s. Is something notifying this bot? With AMQP_URL set the ` +
  'service leaves that to the notifier app: start both with `npm run start:with-broker`, or the service ' +
  'alone without AMQP_URL (`npm start`).';

/**
 * The bot's callback endpoint. Each POST carries `Authorization: Bearer
 * <JWT>` signed by the service; the bot trusts it only if it verifies
 * against the keys the service's OpenID configuration names, with the
 * configuration's issuer and the bot's own application id as audience
 * (as a bot validates Graph's own callbacks). Anything else gets 401.
 */
export async function startCallbackEndpoint(options: {
  serviceUrl: string;
  appId: string;
  port?: number;
  host?: string;
  /** Called with each notification that passed validation, as it arrives. */
  onNotification?: (notification: CommsNotification) => void;
}): Promise<CallbackEndpoint> {
  const discovery = (await (await fetch(`${options.serviceUrl}/.well-known/openid-configuration`)).json()) as {
    issuer: string;
    jwks_uri: string;
  };
  const keys = createRemoteJWKSet(new URL(discovery.jwks_uri));
  const received: CommsNotification[] = [];
  const waiters: { match: (n: CommsNotification) => boolean; resolve: (n: CommsNotification) => void }[] = [];
  let refused = 0;

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
      jwtVerify(token, keys, { issuer: discovery.issuer, audience: options.appId, algorithms: ['RS256'] }).then(
        () => {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { value: CommsNotification[] };
          for (const notification of body.value) {
            received.push(notification);
            options.onNotification?.(notification);
            for (const waiter of waiters.filter((w) => w.match(notification))) {
              waiters.splice(waiters.indexOf(waiter), 1);
              waiter.resolve(notification);
            }
          }
          response.writeHead(202).end();
        },
        () => {
          refused += 1;
          response.writeHead(401).end();
        },
      );
    });
  });
  await new Promise<void>((ready) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/callback`,
    received,
    get refused() {
      return refused;
    },
    next(match, timeoutMs = 15_000) {
      const already = received.find(match);
      if (already) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(NO_NOTIFICATION(timeoutMs))), timeoutMs);
        waiters.push({
          match,
          resolve: (notification) => {
            clearTimeout(timer);
            resolve(notification);
          },
        });
      });
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
