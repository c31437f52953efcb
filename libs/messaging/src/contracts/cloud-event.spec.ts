import { CloudEvent } from 'cloudevents';
import { Call, MediaOperationEnded } from '@calls/domain';
import { TEST_OWNER, testCallDescription } from '@calls/domain/testing/call.fixtures';
import { ALL_CALLS_V1_TYPES, CALLS_V1 } from './calls-v1.contracts';
import { CLOUDEVENTS_JSON, parseCloudEvent, toCloudEvent, traceContextOfEvent } from './cloud-event';
import { toIntegrationEvent } from './integration-event.mapper';

const owner = TEST_OWNER;
const callbackUri = 'https://bot.example.test/cb';
const description = testCallDescription({ callbackUri });
const now = new Date('2026-11-27T10:00:00.000Z');

function lifeOfACall() {
  const call = Call.create(owner, description, now);
  call.establish(now);
  call.subscribeToTone(null, now);
  call.receiveTone('5', now);
  const prompt = call.playPrompt([{ uri: 'https://cdn.example.test/a.wav' }], 'p', now);
  const cancel = call.cancelMediaProcessing('c', now);
  call.hangUp(now);
  return { events: call.getUncommittedEvents(), callId: call.id, promptId: prompt.id, cancelId: cancel.id };
}

describe('integration events as CloudEvents', () => {
  it('maps every domain event of a call to a versioned type, covering every published type', () => {
    const { events } = lifeOfACall();
    const types = events.map((event) => toIntegrationEvent(event, callbackUri).type);
    expect(new Set(types)).toEqual(new Set(ALL_CALLS_V1_TYPES));
  });

  it('builds an event of every type that passes the CloudEvents 1.0 validation it skips when publishing', () => {
    const { events } = lifeOfACall();
    const cloudEvents = events.map((event, i) =>
      toCloudEvent({
        id: `4f6c3a2e-0d1b-4c8e-9a7f-00000000000${i % 10}`,
        trace: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
        ...toIntegrationEvent(event, callbackUri),
      }),
    );
    expect(new Set(cloudEvents.map((event) => event.type))).toEqual(new Set(ALL_CALLS_V1_TYPES));
    for (const event of cloudEvents) expect(new CloudEvent(event).validate()).toBe(true);
    // And the validation does fail on what the types prevent (a type it rejects).
    expect(() => new CloudEvent({ ...cloudEvents[0], type: 7 as never }).validate()).toThrow();
  });

  it('serializes to the very bytes the library’s CloudEvent writes, traced or not', () => {
    const { events } = lifeOfACall();
    const traces = [{}, { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'a=1' }];
    for (const [i, event] of events.entries()) {
      const message = {
        id: `4f6c3a2e-0d1b-4c8e-9a7f-0000000000${String(i).padStart(2, '0')}`,
        trace: traces[i % 2],
        ...toIntegrationEvent(event, callbackUri),
      };
      const built = toCloudEvent(message);
      // As the library builds it from the same attributes (the way this module built events before).
      const library = new CloudEvent({ ...message.trace, ...built, data: built.data }, false);
      expect(JSON.stringify(built)).toBe(JSON.stringify(library));
    }
  });

  it('wraps an event as CloudEvents 1.0 with the outbox id, the call as source and the operation as subject', () => {
    const { events, callId, promptId } = lifeOfACall();
    const ended = toIntegrationEvent(
      events.find((e) => e instanceof MediaOperationEnded && e.operation.id === promptId)!,
      callbackUri,
    );
    const cloudEvent = toCloudEvent({ id: 'outbox-id-1', trace: {}, ...ended });
    const wire = JSON.parse(JSON.stringify(cloudEvent));
    expect(wire).toEqual({
      specversion: '1.0',
      id: 'outbox-id-1',
      source: `/communications/calls/${callId}`,
      type: CALLS_V1.mediaOperationEnded,
      time: now.toISOString(),
      subject: `/communications/calls/${callId}/operations/${promptId}`,
      datacontenttype: 'application/json',
      data: {
        ...owner,
        callId,
        callbackUri,
        operation: expect.objectContaining({
          '@odata.type': '#microsoft.graph.playPromptOperation',
          id: promptId,
          status: 'failed',
          resultInfo: expect.objectContaining({ code: 400, subcode: 8508 }),
        }),
      },
    });
    expect(parseCloudEvent(JSON.stringify(cloudEvent)).id).toBe('outbox-id-1');
    expect(CLOUDEVENTS_JSON).toBe('application/cloudevents+json');
  });

  it('carries what a cancel ended in calls.v1.mediaProcessing.cancelled', () => {
    const { events, callId, promptId, cancelId } = lifeOfACall();
    const cancelled = events
      .map((event) => toIntegrationEvent(event, callbackUri))
      .find((event) => event.type === CALLS_V1.mediaProcessingCancelled)!;
    expect(cancelled.data).toEqual({
      ...owner,
      callId,
      callbackUri,
      cancelOperation: { id: cancelId, clientContext: 'c' },
      cancelledOperations: [
        { id: promptId, kind: 'playPrompt', clientContext: 'p', previousStatus: 'running', playedDurationMs: 0 },
      ],
    });
  });

  it('carries the W3C trace context as the distributed-tracing extension, and only when there is one', () => {
    const { events } = lifeOfACall();
    const created = toIntegrationEvent(events[0], callbackUri);
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const traced = toCloudEvent({ id: 'e1', trace: { traceparent, tracestate: 'vendor=1' }, ...created });
    const wire = JSON.parse(JSON.stringify(traced));
    expect(wire).toMatchObject({ traceparent, tracestate: 'vendor=1' });
    expect(traceContextOfEvent(parseCloudEvent(JSON.stringify(traced)))).toEqual({
      traceparent,
      tracestate: 'vendor=1',
    });

    const untraced = JSON.parse(JSON.stringify(toCloudEvent({ id: 'e2', trace: {}, ...created })));
    expect(Object.keys(untraced)).not.toContain('traceparent');
    expect(traceContextOfEvent(parseCloudEvent(JSON.stringify(untraced)))).toEqual({});
  });

  it('serializes an event to the same bytes whatever the key order of its data (memory or stored jsonb)', () => {
    const data = {
      callId: 'c1',
      state: 'established',
      resultInfo: { code: 200, subcode: 0, message: 'ok' },
      list: [{ b: 1, a: 2 }],
    };
    const reordered = {
      state: 'established',
      list: [{ a: 2, b: 1 }],
      resultInfo: { message: 'ok', subcode: 0, code: 200 },
      callId: 'c1',
    };
    const event = (payload: object) =>
      JSON.stringify(
        toCloudEvent({
          id: 'e3',
          callId: 'c1',
          type: CALLS_V1.callEstablished,
          occurredAt: now,
          data: payload as never,
          trace: {},
        }),
      );
    expect(event(reordered)).toBe(event(data));
    expect(JSON.parse(event(reordered)).data).toEqual(data);
  });
});
