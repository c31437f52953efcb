import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DevTokenIssuer } from '@calls/auth';
import { AppProcess, buildApps, freePort } from './app-process';
import { AMQP_URL, deleteQueueAndExchange, privateExchange } from './rabbitmq';
import { createPostgresDatabase, TestDatabase } from './test-databases';
import { OWNER } from './test-app';

/** The compiled service, and the notifier if asked, as their own processes on a database and an exchange of this suite alone. */
export interface Deployment {
  readonly serviceUrl: string;
  /** The notifier's ops server (health, metrics), when it runs. */
  readonly notifierUrl: string | null;
  readonly exchange: string;
  readonly database: TestDatabase;
  /** A token of the development issuer the service trusts, for OWNER. */
  token(): string;
  stop(): Promise<void>;
}

export async function startDeployment(purpose: string, options: { notifier?: boolean } = {}): Promise<Deployment> {
  await buildApps();
  const exchange = privateExchange(purpose);
  const queue = `${exchange}.notifier`;
  const database = await createPostgresDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), `calls-${purpose}-`));
  const common = {
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DATABASE_URL: database.settings.databaseUrl!,
    AMQP_URL,
    AMQP_EXCHANGE: exchange,
    LOG_LEVEL: 'warn',
  };
  const processes: AppProcess[] = [];
  const stop = async () => {
    for (const process of processes.reverse()) await process.stop();
    await deleteQueueAndExchange(queue, exchange);
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const port = await freePort();
    const serviceUrl = `http://127.0.0.1:${port}`;
    const service = new AppProcess('calls-service', { ...common, PORT: String(port), SIMULATED_CONNECT_MS: '0' });
    processes.push(service);
    await service.start(`${serviceUrl}/health/ready`);
    let notifierUrl: string | null = null;
    if (options.notifier) {
      const notifierPort = await freePort();
      notifierUrl = `http://127.0.0.1:${notifierPort}`;
      const notifier = new AppProcess('notifier', {
        ...common,
        PORT: String(notifierPort),
        NOTIFIER_QUEUE: queue,
        NOTIFIER_POLL_MS: '50',
      });
      processes.push(notifier);
      await notifier.start(`${notifierUrl}/health/ready`);
    }
    const issuer = DevTokenIssuer.forDataDir(dataDir);
    return {
      serviceUrl,
      notifierUrl,
      exchange,
      database,
      token: () => issuer.issue({ ...OWNER, roles: ['Calls.Initiate.All'] }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
