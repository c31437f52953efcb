import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connect } from 'amqplib';
import { imageCommand } from '../../scripts/image-command';
import { AppProcess, buildApps, freePort } from '../support/app-process';
import { JwksServer, newSigningKey, signWith, SigningKey } from '../support/jwks-server';
import { OtlpReceiver } from '../support/otlp-receiver';
import { RTPENGINE_NG } from '../support/rtp-caller';
import { AMQP_URL, privateExchange } from '../support/rabbitmq';
import { createPostgresDatabase, TestDatabase } from '../support/test-databases';

const exec = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
/** The image's `node` user stands in as `nobody` here: any user that owns nothing of the app. */
const NOBODY = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

/**
 * The Dockerfile's final stage without a container engine (this machine has
 * none): the compiled code with the production dependencies only (`npm prune
 * --omit=dev`, as the build stage does), NODE_ENV=production, an unprivileged
 * user that cannot write the app's files (the pods' read-only root), and each
 * workload started with its command from k8s/. A runtime import of a dev
 * dependency, or a write next to the code, fails here.
 */
describe('the production image contents (processes, PostgreSQL, RabbitMQ)', () => {
  let app: string;
  let dataDir: string;
  let database: TestDatabase;
  let jwks: JwksServer;
  let key: SigningKey;
  let collector: OtlpReceiver;
  let env: Record<string, string>;
  const exchange = privateExchange('image');
  const running: AppProcess[] = [];

  beforeAll(async () => {
    await buildApps();
    app = mkdtempSync(join(tmpdir(), 'calls-image-'));
    chmodSync(app, 0o755);
    await exec('cp', ['-a', 'package.json', 'package-lock.json', 'dist', 'node_modules', app], { cwd: ROOT });
    await exec('npm', ['prune', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: app,
      timeout: 120_000,
    });
    dataDir = mkdtempSync(join(tmpdir(), 'calls-image-data-'));
    if (NOBODY.uid !== undefined) chownSync(dataDir, NOBODY.uid, NOBODY.gid!);

    database = await createPostgresDatabase();
    jwks = new JwksServer();
    key = newSigningKey();
    jwks.keys = [key];
    await jwks.start();
    collector = new OtlpReceiver();
    await collector.start();
    const notificationKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    env = {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: database.settings.databaseUrl!,
      DATABASE_MIGRATIONS_RUN: 'false',
      AUTH_JWKS_URI: jwks.url,
      AUTH_ISSUER: 'https://login.example.test/tenant-a/v2.0',
      AUTH_AUDIENCE: 'api://calls-service',
      NOTIFICATION_SIGNING_KEY: notificationKey,
      AMQP_URL,
      AMQP_EXCHANGE: exchange,
      MEDIA_EXCHANGE: `${exchange}.media`,
      NOTIFIER_QUEUE: `${exchange}.notifier`,
      MEDIA_SIMULATOR_QUEUE: `${exchange}.media-simulator`,
      MEDIA_REPORTS_QUEUE: `${exchange}.media-reports`,
      MEDIA_GATEWAY_QUEUE: `${exchange}.media-gateway`,
      RTPENGINE_NG,
      MEDIA_EDGE_TOKEN: 'edge-token-for-the-tests-0123456789',
      MEDIA_GATEWAY_PUBLIC_URL: 'https://media.example.test',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      LOG_LEVEL: 'warn',
    };
  }, 180_000);

  afterAll(async () => {
    for (const process of running) await process.stop();
    const connection = await connect(AMQP_URL);
    const channel = await connection.createChannel();
    for (const suffix of ['notifier', 'media-simulator', 'media-reports', 'media-gateway'])
      await channel.deleteQueue(`${exchange}.${suffix}`).catch(() => undefined);
    for (const name of [exchange, `${exchange}.media`]) await channel.deleteExchange(name).catch(() => undefined);
    await connection.close();
    await collector?.stop();
    await jwks?.stop();
    await database?.drop();
    rmSync(app, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async (
    script: string,
    extra: Record<string, string>,
    ready: (port: number) => string | RegExp,
    nodeFlags: string[] = [],
  ) => {
    const port = await freePort();
    const process = new AppProcess(
      script,
      { ...env, PORT: String(port), MEDIA_GATEWAY_PORT: String(port), ...extra },
      { root: app, ...NOBODY, nodeFlags },
    );
    await process.start(ready(port));
    running.push(process);
    return { process, url: `http://127.0.0.1:${port}` };
  };

  it('holds no dev dependency', async () => {
    const { stdout } = await exec('npm', ['ls', '--omit=dev', '--depth=0', '--parseable'], { cwd: app });
    expect(stdout).not.toMatch(/node_modules\/(jest|typescript|@swc|eslint|prettier|supertest)\b/);
    await expect(exec('npm', ['ls', 'jest'], { cwd: app })).rejects.toThrow();
  });

  it('holds no test fixture: libs/*/src/testing stays out of the build', async () => {
    const { stdout } = await exec('find', ['dist', '-type', 'd', '-name', 'testing'], { cwd: app });
    expect(stdout.trim()).toBe('');
    expect(existsSync(join(app, 'dist/libs/domain/src/call/call.aggregate.js'))).toBe(true);
  });

  it('migrates the database with the migration Job’s command, in two steps when told to stop early', async () => {
    const migrate = (...args: string[]) =>
      new AppProcess('libs/persistence/src/migrate.cli.js', env, { root: app, ...NOBODY, args });
    // The expand step of docs/operations.md: everything up to the conversion, which waits for the new code.
    const expand = migrate('--until', '1764266000000');
    expect(await expand.run()).toBe(0);
    expect(expand.output).toMatch(
      /applied 7 migration\(s\): .*CommandReceipts1764265000000, OutboxDirectPublish1764266000000\n/,
    );
    const contract = migrate();
    expect(await contract.run()).toBe(0);
    expect(contract.output).toMatch(
      /applied 3 migration\(s\): NativePostgresTypes1764270000000, DropIdempotencyKeys1764280000000, CallRetentionAndTones1764290000000\n/,
    );
    const again = migrate();
    expect(await again.run()).toBe(0);
    expect(again.output).toMatch(/applied 0 migration\(s\): none pending/);
  });

  it('starts the service with `npm start` as the image does: the same Node flags and script', () => {
    const { nodeFlags, script } = imageCommand();
    expect(script).toBe('dist/apps/calls-service/src/main.js');
    // The young generation's size (Dockerfile): a flag Node refused would stop the next test's process.
    expect(nodeFlags).toEqual([expect.stringMatching(/^--max-semi-space-size=\d+$/)]);
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts.start).toBe(['node', ...nodeFlags, script].join(' '));
  });

  it('runs the service with the image’s command, traced, and answers a real caller', async () => {
    const { nodeFlags } = imageCommand();
    const { url } = await start('calls-service', {}, (port) => `http://127.0.0.1:${port}/health/ready`, nodeFlags);
    const token = signWith(key, {
      iss: env.AUTH_ISSUER,
      aud: env.AUTH_AUDIENCE,
      tid: 'tenant-a',
      azp: 'app-a',
      roles: ['Calls.Initiate.All'],
      exp: Math.floor(Date.now() / 1000) + 600,
    });
    const answer = await fetch(`${url}/communications/calls/00000000-0000-4000-8000-000000000001`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(answer.status).toBe(404);
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('itemNotFound');
    const spans = async () => collector.spans.filter((span) => span.service === 'calls-service');
    for (let i = 0; i < 100 && (await spans()).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await spans()).length).toBeGreaterThan(0);
  });

  it('runs the notifier, the media simulator and the media gateway (ready: queue bound, rtpengine answers)', async () => {
    await start('notifier', {}, (port) => `http://127.0.0.1:${port}/health/ready`);
    await start('media-simulator', {}, () => /media simulator consuming/);
    await start('media-gateway', {}, (port) => `http://127.0.0.1:${port}/health/ready`);
  });

  it('stops every workload on SIGTERM with exit code 0', async () => {
    expect(running).toHaveLength(4);
    for (const process of running.splice(0)) expect(await process.stop()).toBe(0);
  });
});
