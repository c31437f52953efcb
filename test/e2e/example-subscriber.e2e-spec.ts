import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { CALLS_V1 } from '@calls/messaging';
import type { MediaProcessingCancelledV1 } from '@calls/messaging';
import { subscribe, CallsEvent, Subscription } from '../../examples/subscriber/subscriber';
import { Deployment, startDeployment } from '../support/deployment';
import { AMQP_URL, deleteQueueAndExchange } from '../support/rabbitmq';
import { CREATE_CALL_BODY, OWNER, PROMPT } from '../support/test-app';
import { until } from '../support/waits';

/**
 * examples/subscriber against the compiled service (processes, PostgreSQL,
 * RabbitMQ): it receives the cancel as a typed CloudEvent, handles a repeat
 * once, and continues the trace the event carries. When the API or the
 * events change under it, this breaks the build.
 */
describe('examples/subscriber against the running service (processes, PostgreSQL, RabbitMQ)', () => {
  const spans = new InMemorySpanExporter();
  const tracing = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const handled: CallsEvent[] = [];
  let deployment: Deployment;
  let queue: string;
  let subscription: Subscription;

  beforeAll(async () => {
    tracing.register();
    deployment = await startDeployment('example-subscriber');
    queue = `${deployment.exchange}.example`;
    subscription = await subscribe(
      { amqpUrl: AMQP_URL, exchange: deployment.exchange, queue, bindingKeys: [CALLS_V1.mediaProcessingCancelled] },
      async (event) => void handled.push(event),
    );
  }, 180_000);

  afterAll(async () => {
    await subscription?.stop();
    await deleteQueueAndExchange(queue, deployment.exchange);
    await deployment?.stop();
    await tracing.shutdown();
    trace.disable();
    context.disable();
  });

  it('receives a cancel as a typed CloudEvent naming the operations it ended', async () => {
    const base = deployment.serviceUrl;
    const token = deployment.token();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const post = (path: string, body: object) =>
      fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const { id: callId } = (await (await post('/communications/calls', CREATE_CALL_BODY)).json()) as { id: string };
    await until(
      async () =>
        ((await (await fetch(`${base}/communications/calls/${callId}`, { headers })).json()) as { state: string })
          .state === 'established',
    );
    const prompt = (await (await post(`/communications/calls/${callId}/playPrompt`, { prompts: [PROMPT] })).json()) as {
      id: string;
    };
    const cancel = await post(`/communications/calls/${callId}/cancelMediaProcessing`, { clientContext: 'stop' });
    expect(cancel.status).toBe(200);

    await until(() => handled.length > 0);
    const [event] = handled;
    expect(event).toMatchObject({ type: CALLS_V1.mediaProcessingCancelled, source: `/communications/calls/${callId}` });
    const data = event.data as MediaProcessingCancelledV1;
    expect(data.callId).toBe(callId);
    expect(data.cancelOperation.clientContext).toBe('stop');
    expect(data.cancelledOperations.map((op) => op.id)).toEqual([prompt.id]);
  });

  it('handles a repeat of an event once, and continues the trace it carries', async () => {
    const id = randomUUID();
    const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const event = {
      specversion: '1.0',
      id,
      source: '/communications/calls/00000000-0000-4000-8000-000000000001',
      type: CALLS_V1.mediaProcessingCancelled,
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      data: {
        callId: '00000000-0000-4000-8000-000000000001',
        tenantId: OWNER.tenantId,
        appId: OWNER.appId,
        callbackUri: 'https://bot.example.test/cb',
        cancelOperation: { id: randomUUID(), clientContext: null },
        cancelledOperations: [],
      },
    };
    const connection = await connect(AMQP_URL);
    const channel = await connection.createChannel();
    for (let i = 0; i < 2; i++)
      channel.publish(deployment.exchange, event.type, Buffer.from(JSON.stringify(event)), { persistent: true });
    channel.publish(deployment.exchange, event.type, Buffer.from('not a CloudEvent'), { persistent: true });
    // Everything taken off the queue: the repeat acknowledged, the malformed one rejected.
    await until(async () => (await channel.checkQueue(queue)).messageCount === 0 && handled.some((e) => e.id === id));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await connection.close();

    expect(handled.filter((e) => e.id === id)).toHaveLength(1);
    const span = spans
      .getFinishedSpans()
      .find((s) => s.name === `process ${event.type}` && s.spanContext().traceId === traceId);
    expect(span?.parentSpanContext?.spanId ?? (span as unknown as { parentSpanId?: string })?.parentSpanId).toBe(
      '00f067aa0ba902b7',
    );
  });
});
