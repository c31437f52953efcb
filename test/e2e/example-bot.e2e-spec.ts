import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as jwt from 'jsonwebtoken';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DevTokenIssuer } from '@calls/auth';
import { runBot } from '../../examples/bot/bot';
import { startCallbackEndpoint, CallbackEndpoint } from '../../examples/bot/callback-endpoint';
import { AppProcess, buildApps, freePort } from '../support/app-process';
import { AMQP_URL, deleteQueueAndExchange, privateExchange } from '../support/rabbitmq';
import { createPostgresDatabase, TestDatabase } from '../support/test-databases';
import { OWNER } from '../support/test-app';

/**
 * examples/bot, the official Graph SDK's calls through the bot's whole
 * scenario, against the compiled service and notifier (processes,
 * PostgreSQL, RabbitMQ). When the API or the notifications change under it,
 * this breaks the build.
 */
describe('examples/bot against the running service and notifier (processes, PostgreSQL, RabbitMQ)', () => {
  const exchange = privateExchange('example-bot');
  const queue = `${exchange}.notifier`;
  let database: TestDatabase;
  let dataDir: string;
  let service: AppProcess;
  let notifier: AppProcess;
  let serviceUrl: string;
  let callbacks: CallbackEndpoint;

  beforeAll(async () => {
    await buildApps();
    database = await createPostgresDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'calls-example-bot-'));
    const common = {
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: database.settings.databaseUrl!,
      AMQP_URL,
      AMQP_EXCHANGE: exchange,
      LOG_LEVEL: 'warn',
    };
    const port = await freePort();
    serviceUrl = `http://127.0.0.1:${port}`;
    service = new AppProcess('calls-service', { ...common, PORT: String(port), SIMULATED_CONNECT_MS: '0' });
    await service.start(`${serviceUrl}/health/ready`);
    const notifierPort = await freePort();
    notifier = new AppProcess('notifier', {
      ...common,
      PORT: String(notifierPort),
      NOTIFIER_QUEUE: queue,
      NOTIFIER_POLL_MS: '50',
    });
    await notifier.start(`http://127.0.0.1:${notifierPort}/health/ready`);
    callbacks = await startCallbackEndpoint({ serviceUrl, appId: OWNER.appId });
  }, 180_000);

  afterAll(async () => {
    await callbacks?.close();
    await notifier?.stop();
    await service?.stop();
    await deleteQueueAndExchange(queue, exchange);
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates a call, plays and cancels a prompt, keeps the call alive and hangs up, validating every callback', async () => {
    const token = DevTokenIssuer.forDataDir(dataDir).issue({ ...OWNER, roles: ['Calls.Initiate.All'] });
    const steps: string[] = [];
    const run = await runBot({ serviceUrl, token, appId: OWNER.appId, callbacks, log: (line) => steps.push(line) });

    expect(run.cancel.additionalData?.cancelledOperations).toMatchObject([{ id: run.prompt.id }]);
    // Graph's cancelled prompt: it ends failed and says why (resultInfo 400/8508).
    expect(run.promptEnded.resourceData).toMatchObject({
      id: run.prompt.id,
      status: 'failed',
      resultInfo: { code: 400, subcode: 8508 },
    });
    expect(run.terminated.resourceData).toMatchObject({ state: 'terminated' });
    expect(steps).toEqual([
      `1. created call ${run.callId} (establishing)`,
      '   callback: established',
      `2. playing prompt ${run.prompt.id}`,
      `3. cancel ${run.cancel.id} ended ${run.prompt.id}`,
      '   callback: prompt failed, resultInfo 400/8508',
      '4. keepAlive sent',
      '5. hung up; callback: terminated',
    ]);
    expect(callbacks.refused).toBe(0);
  });

  it("refuses a callback that the service's keys did not sign", async () => {
    const { issuer } = (await (await fetch(`${serviceUrl}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
    };
    // The right issuer and audience, signed with a key of someone else's.
    const forged = jwt.sign({ tid: OWNER.tenantId }, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, {
      algorithm: 'RS256',
      keyid: 'forged',
      issuer,
      audience: OWNER.appId,
      expiresIn: 60,
    });
    const before = callbacks.refused;
    const response = await fetch(callbacks.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${forged}`, 'content-type': 'application/json' },
      body: JSON.stringify({ value: [] }),
    });
    expect(response.status).toBe(401);
    expect(callbacks.refused).toBe(before + 1);
  });
});
