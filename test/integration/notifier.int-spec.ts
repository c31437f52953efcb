import { createPublicKey } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as jwt from 'jsonwebtoken';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotificationSigner } from '@calls/auth';
import { Call } from '@calls/domain';
import { TEST_PROMPTS, testCallDescription } from '@calls/domain/testing/call.fixtures';
import { CallsCloudEvent, toCloudEvent, toIntegrationEvent } from '@calls/messaging';
import { NotificationDispatcher, NotifierSettings, postJson } from '@calls/notifications';
import { dataSourceOptions, NotificationInboxTypeormStore } from '@calls/persistence';
import { randomUUID } from 'node:crypto';
import { CallbackReceiver } from '../support/callback-receiver';
import { until } from '../support/waits';
import { TEST_DATABASES, TestDatabase } from '../support/test-databases';

const owner = { tenantId: 'tenant-a', appId: 'bot-app' };
const prompts = TEST_PROMPTS;

const settings: NotifierSettings = {
  timeoutMs: 1000,
  giveUpAfterMs: 1500,
  backoffBaseMs: 50,
  backoffMaxMs: 200,
  concurrency: 8,
  pollMs: 20,
  leaseMs: 5000,
  production: false,
};

describe.each(TEST_DATABASES)('notifier on %s', (_kind, create) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let inbox: NotificationInboxTypeormStore;
  let receiver: CallbackReceiver;
  let signer: NotificationSigner;
  let dispatcher: NotificationDispatcher;

  beforeAll(async () => {
    database = await create();
    dataSource = await new DataSource(dataSourceOptions(database.settings)).initialize();
    inbox = new NotificationInboxTypeormStore(dataSource);
    signer = NotificationSigner.from({
      dataDir: mkdtempSync(join(tmpdir(), 'notifier-key-')),
      issuer: 'calls-service-test',
      ttlSeconds: 60,
    });
  });

  beforeEach(async () => {
    receiver = new CallbackReceiver();
    await receiver.start();
    dispatcher = new NotificationDispatcher(inbox, signer, settings);
    dispatcher.start();
  });

  afterEach(async () => {
    await dispatcher.stop();
    await receiver.stop();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  /** The CloudEvents of a call whose two queued prompts were cancelled, then hung up. */
  function cancelledCallEvents(): { events: CallsCloudEvent[]; callId: string; promptIds: string[] } {
    const call = Call.create(owner, testCallDescription({ callbackUri: receiver.url }), new Date());
    call.establish(new Date());
    call.subscribeToTone(null, new Date());
    const promptIds = [call.playPrompt(prompts, 'a', new Date()).id, call.playPrompt(prompts, 'b', new Date()).id];
    call.cancelMediaProcessing('stop', new Date());
    call.receiveTone('#', new Date());
    call.hangUp(new Date());
    const events = call
      .getUncommittedEvents()
      .map((event) => toCloudEvent({ id: randomUUID(), trace: {}, ...toIntegrationEvent(event, receiver.url) }));
    return { events, callId: call.id, promptIds };
  }

  it("POSTs Graph's commsNotifications in order, signed for the bot, once each even when events come twice", async () => {
    const { events, callId, promptIds } = cancelledCallEvents();
    expect(await inbox.accept(events)).toBe(events.length);
    expect(await inbox.accept(events)).toBe(0); // a redelivery by the broker
    dispatcher.wake();

    await until(() => receiver.received.length === 6);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const changes = receiver.received.map((n) => [n.body.value[0].changeType, n.body.value[0].resourceUrl]);
    expect(changes).toEqual([
      ['updated', `/communications/calls/${callId}`],
      ['updated', `/communications/calls/${callId}`],
      ['deleted', `/communications/calls/${callId}/operations/${promptIds[0]}`],
      ['deleted', `/communications/calls/${callId}/operations/${promptIds[1]}`],
      ['updated', `/communications/calls/${callId}`],
      ['deleted', `/communications/calls/${callId}`],
    ]);
    expect(receiver.received.slice(0, 2).map((n) => n.body.value[0].resourceData.state)).toEqual([
      'establishing',
      'established',
    ]);
    const first = receiver.received[2].body;
    expect(first).toEqual({
      '@odata.type': '#microsoft.graph.commsNotifications',
      value: [
        {
          '@odata.type': '#microsoft.graph.commsNotification',
          changeType: 'deleted',
          resource: `/communications/calls/${callId}/operations/${promptIds[0]}`,
          resourceUrl: `/communications/calls/${callId}/operations/${promptIds[0]}`,
          callbackUri: receiver.url,
          resourceData: {
            '@odata.type': '#microsoft.graph.playPromptOperation',
            '@odata.id': `/communications/calls/${callId}/operations/${promptIds[0]}`,
            '@odata.etag': expect.stringMatching(/^W\/"[0-9a-f]{16}"$/),
            id: promptIds[0],
            status: 'failed',
            clientContext: 'a',
            resultInfo: {
              '@odata.type': '#microsoft.graph.resultInfo',
              code: 400,
              subcode: 8508,
              message: 'Action failed, the operation was cancelled.',
            },
            playedDuration: expect.stringMatching(/^PT\d+(\.\d+)?S$/),
          },
        },
      ],
    });
    expect(receiver.received[4].body.value[0].resourceData.toneInfo).toEqual({
      '@odata.type': '#microsoft.graph.toneInfo',
      sequenceId: 1,
      tone: 'pound',
    });
    expect(receiver.received[5].body.value[0].resourceData).toMatchObject({
      state: 'terminated',
      resultInfo: { '@odata.type': '#microsoft.graph.resultInfo', code: 200, subcode: 7000 },
    });

    const [jwk] = signer.jwks().keys;
    const token = String(receiver.received[0].headers.authorization).replace(/^Bearer /, '');
    const claims = jwt.verify(token, createPublicKey({ key: { ...jwk }, format: 'jwk' }), {
      algorithms: ['RS256'],
      audience: owner.appId,
      issuer: 'calls-service-test',
    }) as jwt.JwtPayload;
    expect(claims.tid).toBe(owner.tenantId);
    expect(jwt.decode(token, { complete: true })?.header.kid).toBe(jwk.kid);
  });

  it('retries a 500, honours Retry-After on a 429, and then delivers, saying so at each failed attempt', async () => {
    receiver.respond = (n) =>
      n === 1 ? { status: 500 } : n === 2 ? { status: 429, headers: { 'Retry-After': '1' } } : { status: 200 };
    const warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { events } = cancelledCallEvents();
    await inbox.accept(events.filter((event) => event.type === 'calls.v1.call.established'));
    dispatcher.wake();

    await until(() => receiver.received.length === 3);
    const said = warnings.mock.calls.map(([message]) => String(message));
    warnings.mockRestore();
    expect(said).toEqual([
      expect.stringMatching(
        new RegExp(
          `to ${new URL(receiver.url).origin.replace(/[.]/g, '\\.')} failed \\(attempt 1\\): HTTP 500; retrying in \\d+ s$`,
        ),
      ),
      expect.stringMatching(/failed \(attempt 2\): HTTP 429; retrying in 1 s$/),
    ]);
    const [first, second, third] = receiver.received.map((n) => n.at);
    expect(second).toBeGreaterThan(first);
    expect(third - second).toBeGreaterThanOrEqual(950); // waited as told
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(receiver.received).toHaveLength(3);
  });

  it('gives up after the budget, keeps a dead letter, goes on with the call, and replays on request', async () => {
    let failing = true;
    receiver.respond = () => ({ status: failing ? 503 : 200 });
    const { events, callId } = cancelledCallEvents();
    const established = events.find((event) => event.type === 'calls.v1.call.established')!;
    const terminated = events.find((event) => event.type === 'calls.v1.call.terminated')!;
    await inbox.accept([established, terminated]);
    dispatcher.wake();

    await until(async () => (await inbox.listDead(10)).some((letter) => letter.eventId === established.id), 8000);
    const letter = (await inbox.listDead(10)).find((l) => l.eventId === established.id)!;
    expect(letter).toMatchObject({
      callId,
      type: 'calls.v1.call.established',
      lastError: expect.stringContaining('HTTP 503'),
    });
    expect(letter.attempts).toBeGreaterThan(1);

    failing = false; // the bot is back: the call's next event, with a budget of its own, goes through
    await until(
      () => receiver.received.some((n) => n.body.value[0].resourceData.state === 'terminated' && n.status === 200),
      8000,
    );

    const establishedSeen = () =>
      receiver.received.filter((n) => n.body.value[0].resourceData.state === 'established').length;
    const before = establishedSeen();
    expect(await inbox.replay([established.id], new Date())).toBe(1);
    dispatcher.wake();
    await until(() => establishedSeen() === before + 1);
    expect((await inbox.listDead(10)).some((l) => l.eventId === established.id)).toBe(false);
  });
});

describe('callback transport in production', () => {
  it('refuses http and loopback callback URIs before sending anything', async () => {
    const production = { timeoutMs: 500, production: true };
    await expect(postJson('http://127.0.0.1:9/callback', {}, {}, production)).rejects.toThrow(/https/);
    await expect(postJson('https://127.0.0.1:9/callback', {}, {}, production)).rejects.toMatchObject({
      code: 'ENONPUBLIC',
    });
    await expect(postJson('https://localhost:9/callback', {}, {}, production)).rejects.toMatchObject({
      code: 'ENONPUBLIC',
    });
  });
});
