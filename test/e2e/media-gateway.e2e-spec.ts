import request from 'supertest';
import { asBytes } from '../support/raw-http';
import { RtpengineClient } from '@calls/media-plane';
import { AppProcess, buildApps, freePort } from '../support/app-process';
import { PromptServer, wavFile } from '../support/prompt-server';
import { AMQP_URL, ExchangeRecorder, privateExchange } from '../support/rabbitmq';
import { dominantFrequency, rtpengine, RTPENGINE_NG, RtpCaller, tone } from '../support/rtp-caller';
import { createPostgresDatabase, TestDatabase } from '../support/test-databases';
import { CREATE_CALL_BODY, eventually, startTestApp, TestApp } from '../support/test-app';
import { WaveFile } from 'wavefile';
import { voicedMs } from '../../apps/media-gateway/src/recording/voice-activity';

const EDGE_TOKEN = 'edge-token-for-the-tests-0123456789';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The media gateway as its own process, between the real service
 * (MEDIA_PLANE=broker, PostgreSQL, RabbitMQ) and a real rtpengine, with a
 * test caller on the far side of the engine: what a caller hears is what
 * these tests check.
 */
describe('media gateway on rtpengine (rtpengine, RabbitMQ, PostgreSQL)', () => {
  const eventsExchange = privateExchange('events');
  const mediaExchange = privateExchange('media');
  let database: TestDatabase;
  let service: TestApp;
  let gateway: AppProcess;
  let gatewayUrl: string;
  let gatewayEnv: Record<string, string>;
  let prompts: PromptServer;
  let engine: RtpengineClient;
  let auth: string;
  let events: ExchangeRecorder;
  const callers: RtpCaller[] = [];

  beforeAll(async () => {
    engine = await rtpengine();
    prompts = await PromptServer.start();
    await buildApps();
    events = new ExchangeRecorder(eventsExchange, 'calls.v1.tone.received');
    await events.start();
    database = await createPostgresDatabase();
    const broker = {
      AMQP_URL,
      AMQP_EXCHANGE: eventsExchange,
      MEDIA_EXCHANGE: mediaExchange,
    };
    service = await startTestApp(database, {
      ...broker,
      MEDIA_PLANE: 'broker',
      MEDIA_REPORTS_QUEUE: `${mediaExchange}.reports`,
      OUTBOX_POLL_MS: '50',
    });
    auth = `Bearer ${service.token()}`;
    const port = await freePort();
    gatewayUrl = `http://127.0.0.1:${port}`;
    gatewayEnv = {
      ...broker,
      MEDIA_GATEWAY_QUEUE: `${eventsExchange}.gateway`,
      RTPENGINE_NG,
      MEDIA_GATEWAY_PORT: String(port),
      MEDIA_EDGE_TOKEN: EDGE_TOKEN,
      NODE_EXTRA_CA_CERTS: prompts.certificateFile,
      // Recordings in PostgreSQL, as in production (a table of the gateway's own beside the service's).
      DATABASE_URL: database.settings.databaseUrl!,
      LOG_LEVEL: 'warn',
    };
    gateway = new AppProcess('media-gateway', gatewayEnv);
    await gateway.start(`${gatewayUrl}/health/ready`);
  }, 180_000);

  afterAll(async () => {
    for (const caller of callers) caller.close();
    await gateway?.stop();
    await service?.close();
    await database?.drop();
    await prompts?.stop();
    await engine?.close();
    await events?.stop();
  });

  const api = () => request(service.url);
  const edge = () => request(gatewayUrl);
  const getCall = (callId: string) => api().get(`/communications/calls/${callId}`).set('Authorization', auth);
  const op = (callId: string, id: string) =>
    api().get(`/communications/calls/${callId}/operations/${id}`).set('Authorization', auth);
  const promptOf = (uri: string, resourceId?: string) => ({
    '@odata.type': '#microsoft.graph.mediaPrompt',
    mediaInfo: { '@odata.type': '#microsoft.graph.mediaInfo', uri, ...(resourceId ? { resourceId } : {}) },
  });
  const play = async (callId: string, ...items: ReturnType<typeof promptOf>[]) => {
    const response = await api()
      .post(`/communications/calls/${callId}/playPrompt`)
      .set('Authorization', auth)
      .send({ prompts: items });
    expect(response.status).toBe(200);
    return response.body.id as string;
  };

  /** A call the service created, which the gateway knows of (its calls.v1.call.created arrived). */
  const createdCall = async () => {
    const created = await api().post('/communications/calls').set('Authorization', auth).send(CREATE_CALL_BODY);
    expect(created.status).toBe(201);
    const callId = created.body.id as string;
    // The gateway learns of the call from the event: until then the edge's answer is a 404.
    await sleep(300);
    return callId;
  };

  /** What rtpengine says of the call once it is gone, or 'present' if it is still there after a while. */
  const engineCallOf = (callId: string) =>
    eventually(
      () =>
        engine.request({ command: 'query', 'call-id': callId }).then(
          () => 'present',
          (error: Error) => error.message,
        ),
      (state) => state !== 'present',
    );

  const answer = (callId: string, sdp: string, token = EDGE_TOKEN) =>
    edge().post(`/media/v1/calls/${callId}/answer`).set('Authorization', `Bearer ${token}`).send({ sdp });

  /** The operation once it has ended. */
  const ended = (callId: string, id: string) =>
    eventually(
      () => op(callId, id),
      (response) => ['completed', 'failed'].includes(response.body.status),
      15_000,
    );

  /** A call whose caller's media is anchored: the edge handed over the caller's offer, the call is established. */
  const connectedCall = async () => {
    const callId = await createdCall();
    const caller = await RtpCaller.open();
    callers.push(caller);
    const answered = await eventually(
      () => answer(callId, caller.offer()),
      (response) => response.status === 200,
    );
    expect(answered.status).toBe(200);
    caller.answered(answered.body.sdp);
    const call = await eventually(
      () => getCall(callId),
      (response) => response.body.state === 'established',
    );
    expect(call.body.state).toBe('established');
    return { callId, caller };
  };

  describe("the edge's API", () => {
    it("answers the caller's offer with rtpengine's SDP, and the call becomes established", async () => {
      const callId = await createdCall();
      expect((await getCall(callId)).body.state).toBe('establishing');
      const caller = await RtpCaller.open();
      callers.push(caller);
      const answered = await answer(callId, caller.offer());
      expect(answered.status).toBe(200);
      // The gateway's choice (PCMU and telephone-events), at rtpengine's port.
      expect(answered.body.sdp).toMatch(/^m=audio \d+ RTP\/AVP 0 101\r$/m);
      expect(answered.body.sdp).toContain('c=IN IP4 127.0.0.1');
      const call = await eventually(
        () => getCall(callId),
        (response) => response.body.state === 'established',
      );
      expect(call.body.state).toBe('established');
    });

    it.each([
      ['no Authorization header', undefined, 'No edge token'],
      ['a wrong token', 'Bearer not-the-edge-token', 'The edge token is not valid.'],
      ['the token without Bearer', EDGE_TOKEN, 'The edge token is not valid.'],
    ])('refuses a request with %s: 401 InvalidAuthenticationToken', async (_, header, message) => {
      const callId = await createdCall();
      const attempt = edge().post(`/media/v1/calls/${callId}/answer`);
      const response = await (header ? attempt.set('Authorization', header) : attempt).send({ sdp: 'v=0' });
      expect(response.status).toBe(401);
      expect(response.body.error).toMatchObject({ code: 'InvalidAuthenticationToken' });
      expect(response.body.error.message).toContain(message);
      expect(response.body.error.innerError['request-id']).toBe(response.headers['request-id']);
    });

    it('refuses an unknown call: 404 itemNotFound', async () => {
      const caller = await RtpCaller.open();
      callers.push(caller);
      const response = await answer('c6e0f4f2-0000-4000-8000-000000000000', caller.offer());
      expect(response.status).toBe(404);
      expect(response.body.error).toMatchObject({
        code: 'itemNotFound',
        message: 'No call c6e0f4f2-0000-4000-8000-000000000000 is waiting for its media.',
      });
    });

    it.each([
      ['no sdp', {}, "sdp is required: the caller's SDP offer, as a string."],
      ['an sdp that is not SDP', { sdp: 'hello' }, 'The offer is not SDP'],
      ['no m=audio', { sdp: 'v=0\r\nc=IN IP4 127.0.0.1\r\nm=video 4000 RTP/AVP 96\r\n' }, 'no "m=audio" line'],
      ['no PCMU or PCMA', { sdp: 'v=0\r\nm=audio 4000 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n' }, 'PCMU or PCMA'],
    ])('refuses %s: 400 invalidRequest naming why, and no engine call is made', async (_, body, message) => {
      const callId = await createdCall();
      const response = await edge()
        .post(`/media/v1/calls/${callId}/answer`)
        .set('Authorization', `Bearer ${EDGE_TOKEN}`)
        .send(body);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalidRequest');
      expect(response.body.error.message).toContain(message);
      await expect(engine.request({ command: 'query', 'call-id': callId })).rejects.toThrow('Unknown call-id');
      expect((await getCall(callId)).body.state).toBe('establishing');
    });

    it('refuses a second answer for a call: 409 notAllowed, and the first leg goes on', async () => {
      const { callId, caller } = await connectedCall();
      const again = await answer(callId, caller.offer());
      expect(again.status).toBe(409);
      expect(again.body.error).toMatchObject({
        code: 'notAllowed',
        message: `The call ${callId} already has its media leg.`,
      });
      const query = await engine.request({ command: 'query', 'call-id': callId });
      expect(Object.keys(query.tags as object).sort()).toEqual(['caller', 'media-gateway']);
    });

    it('ends the media on DELETE (the caller hung up): the engine call is gone, the call ends with 200/18503 and is forgotten', async () => {
      const { callId } = await connectedCall();
      const deleted = await edge().delete(`/media/v1/calls/${callId}`).set('Authorization', `Bearer ${EDGE_TOKEN}`);
      expect(deleted.status).toBe(204);
      await expect(engine.request({ command: 'query', 'call-id': callId })).rejects.toThrow('Unknown call-id');
      const ended = await eventually(
        () => getCall(callId),
        (response) => response.body.state === 'terminated',
      );
      expect(ended.body).toMatchObject({ state: 'terminated', resultInfo: { code: 200, subcode: 18503 } });
      // The gateway forgets the call once the service says it ended.
      const again = await eventually(
        () => edge().delete(`/media/v1/calls/${callId}`).set('Authorization', `Bearer ${EDGE_TOKEN}`),
        (response) => response.status === 404,
      );
      expect(again.status).toBe(404);
    });
  });

  describe('replicas (each with its own queue: every replica sees every event)', () => {
    let replica: AppProcess;
    let replicaUrl: string;

    beforeAll(async () => {
      const port = await freePort();
      replicaUrl = `http://127.0.0.1:${port}`;
      replica = new AppProcess('media-gateway', {
        ...gatewayEnv,
        MEDIA_GATEWAY_QUEUE: `${eventsExchange}.gateway-b`,
        MEDIA_GATEWAY_PORT: String(port),
        MEDIA_TIMEOUT_S: '1',
      });
      await replica.start(`${replicaUrl}/health/ready`);
    });
    afterAll(async () => {
      await replica?.stop();
    });

    it('refuses an answer on another replica (409), and a hang-up there ends the call and frees the leg here', async () => {
      const { callId, caller } = await connectedCall();
      const again = await request(replicaUrl)
        .post(`/media/v1/calls/${callId}/answer`)
        .set('Authorization', `Bearer ${EDGE_TOKEN}`)
        .send({ sdp: caller.offer() });
      expect(again.status).toBe(409);
      const deleted = await request(replicaUrl)
        .delete(`/media/v1/calls/${callId}`)
        .set('Authorization', `Bearer ${EDGE_TOKEN}`);
      expect(deleted.status).toBe(204);
      const ended = await eventually(
        () => getCall(callId),
        (response) => response.body.state === 'terminated',
      );
      expect(ended.body.resultInfo).toMatchObject({ code: 200, subcode: 18503 });
      expect(await engineCallOf(callId)).toContain('Unknown call-id');
    });

    it('reports a caller whose RTP stops for MEDIA_TIMEOUT_S: the call ends with 410/301005, the engine call is freed', async () => {
      const callId = await createdCall();
      const caller = await RtpCaller.open();
      callers.push(caller);
      const answered = await request(replicaUrl)
        .post(`/media/v1/calls/${callId}/answer`)
        .set('Authorization', `Bearer ${EDGE_TOKEN}`)
        .send({ sdp: caller.offer() });
      expect(answered.status).toBe(200);
      caller.answered(answered.body.sdp);
      await caller.sendAudio(tone(440, 400)); // the caller talks, then goes silent without a hang-up
      const ended = await eventually(
        () => getCall(callId),
        (response) => response.body.state === 'terminated',
        5000,
      );
      expect(ended.body).toMatchObject({
        state: 'terminated',
        resultInfo: { code: 410, subcode: 301005, message: 'Media connectivity failure.' },
      });
      await expect(engine.request({ command: 'query', 'call-id': callId })).rejects.toThrow('Unknown call-id');
    });
  });

  describe('playPrompt', () => {
    it('plays the prompt to the caller and completes when it has played; a resourceId is fetched once', async () => {
      const uri = prompts.serve('/tone-440.wav', wavFile(tone(440, 1000, 16000), 16000));
      const { callId, caller } = await connectedCall();
      const first = await play(callId, promptOf(uri, 'tone-440'));
      const done = await eventually(
        () => op(callId, first),
        (response) => response.body.status === 'completed',
        10_000,
      );
      expect(done.body.status).toBe('completed');
      const heard = caller.audio();
      expect(heard.length).toBeGreaterThanOrEqual(48); // 1 s of 20 ms packets, give or take the edges
      expect(heard.length).toBeLessThanOrEqual(52);
      expect(Math.round(dominantFrequency(heard.slice(2, -2)) / 10) * 10).toBe(440);

      const second = await play(callId, promptOf(uri, 'tone-440'));
      await eventually(
        () => op(callId, second),
        (response) => response.body.status === 'completed',
        10_000,
      );
      expect(prompts.hits.get('/tone-440.wav')).toBe(1);
    });

    it('fails a prompt that cannot be fetched with 400/8536, and one that is not audio with 400/8535', async () => {
      const { callId } = await connectedCall();
      const missing = await play(callId, promptOf(prompts.url('/missing.wav')));
      const failed = await eventually(
        () => op(callId, missing),
        (response) => response.body.status === 'failed',
      );
      expect(failed.body.resultInfo).toMatchObject({ code: 400, subcode: 8536 });
      const notAudio = prompts.serve('/page.wav', Buffer.from('<html>moved</html>'), 'text/html');
      const bad = await play(callId, promptOf(notAudio));
      const refused = await eventually(
        () => op(callId, bad),
        (response) => response.body.status === 'failed',
      );
      expect(refused.body.resultInfo).toMatchObject({ code: 400, subcode: 8535 });
    });

    it('stops the audio on the wire on a cancel, and refines playedDuration with what was played', async () => {
      const uri = prompts.serve('/tone-1000.wav', wavFile(tone(1000, 8000)));
      const { callId, caller } = await connectedCall();
      const playing = await play(callId, promptOf(uri, 'tone-1000'));
      await eventually(
        async () => caller.audio().length,
        (count) => count >= 40,
        10_000,
      );
      const cancel = await api()
        .post(`/communications/calls/${callId}/cancelMediaProcessing`)
        .set('Authorization', auth)
        .send({});
      const cancelledAt = performance.now();
      expect(cancel.status).toBe(200);
      await sleep(1000);
      const heard = caller.audio();
      const late = heard.filter((packet) => packet.at > cancelledAt + 250);
      expect(late).toEqual([]);
      expect(heard.length * 20).toBeLessThan(8000);
      const stored = await eventually(
        () => op(callId, playing),
        (response) => response.body.playedDuration !== cancel.body.cancelledOperations[0].playedDuration,
      );
      const playedMs = Number(/^PT(\d+(?:\.\d+)?)S$/.exec(stored.body.playedDuration)![1]) * 1000;
      expect(Math.abs(playedMs - heard.length * 20)).toBeLessThanOrEqual(150);
    });

    it('plays a beta looping prompt again and again (hold music) until cancelled, then stops it on the wire', async () => {
      const uri = prompts.serve('/tone-800.wav', wavFile(tone(800, 500)));
      const { callId, caller } = await connectedCall();
      const looping = await api()
        .post(`/beta/communications/calls/${callId}/playPrompt`)
        .set('Authorization', auth)
        .send({ prompts: [promptOf(uri, 'tone-800')], loop: true });
      expect(looping.status).toBe(200);
      // Three times the prompt's 500 ms: 75 packets heard, and the operation still running.
      await eventually(
        async () => caller.audio().length,
        (count) => count >= 75,
        10_000,
      );
      expect(caller.audio().length).toBeGreaterThanOrEqual(75);
      expect((await op(callId, looping.body.id)).body.status).toBe('running');
      const cancel = await api()
        .post(`/communications/calls/${callId}/cancelMediaProcessing`)
        .set('Authorization', auth)
        .send({});
      const cancelledAt = performance.now();
      expect(cancel.body.cancelledOperations.map((ref: { id: string }) => ref.id)).toEqual([looping.body.id]);
      await sleep(800);
      expect(caller.audio().filter((packet) => packet.at > cancelledAt + 250)).toEqual([]);
      expect(prompts.hits.get('/tone-800.wav')).toBe(1); // fetched once, played from the cache each pass
    });

    it('stops the audio and frees the engine call when the bot hangs up', async () => {
      const uri = prompts.serve('/tone-600.wav', wavFile(tone(600, 8000)));
      const { callId, caller } = await connectedCall();
      await play(callId, promptOf(uri));
      await eventually(
        async () => caller.audio().length,
        (count) => count >= 10,
        10_000,
      );
      const hungUp = await api().delete(`/communications/calls/${callId}`).set('Authorization', auth);
      expect(hungUp.status).toBe(204);
      expect(await engineCallOf(callId)).toContain('Unknown call-id');
      const count = caller.audio().length;
      await sleep(300);
      expect(caller.audio().length).toBe(count);
    });
  });

  describe('tones', () => {
    it("reports each key the caller presses once, as the service's tone events, after subscribeToTone", async () => {
      const { callId, caller } = await connectedCall();
      const subscribed = await api()
        .post(`/communications/calls/${callId}/subscribeToTone`)
        .set('Authorization', auth)
        .send({});
      expect(subscribed.status).toBe(200);
      for (const key of ['1', '#', '1', '*']) await caller.pressKey(key, 100);
      const tones = () =>
        events
          .bodies<{ data: { callId: string; toneInfo: { sequenceId: number; tone: string } } }>()
          .filter((event) => event.data.callId === callId)
          .map((event) => event.data.toneInfo);
      const heard = await eventually(
        async () => tones(),
        (list) => list.length >= 4,
      );
      await sleep(300); // no repeat of a press comes later
      expect(tones()).toEqual(heard);
      // calls.v1 carries the key; the notifier names it as Graph does (tone1, tonePound...).
      expect(heard.map((info) => info.tone)).toEqual(['1', '#', '1', '*']);
      expect(heard.map((info) => info.sequenceId)).toEqual([1, 2, 3, 4]);
      // The call's toneInfo is the last tone, by Graph's name.
      expect((await getCall(callId)).body.toneInfo).toEqual({
        '@odata.type': '#microsoft.graph.toneInfo',
        sequenceId: 4,
        tone: 'star',
      });
    });
  });

  describe('sendDtmfTones', () => {
    it('sends each tone to the caller as RFC 4733 events, in order and with the pause asked for, then completes', async () => {
      const { callId, caller } = await connectedCall();
      const since = performance.now();
      const sent = await api()
        .post(`/communications/calls/${callId}/sendDtmfTones`)
        .set('Authorization', auth)
        .send({ tones: ['tone1', 'star', 'pound', 'tone0', 'd'], delayBetweenTonesMs: 300, clientContext: 'keys' });
      expect(sent.status).toBe(200);
      const done = await ended(callId, sent.body.id);
      expect(done.body).toMatchObject({ status: 'completed', completionReason: 'completedSuccessfully' });
      const keys = caller.keysReceived(since);
      expect(keys.map((k) => k.key).join('')).toBe('1*#0D');
      // Each tone starts a tone length (100 ms) plus the pause after the one before it, within four
      // packet times: rtpengine starts an injected event on its own 20 ms packet clock (measured: 388-463 ms).
      const gaps = keys.slice(1).map((k, i) => k.at - keys[i].at);
      for (const gap of gaps) expect({ gaps, within: Math.abs(gap - 400) <= 80 }).toEqual({ gaps, within: true });
    });

    it("sends nothing more once the call ends, and ends the sequence as Graph's mediaOperationCanceled", async () => {
      const { callId, caller } = await connectedCall();
      const since = performance.now();
      const sent = await api()
        .post(`/communications/calls/${callId}/sendDtmfTones`)
        .set('Authorization', auth)
        .send({ tones: Array(10).fill('tone5'), delayBetweenTonesMs: 400 });
      await eventually(
        async () => caller.keysReceived(since),
        (keys) => keys.length >= 2,
      );
      await api().delete(`/communications/calls/${callId}`).set('Authorization', auth);
      const heard = caller.keysReceived(since).length;
      await sleep(1200); // two more tone slots
      expect(caller.keysReceived(since).length).toBeLessThanOrEqual(heard + 1); // one may have been on its way
      expect(caller.keysReceived(since).length).toBeLessThan(10);
      const done = await ended(callId, sent.body.id);
      expect(done.body).toMatchObject({ status: 'failed', completionReason: 'mediaOperationCanceled' });
    });
  });

  describe('recordResponse', () => {
    const record = async (callId: string, body: object) => {
      const response = await api()
        .post(`/communications/calls/${callId}/recordResponse`)
        .set('Authorization', auth)
        .send(body);
      expect(response.status).toBe(200);
      return response.body.id as string;
    };
    /** Waits until the caller has heard the beep (400 ms) and it has ended. */
    const afterTheBeep = async (caller: RtpCaller) => {
      await eventually(
        async () => caller.audio(),
        (heard) => heard.length >= 18 && performance.now() - heard[heard.length - 1].at > 100,
        10_000,
      );
      expect(Math.round(dominantFrequency(caller.audio().slice(2, 18)) / 10) * 10).toBe(1000);
    };
    it("records the caller after the beep until the silence after speech, and serves the WAV to the recording's token alone", async () => {
      const { callId, caller } = await connectedCall();
      const id = await record(callId, {
        playBeep: true,
        maxSilenceTimeoutInSeconds: 1,
        initialSilenceTimeoutInSeconds: 5,
      });
      await afterTheBeep(caller);
      await caller.sendAudio(tone(440, 1000));
      await caller.sendAudio(new Int16Array(8 * 1500)); // silence: PCMU packets of zero samples
      const done = await ended(callId, id);
      expect(done.body).toMatchObject({ status: 'completed', completionReason: 'maxSilenceTimeout' });
      const location = done.body.recordingLocation as string;
      expect(location).toMatch(new RegExp(`^${gatewayUrl}/media/v1/recordings/[0-9a-f-]{36}$`));
      const path = location.slice(gatewayUrl.length);

      const download = await edge()
        .get(path)
        .set('Authorization', `Bearer ${done.body.recordingAccessToken}`)
        .buffer(true)
        .parse(asBytes);
      expect(download.status).toBe(200);
      expect(download.headers['content-type']).toBe('audio/wav');
      const wav = new WaveFile(download.body as Buffer);
      expect(wav.fmt).toMatchObject({ numChannels: 1, sampleRate: 8000, bitsPerSample: 16 });
      const voiced = voicedMs(wav.getSamples(false, Int16Array) as unknown as Int16Array);
      expect(Math.abs(voiced - 1000)).toBeLessThanOrEqual(40);

      const refused = await edge().get(path);
      expect(refused.status).toBe(401);
      expect(refused.body.error.code).toBe('InvalidAuthenticationToken');
      const wrong = await edge().get(path).set('Authorization', 'Bearer someone-elses-token');
      expect(wrong.status).toBe(401);
      const edgeToken = await edge().get(path).set('Authorization', `Bearer ${EDGE_TOKEN}`);
      expect(edgeToken.status).toBe(401);
      const unknown = await edge()
        .get('/media/v1/recordings/00000000-0000-4000-8000-000000000000')
        .set('Authorization', `Bearer ${done.body.recordingAccessToken}`);
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('itemNotFound');
    });

    it('keeps what it captured when a cancel says recordings "keep": completed, operationCanceled, the WAV', async () => {
      const { callId, caller } = await connectedCall();
      const id = await record(callId, {
        playBeep: false,
        maxRecordDurationInSeconds: 20,
        maxSilenceTimeoutInSeconds: 5,
      });
      await caller.sendAudio(tone(440, 800));
      await sleep(100); // the last packets reach the gateway
      const cancel = await api()
        .post(`/communications/calls/${callId}/cancelMediaProcessing`)
        .set('Authorization', auth)
        .send({ recordings: 'keep' });
      expect(cancel.body.cancelledOperations).toEqual([
        expect.objectContaining({ id, previousStatus: 'running', recordingKept: true }),
      ]);
      const done = await ended(callId, id);
      expect(done.body).toMatchObject({
        status: 'completed',
        completionReason: 'operationCanceled',
        resultInfo: { code: 200, subcode: 0 },
      });
      const download = await edge()
        .get((done.body.recordingLocation as string).slice(gatewayUrl.length))
        .set('Authorization', `Bearer ${done.body.recordingAccessToken}`)
        .buffer(true)
        .parse(asBytes);
      expect(download.status).toBe(200);
      const voiced = voicedMs(
        new WaveFile(download.body as Buffer).getSamples(false, Int16Array) as unknown as Int16Array,
      );
      expect(Math.abs(voiced - 800)).toBeLessThanOrEqual(40);
    });

    it('fails with 400/8510 and initialSilenceTimeout when the caller says nothing', async () => {
      const { callId, caller } = await connectedCall();
      const id = await record(callId, { playBeep: false, initialSilenceTimeoutInSeconds: 1 });
      await caller.sendAudio(new Int16Array(8 * 1500));
      const done = await ended(callId, id);
      expect(done.body).toMatchObject({
        status: 'failed',
        completionReason: 'initialSilenceTimeout',
        resultInfo: { code: 400, subcode: 8510 },
      });
    });

    it('ends on a stop tone the caller presses', async () => {
      const { callId, caller } = await connectedCall();
      const id = await record(callId, { playBeep: false, stopTones: ['#'], maxRecordDurationInSeconds: 20 });
      await caller.sendAudio(tone(440, 400));
      await caller.pressKey('#');
      const done = await ended(callId, id);
      expect(done.body).toMatchObject({ status: 'completed', completionReason: 'stopToneDetected' });
    });
  });

  it('counts what it did in its metrics: legs held, operations by outcome, prompt failures, stops', async () => {
    const metrics = await (await fetch(`${gatewayUrl}/metrics`)).text();
    const value = (series: string) =>
      Number(
        metrics
          .split('\n')
          .find((line) => line.startsWith(`${series} `))
          ?.slice(series.length + 1),
      );
    expect(value('media_gateway_operations_total{kind="playPrompt",outcome="completed"}')).toBeGreaterThanOrEqual(2);
    expect(value('media_gateway_operations_total{kind="recordResponse",outcome="recorded"}')).toBeGreaterThanOrEqual(2);
    expect(value('media_gateway_operations_total{kind="sendDtmfTones",outcome="completed"}')).toBeGreaterThanOrEqual(1);
    expect(value('media_gateway_prompt_failures_total{reason="download"}')).toBeGreaterThanOrEqual(1);
    expect(value('media_gateway_prompt_failures_total{reason="format"}')).toBeGreaterThanOrEqual(1);
    expect(value('media_gateway_stop_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(value('media_gateway_legs')).toBeGreaterThanOrEqual(0);
    expect(metrics).toMatch(/^process_cpu_seconds_total /m);
  });
});
