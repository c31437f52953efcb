import { randomUUID } from 'node:crypto';
import { Call } from '@calls/domain';
import { TEST_OWNER, TEST_PROMPTS, testCallDescription } from '@calls/domain/testing/call.fixtures';
import { toCloudEvent, toIntegrationEvent } from '@calls/messaging';
import type { CallsCloudEvent } from '@calls/messaging';
import { toNotification } from './notification.builder';

const callbackUri = 'https://bot.example.test/cb';
const now = new Date('2026-11-27T10:00:00Z');

/** Every event of a call's life, as the notifier receives it. */
function lifeOfACall(): { callId: string; promptId: string; events: CallsCloudEvent[] } {
  const call = Call.create(TEST_OWNER, testCallDescription({ callbackUri }), now);
  call.establish(now);
  call.subscribeToTone(null, now);
  call.receiveTone('#', now);
  const prompt = call.playPrompt(TEST_PROMPTS, 'p', now);
  call.cancelMediaProcessing('c', now);
  call.hangUp(now);
  const events = call
    .getUncommittedEvents()
    .map((event) => toCloudEvent({ id: randomUUID(), trace: {}, ...toIntegrationEvent(event, callbackUri) }));
  return { callId: call.id, promptId: prompt.id, events };
}

describe(toNotification.name, () => {
  it("turns a call's life into Graph's commsNotifications, in order, and nothing for what Graph does not notify", () => {
    const { callId, promptId, events } = lifeOfACall();
    const call = `/communications/calls/${callId}`;
    const notified = events.map(toNotification).filter((n) => n !== null);
    expect(
      notified.map((n) => {
        const [one] = n!.body.value;
        return [one.changeType, one.resourceUrl, one.resourceData.state ?? one.resourceData.status];
      }),
    ).toEqual([
      ['updated', call, 'establishing'],
      ['updated', call, 'established'],
      ['updated', call, 'established'], // the tone
      ['deleted', `${call}/operations/${promptId}`, 'failed'],
      ['deleted', call, 'terminated'],
    ]);
    // The tone subscription and the cancel answer in their own response; queued and started notify nothing.
    expect(events.filter((event) => toNotification(event) === null).map((event) => event.type)).toEqual([
      'calls.v1.mediaOperation.ended',
      'calls.v1.mediaOperation.queued',
      'calls.v1.mediaOperation.started',
      'calls.v1.mediaProcessing.cancelled',
    ]);
  });

  it("addresses each to the call's callbackUri for its app and tenant, and links the resource to itself", () => {
    const { events } = lifeOfACall();
    for (const notification of events.map(toNotification).filter((n) => n !== null)) {
      expect(notification).toMatchObject({ callbackUri, appId: TEST_OWNER.appId, tenantId: TEST_OWNER.tenantId });
      const [one] = notification!.body.value;
      expect(notification!.body['@odata.type']).toBe('#microsoft.graph.commsNotifications');
      expect(one.resourceData['@odata.id']).toBe(one.resourceUrl);
    }
  });

  it("says why a call ended, and writes a tone as Graph's tone enum", () => {
    const notified = lifeOfACall()
      .events.map(toNotification)
      .filter((n) => n !== null);
    const tone = notified[2]!.body.value[0].resourceData;
    expect(tone.toneInfo).toEqual({ '@odata.type': '#microsoft.graph.toneInfo', sequenceId: 1, tone: 'pound' });
    expect(notified[4]!.body.value[0].resourceData.resultInfo).toEqual({
      '@odata.type': '#microsoft.graph.resultInfo',
      code: 200,
      subcode: 7000,
      message: 'The conversation has ended by bot.',
    });
  });

  it('gives a cancelled prompt its final body: failed, 400/8508, and how far it played', () => {
    const { promptId, events } = lifeOfACall();
    const ended = events.map(toNotification).find((n) => n?.body.value[0].resourceUrl.endsWith(promptId));
    expect(ended!.body.value[0].resourceData).toMatchObject({
      '@odata.type': '#microsoft.graph.playPromptOperation',
      id: promptId,
      status: 'failed',
      resultInfo: { code: 400, subcode: 8508 },
      playedDuration: 'PT0S',
    });
  });
});

describe('what a notification carries beyond the state (Graph examples; ported bots)', () => {
  it('describes the call as Graph: id, state, direction, callbackUri, callChainId, and mediaState once connected', () => {
    const { callId, events } = lifeOfACall();
    const calls = events
      .map(toNotification)
      .filter((n) => n !== null && n.body.value[0].resourceUrl === `/communications/calls/${callId}`)
      .map((n) => n!.body.value[0].resourceData);
    const chain = calls[0].callChainId;
    expect(chain).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(chain).not.toBe(callId);
    expect(calls.map((call) => [call.state, call.direction, (call.mediaState as { audio?: string })?.audio])).toEqual([
      ['establishing', 'outgoing', undefined],
      ['established', 'outgoing', 'active'],
      ['established', undefined, 'active'], // a tone: its event does not carry the direction
      ['terminated', undefined, 'inactive'],
    ]);
    for (const call of calls) expect(call).toMatchObject({ id: callId, callbackUri, callChainId: chain });
  });

  it("carries the legacy resource beside resourceUrl, the callbackUri, and an operation's @odata.etag", () => {
    const { promptId, events } = lifeOfACall();
    const notified = events.map(toNotification).filter((n) => n !== null);
    for (const n of notified) {
      const [one] = n!.body.value;
      expect({ resource: one.resource, callbackUri: one.callbackUri }).toEqual({
        resource: one.resourceUrl,
        callbackUri,
      });
    }
    const ended = notified.find((n) => n!.body.value[0].resourceUrl.endsWith(promptId))!.body.value[0].resourceData;
    expect(ended['@odata.etag']).toMatch(/^W\/"[0-9a-f]{16}"$/);
  });

  it("names a tone by Graph's enum whatever form the media plane reported: 5, tone5, a, A or star", () => {
    const call = Call.create(TEST_OWNER, testCallDescription({ callbackUri }), now);
    call.establish(now);
    call.subscribeToTone(null, now);
    for (const key of ['5', 'tone5', 'a', 'A', 'star', '*', 'x']) call.receiveTone(key, now);
    const tones = call
      .getUncommittedEvents()
      .map((event) => toCloudEvent({ id: randomUUID(), trace: {}, ...toIntegrationEvent(event, callbackUri) }))
      .filter((event) => event.type === 'calls.v1.tone.received')
      .map((event) => (toNotification(event)!.body.value[0].resourceData.toneInfo as { tone: string }).tone);
    // 'x' is no DTMF key: the call drops it.
    expect(tones).toEqual(['tone5', 'tone5', 'a', 'a', 'star', 'star']);
  });
});
