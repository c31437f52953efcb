import autocannon from 'autocannon';
import { connect } from 'amqplib';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { Pool } from 'pg';
import { CALLS_V1 } from '@calls/messaging';
import { serviceNodeFlags, startProcess, stop } from './bench-process';
import { fetchRetryingAsSdk } from './open-loop';

/*
 * Cancel-to-silence: from the moment the bot has the cancel's 200 to the
 * moment the media plane stops playing. The service runs with
 * MEDIA_PLANE=broker and the media simulator as its own process, as in
 * production: the cancel commits, the relay publishes
 * calls.v1.mediaProcessing.cancelled, the simulator stops the prompt and
 * reports media.v1.operation.stopped, whose CloudEvent `time` is the moment
 * it stopped. Cancels arrive at a fixed rate (half of the peak the service
 * carried in the main load), each on a call whose prompt the simulator is
 * playing.
 */

const PROMPT = {
  '@odata.type': '#microsoft.graph.mediaPrompt',
  mediaInfo: { '@odata.type': '#microsoft.graph.mediaInfo', uri: 'https://cdn.example.test/hold.wav' },
};

export interface Quantiles {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface SilenceFigures {
  readonly rate: number;
  readonly cancels: number;
  /** Cancels whose stop report never came (within the wait after the load). */
  readonly missing: number;
  /** From the cancel's 200 to the media plane's stop, ms. */
  readonly silence: Quantiles;
  /** The cancels' own latency at this rate, ms. */
  readonly latency: Quantiles;
  /** From the cancel's 200 to its calls.v1 event reaching a subscriber (the relay's part of the gap), ms. */
  readonly published: Quantiles;
}

function quantiles(values: number[]): Quantiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? NaN };
}

export interface SilenceSetup {
  readonly serviceScript: string;
  /** The production contender's environment; the media plane and its exchange are added here. */
  readonly env: Record<string, string>;
  readonly amqpUrl: string;
  readonly exchange: string;
  readonly token: string;
  readonly appId: string;
  readonly pool: Pool;
  /** Cancels per second. */
  readonly rate: number;
  readonly seconds: number;
}

export async function cancelToSilence(setup: SilenceSetup): Promise<SilenceFigures> {
  const mediaExchange = `${setup.exchange}.media`;
  const env = {
    ...setup.env,
    AMQP_EXCHANGE: setup.exchange,
    MEDIA_PLANE: 'broker',
    MEDIA_EXCHANGE: mediaExchange,
    MEDIA_REPORTS_QUEUE: `${mediaExchange}.reports`,
    MEDIA_SIMULATOR_QUEUE: `${setup.exchange}.simulator`,
  };
  // The stop reports, as the bench sees them: call id -> when the simulator stopped (epoch ms).
  const stoppedAt = new Map<string, number>();
  const connection = await connect(setup.amqpUrl);
  const channel = await connection.createChannel();
  await channel.assertExchange(mediaExchange, 'topic', { durable: true });
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
  await channel.bindQueue(queue, mediaExchange, 'media.v1.operation.stopped');
  await channel.consume(
    queue,
    (message) => {
      if (!message) return;
      const event = JSON.parse(message.content.toString()) as { time: string; data: { callId: string } };
      stoppedAt.set(event.data.callId, Date.parse(event.time));
    },
    { noAck: true },
  );
  // And when each cancel's calls.v1 event reached the broker's subscribers, to split the gap in two.
  const publishedAt = new Map<string, number>();
  await channel.assertExchange(setup.exchange, 'topic', { durable: true });
  const events = await channel.assertQueue('', { exclusive: true, autoDelete: true });
  await channel.bindQueue(events.queue, setup.exchange, CALLS_V1.mediaProcessingCancelled);
  await channel.consume(
    events.queue,
    (message) => {
      if (!message) return;
      const event = JSON.parse(message.content.toString()) as { data: { callId: string } };
      publishedAt.set(event.data.callId, Date.now());
    },
    { noAck: true },
  );
  const service = await startProcess(setup.serviceScript, env, serviceNodeFlags());
  const simulator = await startSimulator(env);
  try {
    const headers = { authorization: `Bearer ${setup.token}`, 'content-type': 'application/json' };
    const calls = await playingCalls(service.url, headers, setup, Math.ceil(setup.rate * setup.seconds));
    // The 200 of each cancel, by call (epoch ms, the clock the simulator's `time` is on).
    const answeredAt = new Map<string, number>();
    let next = 0;
    let latency: Quantiles = { p50: NaN, p99: NaN, max: NaN };
    await new Promise<void>((done, reject) => {
      autocannon(
        {
          url: service.url,
          connections: 50,
          overallRate: setup.rate,
          amount: calls.length,
          headers,
          requests: [
            {
              method: 'POST',
              // autocannon keeps one context per connection, and a connection has one request in flight.
              setupRequest: (request, context: object) => {
                const callId = calls[next++ % calls.length];
                (context as { callId?: string }).callId = callId;
                return {
                  ...request,
                  path: `/communications/calls/${callId}/cancelMediaProcessing`,
                  body: JSON.stringify({ clientContext: 'silence' }),
                };
              },
              onResponse: (status, _body, context: object) => {
                if (status === 200) answeredAt.set((context as { callId: string }).callId, Date.now());
              },
            },
          ],
        },
        (error, result) => {
          if (error) return reject(error);
          latency = { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max };
          done();
        },
      );
    });
    // Reports still on their way.
    for (let i = 0; i < 50 && [...answeredAt.keys()].some((id) => !stoppedAt.has(id)); i++)
      await new Promise((r) => setTimeout(r, 100));
    const gaps = [...answeredAt].filter(([id]) => stoppedAt.has(id));
    return {
      rate: setup.rate,
      cancels: answeredAt.size,
      missing: answeredAt.size - gaps.length,
      silence: quantiles(gaps.map(([id, at]) => stoppedAt.get(id)! - at)),
      latency,
      published: quantiles(gaps.filter(([id]) => publishedAt.has(id)).map(([id, at]) => publishedAt.get(id)! - at)),
    };
  } finally {
    await stop(simulator);
    await stop(service.child);
    await channel.deleteExchange(mediaExchange).catch(() => undefined);
    await connection.close();
  }
}

/** The media simulator as its own process, on the service's exchanges; it plays prompts for an hour. */
async function startSimulator(env: Record<string, string>) {
  const child = spawn(process.execPath, [resolve(__dirname, '../../apps/media-simulator/src/main.js')], {
    env: { ...process.env, ...env, SIMULATED_CONNECT_MS: '0', SIMULATED_PROMPT_MS: String(3_600_000) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const started = new Promise<void>((ready, failed) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('media simulator consuming') && ready());
    child.once('exit', (code) => failed(new Error(`the media simulator exited (${code})`)));
  });
  await started;
  child.stdout!.resume();
  return child;
}

/** `count` calls created through the API, connected by the simulator, each with a prompt it is playing. */
async function playingCalls(
  url: string,
  headers: Record<string, string>,
  setup: SilenceSetup,
  count: number,
): Promise<string[]> {
  const post = async (path: string, body: object) => {
    const response = await fetchRetryingAsSdk(`${url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as { id: string };
  };
  const ids: string[] = [];
  await inBatches(count, async () => {
    const call = await post('/communications/calls', {
      '@odata.type': '#microsoft.graph.call',
      // A public address literal: in production the callback policy refuses names that do not resolve and
      // private addresses. Nothing is sent to it: no notifier runs in this phase.
      callbackUri: 'https://1.1.1.1/bench-bot/callback',
      requestedModalities: ['audio'],
      mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
      source: { identity: { application: { id: setup.appId } } },
      targets: [{ identity: { user: { id: 'bench-user' } } }],
    });
    ids.push(call.id);
  });
  await until(
    setup.pool,
    `SELECT count(*) = ${count} AS done FROM calls WHERE state = 'established' AND id = ANY($1)`,
    [ids],
  );
  let i = 0;
  await inBatches(count, () => post(`/communications/calls/${ids[i++]}/playPrompt`, { prompts: [PROMPT] }));
  // Every operation-started event published; a moment more for the simulator to take them in.
  await until(setup.pool, 'SELECT count(*) = 0 AS done FROM outbox WHERE published_at IS NULL');
  await new Promise((r) => setTimeout(r, 1000));
  return ids;
}

async function inBatches(count: number, work: () => Promise<unknown>, parallel = 20): Promise<void> {
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started += 1;
      await work();
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

async function until(pool: Pool, sql: string, params: unknown[] = []): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const { rows } = await pool.query<{ done: boolean }>(sql, params);
    if (rows[0].done) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`still waiting for: ${sql}`);
}
