import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { DevTokenIssuer } from '@calls/auth';
import { AppProcess, buildApps, freePort } from '../support/app-process';
import { AMQP_URL, deleteQueueAndExchange, privateExchange } from '../support/rabbitmq';
import { CREATE_CALL_BODY, PROMPT } from '../support/test-app';
import { until } from '../support/waits';

const ROOT = join(__dirname, '..', '..');

/** The shell blocks of a README, in order. */
const shellBlocks = (path: string) =>
  [...readFileSync(join(ROOT, path), 'utf8').matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g)].map((m) => m[1].trim());

/** The one command of a README that starts as given. */
function commandOf(path: string, start: string): string {
  const line = shellBlocks(path)
    .flatMap((block) => block.split('\n'))
    .find((candidate) => candidate.startsWith(start));
  if (!line) throw new Error(`${path} has no command starting with ${start}`);
  return line.replace(/\s+#.*$/, '');
}

/**
 * Both tutorials, walked with the commands their READMEs give (taken from
 * the files), against the service as each README starts it; only ports,
 * data directories and broker names are this run's own.
 */
describe('the tutorials, as written (processes, SQLite, RabbitMQ)', () => {
  it('examples/bot: the README command runs the bot to its end against `npm start`', async () => {
    expect(commandOf('examples/bot/README.md', 'npm ci && npm start')).toBe('npm ci && npm start');
    await buildApps();
    const dataDir = mkdtempSync(join(tmpdir(), 'calls-tutorial-bot-'));
    const port = await freePort();
    const service = new AppProcess('calls-service', { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' });
    try {
      await service.start(`http://127.0.0.1:${port}/health/ready`);
      const { stdout } = await promisify(execFile)(
        'bash',
        ['-euo', 'pipefail', '-c', commandOf('examples/bot/README.md', 'BOT_TOKEN=')],
        {
          cwd: ROOT,
          env: { ...process.env, DATA_DIR: dataDir, SERVICE_URL: `http://127.0.0.1:${port}` },
          timeout: 120_000,
        },
      );
      expect(stdout).toMatch(/4 callbacks received and validated, 0 refused/);
    } finally {
      await service.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);

  it('examples/subscriber: the README command prints the cancel the service publishes under `npm run start:with-broker`', async () => {
    expect(commandOf('examples/subscriber/README.md', 'npm run start:with-broker')).toBe('npm run start:with-broker');
    await buildApps();
    const dataDir = mkdtempSync(join(tmpdir(), 'calls-tutorial-subscriber-'));
    const exchange = privateExchange('tutorial');
    const [port, notifierPort] = [await freePort(), await freePort()];
    const launcher = new AppProcess('scripts/start-with-broker.js', {
      PORT: String(port),
      NOTIFIER_PORT: String(notifierPort),
      DATA_DIR: dataDir,
      AMQP_URL,
      AMQP_EXCHANGE: exchange,
      NOTIFIER_QUEUE: `${exchange}.notifier`,
      LOG_LEVEL: 'warn',
    });
    // The README's command, on this run's exchange and queue.
    const command = commandOf('examples/subscriber/README.md', 'AMQP_URL=').replace(
      /AMQP_EXCHANGE=\S+/,
      `AMQP_EXCHANGE=${exchange}`,
    );
    let subscriber: ChildProcess | undefined;
    let printed = '';
    try {
      await launcher.start(`http://127.0.0.1:${notifierPort}/health/ready`);
      subscriber = spawn('bash', ['-euo', 'pipefail', '-c', command], {
        cwd: ROOT,
        env: { ...process.env, SUBSCRIBER_QUEUE: `${exchange}.subscriber` },
        detached: true, // its own process group: npm and the node it starts are stopped together
      });
      subscriber.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
      subscriber.stderr!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
      await until(() => printed.includes('subscribed'), 60_000);

      const auth = `Bearer ${DevTokenIssuer.forDataDir(dataDir).issue({ tenantId: 't1', appId: 'a1', roles: ['Calls.Initiate.All'] })}`;
      const url = `http://127.0.0.1:${port}`;
      const callId = (
        await request(url).post('/communications/calls').set('Authorization', auth).send(CREATE_CALL_BODY)
      ).body.id as string;
      const prompt = await request(url)
        .post(`/communications/calls/${callId}/playPrompt`)
        .set('Authorization', auth)
        .send({ prompts: [PROMPT] });
      const cancel = await request(url)
        .post(`/communications/calls/${callId}/cancelMediaProcessing`)
        .set('Authorization', auth)
        .send({});
      expect(cancel.status).toBe(200);
      // The line the README promises.
      const line = `call ${callId}: cancel ${cancel.body.id} ended playPrompt ${prompt.body.id} (`;
      await until(() => printed.includes(line), 15_000).catch(() => {
        throw new Error(`the subscriber did not print ${line}...; it printed:\n${printed}`);
      });
    } finally {
      if (subscriber?.pid) process.kill(-subscriber.pid, 'SIGINT');
      await launcher.stop();
      await deleteQueueAndExchange(`${exchange}.subscriber`, exchange);
      await deleteQueueAndExchange(`${exchange}.notifier`, exchange);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
