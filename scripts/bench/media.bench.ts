/**
 * npm run bench, third part: the real media plane. The service (production
 * configuration, MEDIA_PLANE=broker), the media gateway and rtpengine as
 * their own processes, the callers in this one (so a packet's arrival and a
 * cancel's 200 are on one clock). Prints:
 * - cancel-to-silence on the wire: from a cancel's 200 to the last RTP
 *   packet of its prompt at the caller, 100 calls playing, cancels at half
 *   the service's peak cancel rate; beside the media simulator's figure at
 *   the same rate (its stop report's time);
 * - scale: the most calls playing at once with the callers' packet gaps at
 *   p99 <= 30 ms and no packet lost, and CPU per call of the gateway and of
 *   rtpengine;
 * - accuracy: playedDuration against packets received x 20 ms, and a
 *   recording's voiced length against the speech sent.
 * The figures replace the last-run section of docs/media.md.
 */
import autocannon from 'autocannon';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Pool } from 'pg';
import { connect as amqpConnect } from 'amqplib';
import { CALLS_V1 } from '@calls/messaging';
import { WaveFile } from 'wavefile';
import { voicedMs } from '../../apps/media-gateway/src/recording/voice-activity';
import { PromptServer, wavFile } from '../../examples/media-caller/prompt-server';
import { RtpCaller, tone } from '../../examples/media-caller/rtp-caller';
import { createBenchDatabase } from './bench-database';
import { productionEnv, startIdentityProvider } from './bench-identity';
import { cpuMsOf, serviceNodeFlags, startProcess, stop } from './bench-process';
import { writeLastRun } from './bench-report';
import { lostPackets } from '@calls/media-plane';
import { cancelToSilence, Quantiles } from './cancel-to-silence';
import { atMost, fetchRetryingAsSdk } from './open-loop';

const AMQP_URL = process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
/** The bench's own rtpengine, with room for 2,000 calls (4 ports each). */
const RTPENGINE_NG = process.env.BENCH_RTPENGINE_NG ?? '127.0.0.1:22301';
const RTPENGINE_PORTS = { min: 42000, max: 49999 };
const EDGE_TOKEN = 'bench-edge-token-0123456789abcdef';
const CALLS_PLAYING = 100;
const SCALE_STEPS = (process.env.BENCH_MEDIA_SCALE_STEPS ?? '50,100,200,300,400').split(',').map(Number);
const SCALE_SECONDS = 8;
const owner = { tenantId: 'bench-tenant', appId: 'bench-app' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function quantiles(values: number[]): Quantiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? NaN };
}
const ms = (q: Quantiles) => `p50 ${q.p50.toFixed(0)} ms, p99 ${q.p99.toFixed(0)} ms, max ${q.max.toFixed(0)} ms`;

/** Setup requests (prompts, hang-ups) in flight at once: the calls' bots, spread out. */
const SETUP_PARALLEL = 20;

async function main(): Promise<void> {
  const lines: string[] = [];
  const say = (line: string) => {
    console.log(line);
    lines.push(line);
  };
  execFileSync(resolve(__dirname, '../../../scripts/rtpengine/start.sh'), {
    env: {
      ...process.env,
      RTPENGINE_NG,
      RTPENGINE_PORT_MIN: String(RTPENGINE_PORTS.min),
      RTPENGINE_PORT_MAX: String(RTPENGINE_PORTS.max),
    },
    stdio: 'inherit',
  });
  const enginePid = Number(readFileSync(`/tmp/rtpengine-${RTPENGINE_NG.split(':')[1]}/rtpengine.pid`, 'utf8'));
  const database = await createBenchDatabase();
  const pool = new Pool({ connectionString: database.url, max: 4 });
  const identity = await startIdentityProvider(owner, ['Calls.Initiate.All', 'Calls.AccessMedia.All']);
  const prompts = await PromptServer.start();
  const longTone = prompts.serve('/tone-440.wav', wavFile(tone(440, 20_000)));
  const dataDir = mkdtempSync(join(tmpdir(), 'calls-media-bench-'));
  const exchange = `calls.bench.media.${process.pid}`;
  const env: Record<string, string> = {
    ...productionEnv({ databaseUrl: database.url, dataDir, identity, amqpUrl: AMQP_URL }),
    LOG_LEVEL: 'warn',
  };
  const headers = { authorization: `Bearer ${identity.token}`, 'content-type': 'application/json' };
  const children: ChildProcess[] = [];
  try {
    // The simulator's figure first, on its own exchange, at half the peak measured here.
    const peak = await peakCancelRate(env, exchange, identity.token);
    const rate = Number(process.env.BENCH_MEDIA_CANCEL_RATE ?? Math.max(1, Math.round(peak / 2)));
    say(`service peak (cancels on idle calls, 50 connections, 5 s): ${peak.toFixed(0)}/s; cancels below at ${rate}/s`);
    const simulated = await cancelToSilence({
      serviceScript: serviceScript(),
      env,
      amqpUrl: AMQP_URL,
      exchange: `${exchange}.simulator`,
      token: identity.token,
      appId: owner.appId,
      pool,
      rate,
      seconds: CALLS_PLAYING / rate,
    });
    say(
      `cancel-to-silence, media simulator (its stop report): ${ms(simulated.silence)} (${simulated.cancels} cancels)`,
    );

    const broker = {
      ...env,
      AMQP_EXCHANGE: `${exchange}.wire`,
      MEDIA_EXCHANGE: `${exchange}.wire.media`,
    };
    // When each cancel's calls.v1 event reaches a subscriber (this process's clock), to split the gap.
    const publishedAt = await subscribe(`${exchange}.wire`, CALLS_V1.mediaProcessingCancelled);
    const service = await startProcess(
      serviceScript(),
      { ...broker, MEDIA_PLANE: 'broker', MEDIA_REPORTS_QUEUE: `${exchange}.wire.reports` },
      serviceNodeFlags(),
    );
    children.push(service.child);
    const gateway = await startGateway({
      ...broker,
      MEDIA_GATEWAY_QUEUE: `${exchange}.wire.gateway`,
      RTPENGINE_NG,
      MEDIA_EDGE_TOKEN: EDGE_TOKEN,
      // Production refuses a clear-text one; the bench downloads recordings from the gateway's own port.
      MEDIA_GATEWAY_PUBLIC_URL: 'https://media.bench.invalid',
      NODE_EXTRA_CA_CERTS: prompts.certificateFile,
    });
    children.push(gateway.child);
    const api = async (method: string, path: string, body?: object) => {
      const response = await fetchRetryingAsSdk(`${service.url}${path}`, {
        method,
        headers,
        body: body ? JSON.stringify(body) : undefined,
      });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return response.status === 204 ? {} : ((await response.json()) as Record<string, unknown>);
    };
    const connect = (count: number) => connectedCalls(count, api, gateway.url);
    const play = async (calls: readonly Call[], uri: string) =>
      atMost(SETUP_PARALLEL, calls, async (call) => {
        const op = await api('POST', `/communications/calls/${call.id}/playPrompt`, {
          prompts: [{ mediaInfo: { uri, resourceId: 'bench-tone' } }],
        });
        call.operationId = op.id as string;
      });
    const hangUp = async (calls: readonly Call[]) => {
      await atMost(SETUP_PARALLEL, calls, (call) =>
        api('DELETE', `/communications/calls/${call.id}`).catch(() => undefined),
      );
      // The gateway stops the media on the call's terminated event: the callers' ports stay bound meanwhile,
      // so none is taken by a new caller while its old prompt still plays.
      await sleep(2000);
      for (const call of calls) call.caller.close();
    };
    /** Until every caller hears its prompt (rtpengine answers play media once it decoded the file). */
    const allHearing = async (calls: readonly Call[]) => {
      for (let i = 0; i < 300; i++) {
        const now = performance.now();
        if (calls.every((call) => call.caller.audio(now - 200).length >= 5)) return;
        await sleep(100);
      }
      throw new Error('not every caller hears its prompt after 30 s');
    };

    // Cancel-to-silence on the wire.
    const playing = await connect(CALLS_PLAYING);
    await play(playing, longTone);
    await allHearing(playing);
    const answered = new Map<Call, number>();
    let index = 0;
    await new Promise<void>((done) => {
      const timer = setInterval(() => {
        const call = playing[index++];
        if (!call) {
          clearInterval(timer);
          return;
        }
        api('POST', `/communications/calls/${call.id}/cancelMediaProcessing`, {}).then(
          () => {
            answered.set(call, performance.now());
            if (answered.size === playing.length) done();
          },
          () => undefined,
        );
      }, 1000 / rate);
    });
    await sleep(1000);
    const silence = [...answered].map(([call, at]) => {
      const after = call.caller.audio(at);
      return after.length ? after[after.length - 1].at - at : 0;
    });
    say(
      `cancel-to-silence on the wire (gateway + rtpengine, ${playing.length} calls playing, ${rate} cancels/s): ` +
        `${ms(quantiles(silence))} from the cancel's 200 to the prompt's last packet at the caller`,
    );
    const toEvent = [...answered].filter(([call]) => publishedAt.has(call.id));
    const stops = histogramOf(await (await fetch(`${gateway.url}/metrics`)).text(), 'media_gateway_stop_seconds');
    say(
      `  of which: 200 -> its event at a subscriber ${ms(quantiles(toEvent.map(([call, at]) => publishedAt.get(call.id)! - at)))}; ` +
        `the gateway's stop (event in -> stop media answered): ${stops}`,
    );

    // Accuracy of playedDuration, on those cancels.
    await sleep(500);
    const played: { stored: number; heard: number }[] = [];
    for (const call of playing) {
      const op = await api('GET', `/communications/calls/${call.id}/operations/${call.operationId}`);
      const stored = Number(/^PT(\d+(?:\.\d+)?)S$/.exec(String(op.playedDuration))?.[1]) * 1000;
      played.push({ stored, heard: call.caller.audio().length * 20 });
    }
    const playedErrors = played.map(({ stored, heard }) => Math.abs(stored - heard));
    say(`playedDuration against packets received x 20 ms: |error| ${ms(quantiles(playedErrors))}`);
    const worst = [...played].sort((a, b) => Math.abs(b.stored - b.heard) - Math.abs(a.stored - a.heard)).slice(0, 3);
    console.log(`  worst (stored / heard, ms): ${worst.map(({ stored, heard }) => `${stored} / ${heard}`).join(', ')}`);
    await hangUp(playing);

    // Scale: steps of calls playing at once.
    const short = prompts.serve('/tone-600.wav', wavFile(tone(600, (SCALE_SECONDS + 30) * 1000)));
    let best = 0;
    for (const count of SCALE_STEPS) {
      const calls = await connect(count);
      await play(calls, short);
      const hearing = await allHearing(calls).then(
        () => true,
        () => false,
      );
      if (!hearing) {
        say(`scale: ${String(count).padStart(4)} calls playing: not every caller heard its prompt within 30 s`);
        await hangUp(calls);
        break;
      }
      const from = performance.now();
      const gatewayCpu = cpuMsOf(gateway.child.pid!);
      const engineCpu = cpuMsOf(enginePid);
      await sleep(SCALE_SECONDS * 1000);
      const to = performance.now();
      const gatewayCpuPerCall = (cpuMsOf(gateway.child.pid!) - gatewayCpu) / SCALE_SECONDS / 10 / count; // % of a core
      const engineCpuPerCall = (cpuMsOf(enginePid) - engineCpu) / SCALE_SECONDS / 10 / count;
      const gaps: number[] = [];
      let lost = 0;
      for (const call of calls) {
        const heard = call.caller.audio(from).filter((packet) => packet.at <= to);
        // The prompt's own stream (rtpengine's player has one SSRC per playback).
        const window = heard.filter((packet) => packet.ssrc === heard[0]?.ssrc);
        for (let i = 1; i < window.length; i++) gaps.push(window[i].at - window[i - 1].at);
        lost += lostPackets(window.map((packet) => packet.sequence));
      }
      const gap = quantiles(gaps);
      const ok = gap.p99 <= 30 && lost === 0;
      say(
        `scale: ${String(count).padStart(4)} calls playing: packet gaps ${ms(gap)}, ${lost} lost; CPU per call: ` +
          `gateway ${gatewayCpuPerCall.toFixed(3)} % of a core, rtpengine ${engineCpuPerCall.toFixed(3)} %` +
          (ok ? '' : '  (over the bound)'),
      );
      await hangUp(calls);
      await sleep(1000);
      if (!ok) break;
      best = count;
    }
    say(
      `scale: at most ${best} calls playing at once within gaps p99 <= 30 ms and no packet lost (of the steps tried)`,
    );

    // Accuracy of recordings: 1 s of speech, then silence until maxSilenceTimeout ends it.
    const recorded = await connect(20);
    const recordingErrors: number[] = [];
    await Promise.all(
      recorded.map(async (call) => {
        const op = await api('POST', `/communications/calls/${call.id}/recordResponse`, {
          playBeep: false,
          maxSilenceTimeoutInSeconds: 1,
          initialSilenceTimeoutInSeconds: 5,
        });
        await sleep(300);
        await call.caller.sendAudio(tone(440, 1000));
        await call.caller.sendAudio(new Int16Array(8 * 1500));
        let done: Record<string, unknown> = {};
        for (let i = 0; i < 50 && done.status !== 'completed'; i++, await sleep(100))
          done = await api('GET', `/communications/calls/${call.id}/operations/${op.id}`);
        const location = String(done.recordingLocation);
        const wav = await fetch(`${gateway.url}${new URL(location).pathname}`, {
          headers: { authorization: `Bearer ${done.recordingAccessToken}` },
        });
        const samples = new WaveFile(Buffer.from(await wav.arrayBuffer())).getSamples(false, Int16Array);
        recordingErrors.push(Math.abs(voicedMs(samples as unknown as Int16Array) - 1000));
      }),
    );
    say(
      `recording's voiced length against 1000 ms of speech sent (20 calls): |error| ${ms(quantiles(recordingErrors))}`,
    );
    await hangUp(recorded);

    // One list item per printed line, its column padding dropped: the section stays as Prettier writes it.
    const items = lines.map((line) => `- ${line.trim().replace(/ {2,}/g, ' ')}`);
    writeLastRun(resolve(__dirname, '../../../docs/media.md'), items.join('\n'));
  } finally {
    for (const child of children.reverse()) await stop(child);
    await prompts.stop();
    await identity.stop();
    await pool.end();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Epoch-free arrival times (performance.now) of one event type on an exchange, by call id. */
async function subscribe(exchange: string, type: string): Promise<Map<string, number>> {
  const arrivals = new Map<string, number>();
  const connection = await amqpConnect(AMQP_URL);
  const channel = await connection.createChannel();
  await channel.assertExchange(exchange, 'topic', { durable: true });
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
  await channel.bindQueue(queue, exchange, type);
  await channel.consume(
    queue,
    (message) => {
      if (!message) return;
      const event = JSON.parse(message.content.toString()) as { data: { callId: string } };
      arrivals.set(event.data.callId, performance.now());
    },
    { noAck: true },
  );
  // The connection lives as long as the bench, which ends with process.exit.
  return arrivals;
}

/** A Prometheus histogram's share of observations within each bucket bound, as text. */
function histogramOf(metrics: string, name: string): string {
  const buckets = [...metrics.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)$`, 'gm'))].map((m) => ({
    le: m[1],
    count: Number(m[2]),
  }));
  const total = buckets.find((b) => b.le === '+Inf')?.count ?? 0;
  if (!total) return 'no observations';
  return buckets
    .filter((b) => b.le !== '+Inf')
    .map((b) => `<= ${Number(b.le) * 1000} ms: ${Math.round((b.count / total) * 100)} %`)
    .join(', ');
}

interface Call {
  readonly id: string;
  readonly caller: RtpCaller;
  operationId?: string;
}

const serviceScript = () => resolve(__dirname, '../../apps/calls-service/src/main.js');

/** The peak rate of cancels (on calls with nothing to cancel) the service answers, with the relay to RabbitMQ on. */
async function peakCancelRate(env: Record<string, string>, exchange: string, token: string): Promise<number> {
  const service = await startProcess(
    serviceScript(),
    { ...env, AMQP_EXCHANGE: `${exchange}.peak` },
    serviceNodeFlags(),
  );
  try {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const response = await fetch(`${service.url}/communications/calls`, {
        method: 'POST',
        headers,
        body: JSON.stringify(callBody()),
      });
      ids.push(((await response.json()) as { id: string }).id);
    }
    let next = 0;
    const result = await autocannon({
      url: service.url,
      connections: 50,
      duration: 5,
      headers,
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => ({
            ...request,
            path: `/communications/calls/${ids[next++ % ids.length]}/cancelMediaProcessing`,
            body: '{}',
          }),
        },
      ],
    });
    return result.requests.average;
  } finally {
    await stop(service.child);
  }
}

function callBody(): object {
  return {
    '@odata.type': '#microsoft.graph.call',
    callbackUri: 'https://1.1.1.1/bench-bot/callback',
    requestedModalities: ['audio'],
    mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
    source: { identity: { application: { id: owner.appId } } },
    targets: [{ identity: { user: { id: 'bench-user' } } }],
  };
}

/** The media gateway as its own process, on a free port, ready when its queue is bound and rtpengine answers. */
async function startGateway(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  const child = spawn(process.execPath, [resolve(__dirname, '../../apps/media-gateway/src/main.js')], {
    env: { ...process.env, ...env, MEDIA_GATEWAY_PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout!.resume();
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (
      await fetch(`${url}/health/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { url, child };
    await sleep(100);
  }
  child.kill();
  throw new Error('the media gateway did not start');
}

/** `count` calls created through the API, each with a caller whose media the gateway anchored (established). */
async function connectedCalls(
  count: number,
  api: (method: string, path: string, body?: object) => Promise<Record<string, unknown>>,
  gatewayUrl: string,
): Promise<Call[]> {
  const calls: Call[] = [];
  for (let i = 0; i < count; i += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, count - i) }, async () => {
        const created = await api('POST', '/communications/calls', callBody());
        return { id: created.id as string, caller: await RtpCaller.open() };
      }),
    );
    await sleep(300); // the gateway learns of the calls from their events
    await Promise.all(
      batch.map(async (call) => {
        for (let attempt = 0; ; attempt++) {
          const response = await fetch(`${gatewayUrl}/media/v1/calls/${call.id}/answer`, {
            method: 'POST',
            headers: { authorization: `Bearer ${EDGE_TOKEN}`, 'content-type': 'application/json' },
            body: JSON.stringify({ sdp: call.caller.offer() }),
          });
          if (response.ok) {
            call.caller.answered(((await response.json()) as { sdp: string }).sdp);
            return;
          }
          if (attempt > 20) throw new Error(`answer for ${call.id}: ${response.status} ${await response.text()}`);
          await sleep(100);
        }
      }),
    );
    calls.push(...batch);
  }
  for (const call of calls) {
    for (let i = 0; i < 100; i++) {
      const state = (await api('GET', `/communications/calls/${call.id}`)).state;
      if (state === 'established') break;
      await sleep(50);
    }
  }
  return calls;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
