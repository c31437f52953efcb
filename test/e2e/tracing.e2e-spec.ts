import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, Socket } from 'node:net';
import { connect } from 'amqplib';
import { DevTokenIssuer, Roles } from '@calls/auth';
import { AppProcess, buildApps, freePort } from '../support/app-process';
import { CallbackReceiver } from '../support/callback-receiver';
import { OtlpReceiver, ReceivedSpan } from '../support/otlp-receiver';
import { AMQP_URL, ExchangeRecorder, privateExchange } from '../support/rabbitmq';
import { createPostgresDatabase, TestDatabase } from '../support/test-databases';
import { CREATE_CALL_BODY, eventually, OWNER, PROMPT } from '../support/test-app';

const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;

/**
 * Tracing as operators run it: the compiled service and notifier as their own
 * processes, exporting OTLP to a collector (here, a loopback receiver), with
 * the trace context travelling in the CloudEvents over RabbitMQ.
 */
describe('OpenTelemetry tracing across the service, the broker and the notifier (processes, PostgreSQL, RabbitMQ)', () => {
  let database: TestDatabase;
  let collector: OtlpReceiver;
  let bot: CallbackReceiver;
  let events: ExchangeRecorder;
  let service: AppProcess;
  let notifier: AppProcess;
  let serviceUrl: string;
  let settings: Record<string, string>;
  const exchange = privateExchange('tracing');
  const queue = `${exchange}.notifier`;

  beforeAll(async () => {
    await buildApps();
    collector = new OtlpReceiver();
    await collector.start();
    bot = new CallbackReceiver();
    await bot.start();
    events = new ExchangeRecorder(exchange);
    await events.start();
    database = await createPostgresDatabase();
    settings = {
      DATABASE_URL: database.settings.databaseUrl!,
      DATA_DIR: database.settings.dataDir,
      AMQP_URL,
      AMQP_EXCHANGE: exchange,
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    const servicePort = await freePort();
    serviceUrl = `http://127.0.0.1:${servicePort}`;
    service = new AppProcess('calls-service', {
      ...settings,
      PORT: String(servicePort),
      HOST: '127.0.0.1',
      OUTBOX_POLL_MS: '50',
      SIMULATED_CONNECT_MS: '0',
      SIMULATED_PROMPT_MS: '60000',
    });
    await service.start(`${serviceUrl}/health/ready`);
    const notifierPort = await freePort();
    notifier = new AppProcess('notifier', {
      ...settings,
      PORT: String(notifierPort),
      HOST: '127.0.0.1',
      NOTIFIER_QUEUE: queue,
      NOTIFIER_POLL_MS: '50',
    });
    await notifier.start(`http://127.0.0.1:${notifierPort}/health/ready`);
  }, 120_000);

  afterAll(async () => {
    await notifier?.stop();
    await service?.stop();
    await events?.stop();
    const connection = await connect(AMQP_URL);
    const channel = await connection.createChannel();
    await channel.deleteQueue(queue).catch(() => undefined);
    await connection.close();
    await bot?.stop();
    await collector?.stop();
    await database?.drop();
  });

  /**
   * The bot (dev issuer under `dataDir`) creates a call through the service at
   * `url`, waits until it is established, and starts a prompt; `cancel`
   * then cancels it as part of a trace of the bot's own.
   */
  async function callWithPrompt(url: string, dataDir: string) {
    const token = DevTokenIssuer.forDataDir(dataDir).issue({
      ...OWNER,
      roles: [Roles.CallsInitiateAll, Roles.CallsAccessMediaAll],
    });
    const call = (body: object, path = '', headers: Record<string, string> = {}) =>
      fetch(`${url}/communications/calls${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const callId = ((await (await call({ ...CREATE_CALL_BODY, callbackUri: bot.url })).json()) as { id: string }).id;
    await eventually(
      async () =>
        (await fetch(`${url}/communications/calls/${callId}`, {
          headers: { authorization: `Bearer ${token}` },
        }).then((r) => r.json())) as { state: string },
      (body) => body.state === 'established',
      15_000,
    );
    const prompt = (await (await call({ prompts: [PROMPT] }, `/${callId}/playPrompt`)).json()) as { id: string };
    const traceId = randomBytes(16).toString('hex');
    const botSpanId = randomBytes(8).toString('hex');
    const cancel = () =>
      call({ clientContext: 'traced' }, `/${callId}/cancelMediaProcessing`, {
        traceparent: `00-${traceId}-${botSpanId}-01`,
      });
    return { callId, prompt, traceId, botSpanId, cancel };
  }

  it('puts a cancel, its CloudEvents, the notifier and the bot callback in the trace the bot started', async () => {
    const { callId, prompt, traceId, botSpanId, cancel } = await callWithPrompt(serviceUrl, database.settings.dataDir);
    // The cancel request is sent as a child of the bot's own span.
    const cancelled = await cancel();
    expect(cancelled.status).toBe(200);
    const requestId = cancelled.headers.get('request-id');

    // Everything the cancel caused reaches the collector in that trace, from both processes.
    const processed = (type: string) => (span: ReceivedSpan) =>
      span.service === 'notifier' && span.kind === CONSUMER && span.name === `process ${type}`;
    // Each process exports on its own schedule: wait for the last span of each kind to arrive.
    const spans = await eventually(
      async () => collector.inTrace(traceId),
      (found) =>
        found.some((span) => span.service === 'calls-service' && span.kind === SERVER) &&
        found.some((span) => span.kind === PRODUCER) &&
        found.some(processed('calls.v1.mediaProcessing.cancelled')) &&
        found.some((span) => span.name === 'deliver commsNotification') &&
        found.some((span) => span.kind === CLIENT && String(span.attributes['url.full']).startsWith(bot.url)),
      15_000,
    );

    const request = spans.find((span) => span.service === 'calls-service' && span.kind === SERVER);
    expect(request).toMatchObject({ parentSpanId: botSpanId });
    expect(String(request!.attributes['url.path'])).toBe(`/communications/calls/${callId}/cancelMediaProcessing`);
    // The cancel's statements are in the trace too, as text only: the values bound to them are not recorded.
    const statements = spans.filter((span) => span.attributes['db.system.name'] === 'postgresql');
    expect(statements.map((span) => String(span.attributes['db.query.text']))).toContainEqual(
      // The save is one statement on PostgreSQL: the outbox insert is one of its CTEs.
      expect.stringMatching(/\bINSERT INTO outbox \(/),
    );
    for (const statement of statements) expect(Object.keys(statement.attributes).join()).not.toMatch(/param|value/);

    // Each event is published under a producer span, and the event carries that span's context.
    const published = spans.find(
      (span) => span.kind === PRODUCER && span.name === 'publish calls.v1.mediaProcessing.cancelled',
    );
    expect(published).toMatchObject({ service: 'calls-service' });
    const onTheWire = events
      .bodies<{ type: string; traceparent?: string; data: { callId: string } }>()
      .find((event) => event.type === 'calls.v1.mediaProcessing.cancelled' && event.data.callId === callId);
    expect(onTheWire?.traceparent).toBe(`00-${traceId}-${published!.spanId}-01`);

    // The notifier's work is a child of the publish, and its POST to the bot is a child of the delivery.
    expect(spans.find(processed('calls.v1.mediaProcessing.cancelled'))).toMatchObject({
      parentSpanId: published!.spanId,
    });
    const post = spans.find((span) => span.kind === CLIENT && String(span.attributes['url.full']).startsWith(bot.url))!;
    expect(post).toMatchObject({ service: 'notifier', attributes: { 'http.request.method': 'POST' } });
    expect(spans.find((span) => span.spanId === post.parentSpanId)).toMatchObject({
      name: 'deliver commsNotification',
      attributes: { 'cloudevents.event_type': 'calls.v1.mediaOperation.ended' },
    });

    // The request's log line names the trace, so an operator can go from one to the other.
    const logLine = service.output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.requestId === requestId);
    expect(logLine).toMatchObject({ traceId, res: { statusCode: 200 } });
    // The notifier writes the same JSON lines.
    expect(notifier.output.split('\n').find((line) => line.includes('notifier consuming'))).toMatch(
      /^\{.*"msg":"notifier consuming"/,
    );

    // The bot receives the context too, so its handling of the notification can join the same trace.
    const deleted = bot.received.find((n) => n.body.value[0].resourceUrl.endsWith(`/operations/${prompt.id}`));
    expect(String(deleted?.headers.traceparent)).toBe(`00-${traceId}-${post.spanId}-01`);
  });

  it('keeps the same trace through the embedded default, where the notifier runs in the service', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'calls-tracing-embedded-'));
    const port = await freePort();
    const embedded = new AppProcess('calls-service', {
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SIMULATED_CONNECT_MS: '0',
      SIMULATED_PROMPT_MS: '60000',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_SERVICE_NAME: 'calls-service-embedded',
    });
    try {
      await embedded.start(`http://127.0.0.1:${port}/health/ready`);
      const { prompt, traceId, cancel } = await callWithPrompt(`http://127.0.0.1:${port}`, dataDir);
      expect((await cancel()).status).toBe(200);

      const spans = await eventually(
        async () => collector.inTrace(traceId),
        (found) =>
          found.some((span) => span.kind === CLIENT && String(span.attributes['url.full']).startsWith(bot.url)),
        15_000,
      );
      expect(new Set(spans.map((span) => span.service))).toEqual(new Set(['calls-service-embedded']));
      const post = spans.find(
        (span) => span.kind === CLIENT && String(span.attributes['url.full']).startsWith(bot.url),
      )!;
      expect(spans.find((span) => span.spanId === post.parentSpanId)?.name).toBe('deliver commsNotification');
      const deleted = bot.received.find((n) => n.body.value[0].resourceUrl.endsWith(`/operations/${prompt.id}`));
      expect(String(deleted?.headers.traceparent)).toBe(`00-${traceId}-${post.spanId}-01`);
      expect(await embedded.stop()).toBe(0);
    } finally {
      await embedded.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('leaves health probes out of the traces', async () => {
    for (let i = 0; i < 3; i++) expect((await fetch(`${serviceUrl}/health/live`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const probes = collector.spans.filter((span) => String(span.attributes['url.path'] ?? '').startsWith('/health'));
    expect(probes).toEqual([]);
    expect(collector.spans.filter((span) => span.service === 'calls-service').length).toBeGreaterThan(0);
  });

  it('exports the spans still buffered when SIGTERM stops it, and exits 0', async () => {
    // A replica that would hold its spans for a minute: only the flush at shutdown can send them.
    const port = await freePort();
    const replica = new AppProcess('calls-service', {
      ...settings,
      PORT: String(port),
      HOST: '127.0.0.1',
      OTEL_BSP_SCHEDULE_DELAY: '60000',
    });
    await replica.start(`http://127.0.0.1:${port}/health/ready`);
    const traceId = randomBytes(16).toString('hex');
    const answer = await fetch(`http://127.0.0.1:${port}/communications/calls/unknown-call`, {
      headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    });
    expect(answer.status).toBe(401);
    expect(collector.inTrace(traceId)).toEqual([]);

    expect(await replica.stop()).toBe(0);
    expect(collector.inTrace(traceId).map((span) => span.kind)).toContain(SERVER);
    expect(await notifier.stop()).toBe(0);
    expect(await service.stop()).toBe(0);
  });

  it('answers and stops in time when the collector takes connections but never answers', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket)); // accepts, answers nothing
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = await freePort();
    const replica = new AppProcess('calls-service', {
      ...settings,
      PORT: String(port),
      HOST: '127.0.0.1',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(silent.address() as { port: number }).port}`,
      OTEL_BSP_SCHEDULE_DELAY: '60000',
      SHUTDOWN_GRACE_MS: '6000',
    });
    try {
      await replica.start(`http://127.0.0.1:${port}/health/ready`);
      expect((await fetch(`http://127.0.0.1:${port}/communications/calls/unknown-call`)).status).toBe(401);
      // Exit code 1 would mean the shutdown outlived its grace time waiting for the collector.
      expect(await replica.stop()).toBe(0);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
