import request from 'supertest';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DevTokenIssuer, DevTokenRequest, Roles } from '@calls/auth';
import { createApp } from '../../apps/calls-service/src/bootstrap';
import { loadConfig } from '@calls/config';
import type { CallbackReceiver } from './callback-receiver';
import type { TestDatabase } from './test-databases';

export interface TestApp {
  readonly app: NestFastifyApplication;
  readonly url: string;
  readonly issuer: DevTokenIssuer;
  /** A token of the dev issuer; by default tenant-a/app-a with both calls roles. */
  token(overrides?: Partial<DevTokenRequest>): string;
  close(): Promise<void>;
}

export const OWNER = { tenantId: 'tenant-a', appId: 'app-a' };

/**
 * The real service on a loopback port, on the given run-private database,
 * configured through the environment exactly as `npm start` is.
 */
export async function startTestApp(database: TestDatabase, env: Record<string, string> = {}): Promise<TestApp> {
  const saved = { ...process.env };
  delete process.env.AUTH_JWKS_URI; // the dev issuer, unless the test names an identity provider
  Object.assign(process.env, {
    DATA_DIR: database.settings.dataDir,
    DATABASE_URL: database.settings.databaseUrl ?? '',
    SIMULATED_CONNECT_MS: '0',
    SIMULATED_PROMPT_MS: '60000',
    LOG_LEVEL: 'silent',
    // The suites share the event loop with jest itself (module transforms, assertions), which no
    // production process does: load shedding is off unless a suite about it turns it on.
    SHED_EVENT_LOOP_DELAY_MS: '0',
    SHED_DATABASE_WAIT_MS: '0',
    SHED_ADMISSION: 'off',
    ...env,
  });
  try {
    // Nest's own lines reach pino only for a suite that asks for a log level (and reads the lines).
    const app = await createApp(loadConfig(), env.LOG_LEVEL ? {} : { logger: false });
    await app.listen(0, '127.0.0.1');
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const issuer = DevTokenIssuer.forDataDir(database.settings.dataDir);
    return {
      app,
      url,
      issuer,
      token: (overrides = {}) =>
        issuer.issue({ ...OWNER, roles: [Roles.CallsInitiateAll, Roles.CallsAccessMediaAll], ...overrides }),
      close: () => app.close(),
    };
  } finally {
    process.env = saved;
  }
}

/** What `serviceForSuite` provides once its `beforeAll` ran. */
export interface SuiteService {
  database: TestDatabase;
  service: TestApp;
  /** The default test bot's Authorization header. */
  auth: string;
}

/**
 * The service on a database of its own for one describe block: registers the
 * `beforeAll` that starts it and the `afterAll` that closes it and drops the
 * database. Read the fields inside tests and hooks, once it has started.
 */
export function serviceForSuite(
  createDatabase: () => Promise<TestDatabase>,
  env: Record<string, string> = {},
): SuiteService {
  const suite = {} as SuiteService;
  beforeAll(async () => {
    suite.database = await createDatabase();
    suite.service = await startTestApp(suite.database, env);
    suite.auth = `Bearer ${suite.service.token()}`;
  });
  afterAll(async () => {
    await suite.service?.close();
    await suite.database?.drop();
  });
  return suite;
}

export const CREATE_CALL_BODY = {
  '@odata.type': '#microsoft.graph.call',
  callbackUri: 'https://bot.example.test/callback',
  requestedModalities: ['audio'],
  mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
  source: {
    '@odata.type': '#microsoft.graph.participantInfo',
    identity: { '@odata.type': '#microsoft.graph.identitySet', application: { id: OWNER.appId } },
  },
  targets: [
    {
      '@odata.type': '#microsoft.graph.invitationParticipantInfo',
      identity: { '@odata.type': '#microsoft.graph.identitySet', user: { id: 'user-1', displayName: 'User One' } },
    },
  ],
};

export const PROMPT = {
  '@odata.type': '#microsoft.graph.mediaPrompt',
  mediaInfo: {
    '@odata.type': '#microsoft.graph.mediaInfo',
    uri: 'https://cdn.example.test/hello.wav',
    resourceId: 'r1',
  },
};

/** Polls until the check passes or the deadline ends; for what the media plane does on its own time. */
export async function eventually<T>(
  probe: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Creates a call as the default test bot and waits until the media plane established it; answers its id. */
export async function establishedCall(
  service: TestApp,
  body: object = CREATE_CALL_BODY,
  timeoutMs = 15_000,
): Promise<string> {
  const auth = `Bearer ${service.token()}`;
  const created = await request(service.url).post('/communications/calls').set('Authorization', auth).send(body);
  if (created.status !== 201)
    throw new Error(`creating a call answered ${created.status}: ${JSON.stringify(created.body)}`);
  const id = created.body.id as string;
  const call = await eventually(
    () => request(service.url).get(`/communications/calls/${id}`).set('Authorization', auth),
    (res) => res.body.state === 'established',
    timeoutMs,
  );
  if (call.body.state !== 'established') throw new Error(`call ${id} is still ${call.body.state}`);
  return id;
}

/** Creates a call whose notifications go to `receiver`, and waits for the first (the call is established); answers its id. */
export async function notifiedCall(service: TestApp, receiver: CallbackReceiver): Promise<string> {
  const created = await request(service.url)
    .post('/communications/calls')
    .set('Authorization', `Bearer ${service.token()}`)
    .send({ ...CREATE_CALL_BODY, callbackUri: receiver.url });
  if (created.status !== 201) throw new Error(`creating a call answered ${created.status}`);
  await receiver.receivedAtLeast(1);
  return created.body.id as string;
}
