import request from 'supertest';
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
        .parse((res, done) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => done(null, Buffer.concat(chunks)));
        });
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
