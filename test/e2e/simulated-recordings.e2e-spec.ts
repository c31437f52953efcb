import request from 'supertest';
import { asBytes } from '../support/raw-http';
import { WaveFile } from 'wavefile';
import { createPostgresDatabase } from '../support/test-databases';
import { eventually, establishedCall, serviceForSuite } from '../support/test-app';

/**
 * recordResponse on the default setup's simulated media plane, as a bot's
 * code meets it: a completed recording is a real WAV the bot downloads from
 * the service with its recordingAccessToken, and a silent caller
 * (SIMULATED_CALLER=silent) fails the recording on its initial silence
 * timeout with Graph's completion reason (HTTP, PostgreSQL).
 */
describe('recordResponse on the simulated media plane (HTTP, PostgreSQL)', () => {
  async function recorded(suite: { service: { url: string }; auth: string }, callId: string, body: object) {
    const started = await request(suite.service.url)
      .post(`/communications/calls/${callId}/recordResponse`)
      .set('Authorization', suite.auth)
      .send(body);
    expect(started.status).toBe(200);
    const ended = await eventually(
      () =>
        request(suite.service.url)
          .get(`/communications/calls/${callId}/operations/${started.body.id}`)
          .set('Authorization', suite.auth),
      (res) => ['completed', 'failed'].includes(res.body.status),
      10_000,
    );
    return ended.body;
  }

  describe('a caller who speaks (the default)', () => {
    const suite = serviceForSuite(createPostgresDatabase, { SIMULATED_PROMPT_MS: '50' });

    it("completes with a WAV served by the service to the recording's token alone", async () => {
      const callId = await establishedCall(suite.service);
      const op = await recorded(suite, callId, { maxRecordDurationInSeconds: 1, playBeep: false });
      expect(op).toMatchObject({
        status: 'completed',
        completionReason: 'maxRecordDurationReached',
        resultInfo: { code: 200, subcode: 8515 },
        recordingLocation: expect.stringMatching(
          new RegExp(`^${suite.service.url.replace(/[.]/g, '\\.')}/media/v1/recordings/[0-9a-f-]{36}$`),
        ),
        recordingAccessToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      });
      const path = new URL(op.recordingLocation).pathname;

      const anonymous = await request(suite.service.url).get(path);
      expect({ status: anonymous.status, code: anonymous.body.error?.code }).toEqual({
        status: 401,
        code: 'InvalidAuthenticationToken',
      });
      // The bot's own Graph token is not the recording's.
      expect((await request(suite.service.url).get(path).set('Authorization', suite.auth)).status).toBe(401);

      const download = await request(suite.service.url)
        .get(path)
        .set('Authorization', `Bearer ${op.recordingAccessToken}`)
        .buffer(true)
        .parse(asBytes);
      expect(download.status).toBe(200);
      expect(download.headers['content-type']).toBe('audio/wav');
      const wav = new WaveFile(download.body as Buffer);
      const fmt = wav.fmt as { numChannels: number; sampleRate: number; bitsPerSample: number };
      expect([fmt.numChannels, fmt.sampleRate, fmt.bitsPerSample]).toEqual([1, 8000, 16]);
      expect((wav.getSamples(false, Int16Array) as unknown as Int16Array).length).toBe(8000); // 1 s

      const unknown = await request(suite.service.url)
        .get('/media/v1/recordings/00000000-0000-4000-8000-000000000000')
        .set('Authorization', `Bearer ${op.recordingAccessToken}`);
      expect(unknown.status).toBe(404);
    });
  });

  describe('a cancel that keeps the recording (recordings: "keep", beyond Graph)', () => {
    const suite = serviceForSuite(createPostgresDatabase, { SIMULATED_PROMPT_MS: '50' });

    it('completes the running recording, operationCanceled, with what was captured; queued ones are discarded', async () => {
      const callId = await establishedCall(suite.service);
      const post = (path: string, body: object) =>
        request(suite.service.url)
          .post(`/communications/calls/${callId}/${path}`)
          .set('Authorization', suite.auth)
          .send(body);
      const running = await post('recordResponse', { maxRecordDurationInSeconds: 30, playBeep: false });
      const queued = await post('recordResponse', { maxRecordDurationInSeconds: 30 });
      await new Promise((resolve) => setTimeout(resolve, 600));

      const cancel = await post('cancelMediaProcessing', { recordings: 'keep' });
      expect(cancel.status).toBe(200);
      expect(cancel.body.cancelledOperations).toEqual([
        expect.objectContaining({ id: running.body.id, previousStatus: 'running', recordingKept: true }),
        expect.objectContaining({ id: queued.body.id, previousStatus: 'notStarted' }),
      ]);
      expect(cancel.body.cancelledOperations[1]).not.toHaveProperty('recordingKept');

      const op = (id: string) =>
        request(suite.service.url)
          .get(`/communications/calls/${callId}/operations/${id}`)
          .set('Authorization', suite.auth);
      const kept = await eventually(
        () => op(running.body.id),
        (res) => res.body.status !== 'running',
      );
      expect(kept.body).toMatchObject({
        status: 'completed',
        completionReason: 'operationCanceled',
        resultInfo: { code: 200, subcode: 0 },
        recordingAccessToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      });
      const wav = await request(suite.service.url)
        .get(new URL(kept.body.recordingLocation).pathname)
        .set('Authorization', `Bearer ${kept.body.recordingAccessToken}`)
        .buffer(true)
        .parse(asBytes);
      expect(wav.status).toBe(200);
      // What the caller had said when the cancel came: more than nothing, far less than the 30 s asked for.
      const samples = (new WaveFile(wav.body as Buffer).getSamples(false, Int16Array) as unknown as Int16Array).length;
      expect(samples).toBeGreaterThan(0);
      expect(samples).toBeLessThan(8000 * 30);
      expect((await op(queued.body.id)).body).toMatchObject({
        status: 'failed',
        resultInfo: { code: 400, subcode: 8508 },
        recordingLocation: '',
      });

      // Graph's default stays: a cancel without it discards the running recording.
      const discarded = await post('recordResponse', { maxRecordDurationInSeconds: 30, playBeep: false });
      await post('cancelMediaProcessing', {});
      expect((await op(discarded.body.id)).body).toMatchObject({
        status: 'failed',
        completionReason: 'operationCanceled',
        resultInfo: { code: 400, subcode: 8508 },
        recordingLocation: '',
        recordingAccessToken: '',
      });
    });
  });

  describe('a silent caller (SIMULATED_CALLER=silent)', () => {
    const suite = serviceForSuite(createPostgresDatabase, { SIMULATED_PROMPT_MS: '50', SIMULATED_CALLER: 'silent' });

    it("fails the recording after initialSilenceTimeoutInSeconds with 400/8510 and Graph's initialSilenceTimeout", async () => {
      const callId = await establishedCall(suite.service);
      const op = await recorded(suite, callId, { initialSilenceTimeoutInSeconds: 1, maxRecordDurationInSeconds: 5 });
      expect(op).toMatchObject({
        status: 'failed',
        completionReason: 'initialSilenceTimeout',
        resultInfo: { code: 400, subcode: 8510, message: 'Action failed, initial silence timeout reached.' },
        recordingLocation: '',
        recordingAccessToken: '',
      });
    });
  });
});
