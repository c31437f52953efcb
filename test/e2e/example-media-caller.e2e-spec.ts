import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { WaveFile } from 'wavefile';
import { AppProcess, buildApps, freePort } from '../support/app-process';
import { AMQP_URL, privateExchange } from '../support/rabbitmq';
import { RTPENGINE_NG } from '../support/rtp-caller';
import { createPostgresDatabase, TestDatabase } from '../support/test-databases';
import { CREATE_CALL_BODY, eventually, startTestApp, TestApp } from '../support/test-app';
import { until } from '../support/waits';

const EDGE_TOKEN = 'edge-token-for-the-example-0123456789';

/**
 * docs/media.md's walkthrough, run as a user runs it: the example's prompt
 * server, the gateway trusting its certificate, the example caller as the
 * edge, then playPrompt and cancelMediaProcessing through the API; the
 * caller prints the tone, then silence, and writes what it heard.
 */
describe('examples/media-caller: hear a prompt stop on a cancel (rtpengine, RabbitMQ, PostgreSQL)', () => {
  const exchange = privateExchange('media-example');
  const media = privateExchange('media-example-reports');
  const directory = mkdtempSync(join(tmpdir(), 'media-example-'));
  let database: TestDatabase;
  let service: TestApp;
  const processes: AppProcess[] = [];
  let promptsPort: number;
  let gatewayUrl: string;

  beforeAll(async () => {
    await buildApps();
    database = await createPostgresDatabase();
    const broker = { AMQP_URL, AMQP_EXCHANGE: exchange, MEDIA_EXCHANGE: media };
    service = await startTestApp(database, {
      ...broker,
      MEDIA_PLANE: 'broker',
      MEDIA_REPORTS_QUEUE: `${media}.reports`,
      OUTBOX_POLL_MS: '50',
    });
    promptsPort = await freePort();
    const prompts = new AppProcess(
      'examples/media-caller/main.js',
      {},
      {
        args: ['prompts', '--port', String(promptsPort), '--dir', directory],
      },
    );
    processes.push(prompts);
    await prompts.start(/certificate: NODE_EXTRA_CA_CERTS=/);
    const port = await freePort();
    gatewayUrl = `http://127.0.0.1:${port}`;
    const gateway = new AppProcess('media-gateway', {
      ...broker,
      MEDIA_GATEWAY_QUEUE: `${exchange}.gateway`,
      MEDIA_GATEWAY_PORT: String(port),
      MEDIA_EDGE_TOKEN: EDGE_TOKEN,
      RTPENGINE_NG,
      NODE_EXTRA_CA_CERTS: join(directory, 'cert.pem'),
      LOG_LEVEL: 'warn',
    });
    processes.push(gateway);
    await gateway.start(`${gatewayUrl}/health/ready`);
  }, 180_000);

  afterAll(async () => {
    for (const process of processes.reverse()) await process.stop();
    await service?.close();
    await database?.drop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('prints the 440 Hz prompt, then silence after the cancel, and writes what the caller heard', async () => {
    const auth = `Bearer ${service.token()}`;
    const created = await request(service.url)
      .post('/communications/calls')
      .set('Authorization', auth)
      .send(CREATE_CALL_BODY);
    const callId = created.body.id as string;
    await new Promise((resolve) => setTimeout(resolve, 300)); // the gateway learns of the call from its event
    const out = join(directory, 'caller.wav');
    const caller = new AppProcess(
      'examples/media-caller/main.js',
      { MEDIA_EDGE_TOKEN: EDGE_TOKEN },
      {
        args: ['call', callId, '--gateway', gatewayUrl, '--seconds', '60', '--out', out],
      },
    );
    processes.push(caller);
    await caller.start(/media connected/);
    const established = await eventually(
      () => request(service.url).get(`/communications/calls/${callId}`).set('Authorization', auth),
      (response) => response.body.state === 'established',
    );
    expect(established.body.state).toBe('established');

    const played = await request(service.url)
      .post(`/communications/calls/${callId}/playPrompt`)
      .set('Authorization', auth)
      .send({
        prompts: [{ mediaInfo: { uri: `https://127.0.0.1:${promptsPort}/tone-440.wav`, resourceId: 'tone-440' } }],
      });
    expect(played.status).toBe(200);
    await until(() => /packets {2}440 Hz/.test(caller.output), 10_000);
    const cancel = await request(service.url)
      .post(`/communications/calls/${callId}/cancelMediaProcessing`)
      .set('Authorization', auth)
      .send({});
    expect(cancel.status).toBe(200);
    const before = caller.output.length;
    await until(() => /silence\n.*silence\n/.test(caller.output.slice(before)), 5000);

    expect(await caller.stop()).toBe(0);
    expect(caller.output).toMatch(/wrote .*caller\.wav: \d+\.\d\d s of what the caller heard/);
    const wav = new WaveFile(readFileSync(out));
    expect(wav.fmt).toMatchObject({ numChannels: 1, sampleRate: 8000 });
    const heardSeconds = (wav.getSamples(false, Int16Array) as unknown as Int16Array).length / 8000;
    expect(heardSeconds).toBeGreaterThan(0.2);
    expect(heardSeconds).toBeLessThan(8);
  });
});
