import request from 'supertest';
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { MEDIA_V1 } from '@calls/messaging';
import { MediaSimulator } from '../../apps/media-simulator/src/media-simulator';
import { AMQP_URL, ExchangeRecorder, privateExchange } from '../support/rabbitmq';
import { createPostgresDatabase, TestDatabase } from '../support/test-databases';
import {
  eventually,
  PROMPT,
  establishedCall as createEstablishedCall,
  startTestApp,
  TestApp,
} from '../support/test-app';

/** MEDIA_PLANE=broker: the service and the media simulator talk only through RabbitMQ. */
describe('media simulator over RabbitMQ (PostgreSQL, RabbitMQ)', () => {
  const PROMPT_MS = 400;
  const eventsExchange = privateExchange('events');
  const mediaExchange = privateExchange('media');
  let database: TestDatabase;
  let service: TestApp;
  let simulator: MediaSimulator;
  let reports: ExchangeRecorder;
  let auth: string;
  // Tracing on in this process (as OTEL_EXPORTER_OTLP_ENDPOINT turns it on), with spans kept in memory.
  const spans = new InMemorySpanExporter();
  const tracing = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });

  beforeAll(async () => {
    tracing.register();
    reports = new ExchangeRecorder(mediaExchange, 'media.v1.#');
    await reports.start();
    database = await createPostgresDatabase();
    service = await startTestApp(database, {
      AMQP_URL,
      AMQP_EXCHANGE: eventsExchange,
      MEDIA_PLANE: 'broker',
      MEDIA_EXCHANGE: mediaExchange,
      MEDIA_REPORTS_QUEUE: `${mediaExchange}.reports`,
      OUTBOX_POLL_MS: '50',
    });
    simulator = new MediaSimulator({
      amqpUrl: AMQP_URL,
      eventsExchange,
      mediaExchange,
      queue: `${eventsExchange}.simulator`,
      timing: { connectMs: 0, promptMs: PROMPT_MS, reportStops: true },
    });
    await simulator.start();
    auth = `Bearer ${service.token()}`;
  });

  afterAll(async () => {
    await simulator?.stop();
    await service?.close();
    await reports?.stop();
    await database?.drop();
    await tracing.shutdown();
    trace.disable();
    context.disable();
  });

  const api = () => request(service.url);
  const op = (callId: string, id: string) =>
    api().get(`/communications/calls/${callId}/operations/${id}`).set('Authorization', auth);
  const play = async (callId: string, prompts = 1) =>
    (
      await api()
        .post(`/communications/calls/${callId}/playPrompt`)
        .set('Authorization', auth)
        .send({ prompts: Array.from({ length: prompts }, () => PROMPT) })
    ).body.id as string;

  const establishedCall = () => createEstablishedCall(service);

  it('connects the call and plays the queue through, one prompt after the other', async () => {
    const callId = await establishedCall();
    const first = await play(callId);
    const second = await play(callId);

    const firstDone = await eventually(
      () => op(callId, first),
      (r) => r.body.status === 'completed',
      15_000,
    );
    expect(firstDone.body.status).toBe('completed');
    const secondDone = await eventually(
      () => op(callId, second),
      (r) => r.body.status === 'completed',
      15_000,
    );
    expect(secondDone.body.status).toBe('completed');
  });

  it('stops playing at once on a cancel: no completion is reported for the cancelled operations', async () => {
    const callId = await establishedCall();
    const playing = await play(callId, 3); // plays for 3 x PROMPT_MS
    const queued = await play(callId);
    // The simulator is playing (it got the started event) before the cancel goes out.
    await eventually(
      async () => simulator.simulation.pending,
      (pending) => pending >= 1,
      15_000,
    );
    expect(simulator.simulation.pending).toBe(1);
    const cancel = await api()
      .post(`/communications/calls/${callId}/cancelMediaProcessing`)
      .set('Authorization', auth)
      .send({});
    expect(cancel.body.cancelledOperations.map((ref: { id: string }) => ref.id)).toEqual([playing, queued]);

    await new Promise((resolve) => setTimeout(resolve, 4 * PROMPT_MS + 500));
    const completions = reports
      .bodies<{ type: string; data: { callId: string; report: { operationId?: string } } }>()
      .filter((event) => event.type === MEDIA_V1.operationCompleted && event.data.callId === callId);
    expect(completions).toEqual([]);
    expect((await op(callId, playing)).body).toMatchObject({ status: 'failed', resultInfo: { subcode: 8508 } });
    expect(simulator.simulation.pending).toBe(0);
  });

  it("refines a cancelled operation's playedDuration with what the media plane says it played", async () => {
    const callId = await establishedCall();
    const playing = await play(callId, 3);
    await eventually(
      async () => simulator.simulation.pending,
      (pending) => pending >= 1,
      15_000,
    );
    await new Promise((resolve) => setTimeout(resolve, PROMPT_MS / 2));
    const cancel = await api()
      .post(`/communications/calls/${callId}/cancelMediaProcessing`)
      .set('Authorization', auth)
      .send({});
    const estimate = cancel.body.cancelledOperations[0].playedDuration as string;
    const seconds = (duration: string) => Number(/^PT(\d+(?:\.\d+)?)S$/.exec(duration)![1]);
    expect(seconds(estimate)).toBeGreaterThanOrEqual(PROMPT_MS / 2 / 1000);

    // The plane measures from when the started event reached it to when the cancel did: its own figure.
    const stopped = await eventually(
      async () =>
        reports
          .bodies<{
            type: string;
            data: { callId: string; report: { operationId: string; playedDurationMs: number } };
          }>()
          .find((event) => event.type === MEDIA_V1.operationStopped && event.data.report.operationId === playing),
      (event) => event !== undefined,
    );
    const measured = stopped!.data.report.playedDurationMs;
    expect(measured).toBeGreaterThan(0);
    const plane = `PT${measured / 1000}S`;
    const refined = await eventually(
      () => op(callId, playing),
      (r) => r.body.playedDuration === plane,
    );
    expect({ estimate, stored: refined.body.playedDuration }).toEqual({ estimate, stored: plane });
  });

  it('reports in the trace of the event it acts on, and the service goes on in that trace', async () => {
    const callId = await establishedCall();
    const connected = await eventually(
      async () =>
        reports
          .bodies<{ type: string; traceparent?: string; data: { callId: string } }>()
          .find((report) => report.type === 'media.v1.call.connected' && report.data.callId === callId),
      (report) => report !== undefined,
    );
    expect(connected?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const [, traceId, reporterSpanId] = connected!.traceparent!.split('-');
    const inTrace = () => spans.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
    await eventually(
      async () => inTrace().map((span) => span.name),
      (names) => names.includes('publish calls.v1.call.established'),
    );
    expect(inTrace().map((span) => span.name)).toEqual(
      expect.arrayContaining([
        'publish calls.v1.call.created',
        'process calls.v1.call.created',
        'process media.v1.call.connected',
        'publish calls.v1.call.established',
      ]),
    );
    const byName = (name: string) => inTrace().find((span) => span.name === name)!;
    // The service published the call, the simulator took it and reported from within that work...
    expect(byName('process calls.v1.call.created').spanContext().spanId).toBe(reporterSpanId);
    expect(byName('process calls.v1.call.created').parentSpanContext?.spanId).toBe(
      byName('publish calls.v1.call.created').spanContext().spanId,
    );
    // ...and the service's handling of the report, and what it published next, are in the same trace.
    expect(byName('process media.v1.call.connected').parentSpanContext?.spanId).toBe(reporterSpanId);
    expect(byName('publish calls.v1.call.established').parentSpanContext?.spanId).toBe(
      byName('process media.v1.call.connected').spanContext().spanId,
    );
  });
});
