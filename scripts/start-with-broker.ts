/**
 * npm run start:with-broker: the service publishing to RabbitMQ, and the
 * notifier that tells bots, on one machine in one command. With AMQP_URL
 * set the service no longer notifies bots itself (in production the
 * notifier is its own deployment), so a bot tutorial needs both.
 *
 * The service listens on PORT (3000) and the notifier's health and metrics
 * on NOTIFIER_PORT (3001). Both use the embedded default storage: the
 * service in DATA_DIR (./data), the notifier in DATA_DIR/notifier, signing
 * with the service's notification key, so a bot validates its callbacks
 * against the service's /.well-known/jwks.json. The notifier starts once
 * the service answers (the service creates that key as it starts). Ctrl-C
 * stops both; if either stops, so does the other.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

/** The compiled apps: this script runs from dist/scripts. */
const dist = resolve(__dirname, '..');
const port = process.env.PORT ?? '3000';
const dataDir = resolve(process.env.DATA_DIR ?? 'data');
const shared = {
  AMQP_URL: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  AMQP_EXCHANGE: process.env.AMQP_EXCHANGE ?? 'calls.events',
};

function start(name: string, script: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [join(dist, script)], {
    env: { ...process.env, ...shared, ...env },
    stdio: 'inherit',
  });
  child.on('exit', (code, signal) => {
    if (!stopping) console.error(`${name} stopped (${signal ?? `exit code ${code}`}); stopping the rest`);
    stopAll(code ?? 1);
  });
  return child;
}

const children: ChildProcess[] = [];
let stopping = false;

function stopAll(code: number): void {
  if (!stopping) process.exitCode = code;
  stopping = true;
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
}

async function answers(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    if (
      await fetch(url).then(
        (response) => response.ok,
        () => false,
      )
    )
      return true;
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  }
  return false;
}

async function main(): Promise<void> {
  process.on('SIGINT', () => stopAll(0));
  process.on('SIGTERM', () => stopAll(0));
  children.push(start('the service', 'apps/calls-service/src/main.js', { PORT: port, DATA_DIR: dataDir }));
  if (!(await answers(`http://127.0.0.1:${port}/health/live`, 60_000))) {
    if (!stopping) console.error(`the service did not answer on port ${port} within 60 s`);
    return stopAll(1);
  }
  children.push(
    start('the notifier', 'apps/notifier/src/main.js', {
      PORT: process.env.NOTIFIER_PORT ?? '3001',
      DATA_DIR: join(dataDir, 'notifier'),
      NOTIFICATION_SIGNING_KEY_FILE: join(dataDir, 'notification-key', 'signing-key.pem'),
    }),
  );
  console.error(
    `the service on port ${port} and the notifier on port ${process.env.NOTIFIER_PORT ?? '3001'}, through ${shared.AMQP_EXCHANGE} on RabbitMQ`,
  );
}

void main();
