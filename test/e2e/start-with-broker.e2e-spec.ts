import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DevTokenIssuer } from '@calls/auth';
import { runBot } from '../../examples/bot/bot';
import { startCallbackEndpoint } from '../../examples/bot/callback-endpoint';
import { AppProcess, buildApps, freePort } from '../support/app-process';
import { AMQP_URL, deleteQueueAndExchange, privateExchange } from '../support/rabbitmq';

/**
 * `npm run start:with-broker`, the README's way to run the service with
 * RabbitMQ and its notifier on one machine: the example bot's whole
 * scenario is told through the notifier app, on distinct ports
 * (processes, SQLite, RabbitMQ).
 */
describe('npm run start:with-broker (processes, SQLite, RabbitMQ)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'calls-with-broker-'));
  const exchange = privateExchange('with-broker');
  const queue = `${exchange}.notifier`;
  let launcher: AppProcess;
  let port: number;

  beforeAll(async () => {
    await buildApps();
    port = await freePort();
    const notifierPort = await freePort();
    launcher = new AppProcess('scripts/start-with-broker.js', {
      PORT: String(port),
      NOTIFIER_PORT: String(notifierPort),
      DATA_DIR: dataDir,
      AMQP_URL,
      AMQP_EXCHANGE: exchange,
      NOTIFIER_QUEUE: queue,
      LOG_LEVEL: 'warn',
    });
    await launcher.start(`http://127.0.0.1:${notifierPort}/health/ready`);
  }, 180_000);

  afterAll(async () => {
    await launcher?.stop();
    await deleteQueueAndExchange(queue, exchange);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the service and the notifier, which tells the bot every step, validated against the service keys', async () => {
    const serviceUrl = `http://127.0.0.1:${port}`;
    const owner = { tenantId: '11111111-1111-1111-1111-111111111111', appId: 'my-bot' };
    const token = DevTokenIssuer.forDataDir(dataDir).issue({ ...owner, roles: ['Calls.Initiate.All'] });
    const callbacks = await startCallbackEndpoint({ serviceUrl, appId: owner.appId });
    try {
      const run = await runBot({ serviceUrl, token, appId: owner.appId, callbacks, log: () => undefined });
      expect(run.terminated.resourceData).toMatchObject({ state: 'terminated' });
      expect(callbacks.received.length).toBe(4);
      expect(callbacks.refused).toBe(0);
    } finally {
      await callbacks.close();
    }
    expect(launcher.output).toMatch(/the service on port \d+ and the notifier on port \d+, through calls\.test\./);
  });

  it('stops both on SIGTERM, with exit code 0', async () => {
    expect(await launcher.stop()).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
  });
});
