import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connect } from 'amqplib';
import { MIGRATIONS } from '@calls/persistence';
import { freePort } from '../support/app-process';
import { JwksServer, newSigningKey, signWith, SigningKey } from '../support/jwks-server';
import { AMQP_URL, privateExchange } from '../support/rabbitmq';
import { createPostgresDatabase, TestDatabase } from '../support/test-databases';
import { CREATE_CALL_BODY, PROMPT } from '../support/test-app';
import { until } from '../support/waits';

const exec = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const IMAGE = 'localhost/calls-service:latest';
/** What podman needs on these machines (scripts/image/build.sh says why). */
const PODMAN = ['--runtime', 'runc'];
/** Under the machine's hard limits (podman's defaults are above them). */
const LIMITS = ['--ulimit', 'nofile=20000:20000', '--ulimit', 'nproc=4096:4096'];
/** Each workload as the pods run it: read-only root, the image's `node` user, a scratch /tmp. */
const RUN = ['run', '--read-only', '--tmpfs', '/tmp', '--user', 'node', '--network', 'host', ...LIMITS];
/** A public unicast address for the bot's callback host (example.com's; this machine reaches no outside host). */
const BOT_ADDRESS = '93.184.215.14';
const podman = (...args: string[]) =>
  exec('podman', [...PODMAN, ...args], { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });

/**
 * The image itself, built with `npm run image` and run with podman: the
 * migration Job's command, the service (a bot cancels a prompt through it)
 * and the notifier, each from the same image, against this machine's
 * PostgreSQL and RabbitMQ; and what the image holds.
 */
describe('the container image (podman, PostgreSQL, RabbitMQ)', () => {
  let database: TestDatabase;
  let jwks: JwksServer;
  let key: SigningKey;
  let env: string[];
  const exchange = privateExchange('container');
  const containers: string[] = [];

  beforeAll(async () => {
    await exec('npm', ['run', '-s', 'image'], { cwd: ROOT, maxBuffer: 256 * 1024 * 1024, timeout: 900_000 });
    database = await createPostgresDatabase();
    jwks = new JwksServer();
    key = newSigningKey();
    jwks.keys = [key];
    await jwks.start();
    const settings: Record<string, string> = {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      DATA_DIR: '/tmp/data',
      DATABASE_URL: database.settings.databaseUrl!,
      DATABASE_MIGRATIONS_RUN: 'false',
      AUTH_JWKS_URI: jwks.url,
      AUTH_ISSUER: 'https://login.example.test/tenant-a/v2.0',
      AUTH_AUDIENCE: 'api://calls-service',
      NOTIFICATION_SIGNING_KEY: generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
      AMQP_URL,
      AMQP_EXCHANGE: exchange,
      NOTIFIER_QUEUE: `${exchange}.notifier`,
      SIMULATED_CONNECT_MS: '0',
      SIMULATED_PROMPT_MS: '60000',
      LOG_LEVEL: 'warn',
    };
    env = Object.entries(settings).flatMap(([name, value]) => ['--env', `${name}=${value}`]);
  }, 900_000);

  afterAll(async () => {
    if (containers.length > 0) await podman('rm', '--force', ...containers).catch(() => undefined);
    const connection = await connect(AMQP_URL);
    const channel = await connection.createChannel();
    await channel.deleteQueue(`${exchange}.notifier`).catch(() => undefined);
    await channel.deleteExchange(exchange).catch(() => undefined);
    await connection.close();
    await jwks?.stop();
    await database?.drop();
  });

  /** A workload in the background, ready once its health answers. */
  const start = async (name: string, script: string): Promise<string> => {
    const port = await freePort();
    const container = `calls-e2e-${process.pid}-${name}`;
    containers.push(container);
    // In production a callbackUri must resolve to a public address: the bot's host gets one (never reached here).
    const bot = ['--add-host', `bot.example.test:${BOT_ADDRESS}`];
    await podman(...RUN, '--detach', '--name', container, ...bot, ...env, '--env', `PORT=${port}`, IMAGE, script);
    const url = `http://127.0.0.1:${port}`;
    await until(
      () =>
        fetch(`${url}/health/ready`).then(
          (response) => response.ok,
          () => false,
        ),
      60_000,
    );
    return url;
  };

  it('migrates the database with the migration Job’s command', async () => {
    const { stderr } = await podman(...RUN, '--rm', ...env, IMAGE, 'dist/libs/persistence/src/migrate.cli.js');
    // Every migration of this release, from the first to the last.
    const names = MIGRATIONS.map((migration) => new migration().name);
    expect(stderr).toContain(`applied ${names.length} migration(s): ${names.join(', ')}\n`);
  });

  it('runs the service read-only as node, and a bot cancels a prompt through it', async () => {
    const url = await start('service', 'dist/apps/calls-service/src/main.js');
    const token = signWith(key, {
      iss: 'https://login.example.test/tenant-a/v2.0',
      aud: 'api://calls-service',
      tid: 'tenant-a',
      azp: 'app-a',
      roles: ['Calls.Initiate.All', 'Calls.AccessMedia.All'],
      exp: Math.floor(Date.now() / 1000) + 600,
    });
    const call = (path: string, body?: object) =>
      fetch(`${url}/communications/calls${path}`, {
        method: body ? 'POST' : 'GET',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body && JSON.stringify(body),
      });
    const created = await call('', CREATE_CALL_BODY);
    expect({ status: created.status, body: created.status === 201 ? null : await created.text() }).toEqual({
      status: 201,
      body: null,
    });
    const { id } = (await created.json()) as { id: string };
    await until(async () => ((await (await call(`/${id}`)).json()) as { state: string }).state === 'established');
    const prompt = await call(`/${id}/playPrompt`, { prompts: [PROMPT] });
    expect(prompt.status).toBe(200);
    const cancelled = await call(`/${id}/cancelMediaProcessing`, { clientContext: 'stop' });
    expect(cancelled.status).toBe(200);
    const answer = (await cancelled.json()) as { status: string; cancelledOperations: { id: string }[] };
    expect({ status: answer.status, cancelled: answer.cancelledOperations.length }).toEqual({
      status: 'completed',
      cancelled: 1,
    });
  });

  it('runs the notifier from the same image', async () => {
    const url = await start('notifier', 'dist/apps/notifier/src/main.js');
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
  });

  it('holds the compiled code and production dependencies only: no dev dependency, test or source', async () => {
    const listing = [
      'id -un',
      'ls /app',
      // Installed packages, `name` or `@scope/name` (npm prune may leave an empty scope folder).
      'cd /app/node_modules && for p in */package.json @*/*/package.json; do [ -f "$p" ] && dirname "$p"; done',
      'echo --',
      'find /app/dist -name "*.ts" ! -name "*.d.ts" -o -name "*.spec.js" -o -type d -name testing | wc -l',
    ].join('; ');
    const { stdout } = await podman('run', '--rm', ...LIMITS, '--entrypoint', 'sh', IMAGE, '-c', listing);
    const lines = stdout.trim().split('\n');
    const packages = new Set(lines.slice(4, lines.indexOf('--')));
    expect({ user: lines[0], app: lines.slice(1, 4), sourcesAndTests: Number(lines.at(-1)) }).toEqual({
      user: 'node',
      app: ['dist', 'node_modules', 'package.json'],
      sourcesAndTests: 0,
    });
    expect(packages.has('@nestjs/core')).toBe(true);
    const dev = ['jest', '@swc/core', '@swc/jest', 'eslint', 'prettier', 'supertest', 'ts-jest', 'autocannon'];
    expect(dev.filter((name) => packages.has(name))).toEqual([]);
  });
});
