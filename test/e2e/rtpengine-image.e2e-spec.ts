import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WaveFile } from 'wavefile';
import { RtpengineClient } from '@calls/media-plane';
import { freePort } from '../support/app-process';
import { anchorCall, dominantFrequency, RtpCaller, tone } from '../support/rtp-caller';
import { eventually } from '../support/test-app';
import { until } from '../support/waits';

const exec = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const IMAGE = 'localhost/calls-rtpengine:latest';
const podman = (...args: string[]) =>
  exec('podman', ['--runtime', 'runc', ...args], { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });

/**
 * rtpengine's image, built with `npm run image:rtpengine` and run with
 * podman as the DaemonSet runs it (the host's network, read-only root, its
 * numeric non-root user): the gateway's ng client drives it and a caller
 * hears what it plays.
 */
describe("rtpengine's image (podman)", () => {
  let container: string | undefined;
  let engine: RtpengineClient;

  beforeAll(async () => {
    await exec('npm', ['run', '-s', 'image:rtpengine'], { cwd: ROOT, maxBuffer: 256 * 1024 * 1024, timeout: 900_000 });
    const port = await freePort();
    const httpPort = await freePort();
    const { stdout } = await podman(
      'run',
      '-d',
      '--rm',
      '--read-only',
      '--network',
      'host',
      '--ulimit',
      'nofile=20000:20000',
      '--ulimit',
      'nproc=4096:4096',
      IMAGE,
      '--interface=127.0.0.1',
      `--listen-ng=127.0.0.1:${port}`,
      `--listen-tcp-ng=127.0.0.1:${port}`,
      `--listen-http=127.0.0.1:${httpPort}`,
      '--port-min=41000',
      '--port-max=41099',
      '--delete-delay=0',
    );
    container = stdout.trim();
    engine = new RtpengineClient({ host: '127.0.0.1', port }, 2000, `http://127.0.0.1:${httpPort}/ng`);
    await until(
      () =>
        engine.request({ command: 'ping' }).then(
          (answer) => answer.result === 'pong',
          () => false,
        ),
      30_000,
    );
  }, 900_000);

  afterAll(async () => {
    await engine?.close();
    if (container) await podman('stop', '-t', '2', container).catch(() => undefined);
  });

  it('runs as its numeric non-root user', async () => {
    const { stdout } = await podman('image', 'inspect', '--format', '{{.Config.User}}', IMAGE);
    expect(stdout.trim()).toBe('10001');
  });

  it('anchors a call over ng/TCP and plays a 48 kHz blob over ng/HTTP to the caller', async () => {
    const caller = await RtpCaller.open();
    const gateway = await RtpCaller.open();
    const callId = randomUUID();
    try {
      const offered = await anchorCall(engine, callId, caller, gateway);
      expect(offered).toMatch(/^m=audio 410\d\d /m);
      const file = new WaveFile();
      file.fromScratch(1, 48_000, '16', tone(700, 600, 48_000));
      const played = await engine.request({
        command: 'play media',
        'call-id': callId,
        'from-tag': 'caller',
        blob: Buffer.from(file.toBuffer()),
      });
      expect(played.duration).toBe(600);
      const heard = await eventually(
        async () => caller.audio(),
        (packets) => packets.length >= 28,
      );
      expect(Math.round(dominantFrequency(heard.slice(2, 26)) / 10) * 10).toBe(700);
    } finally {
      await engine.request({ command: 'delete', 'call-id': callId }).catch(() => undefined);
      caller.close();
      gateway.close();
    }
  });
});
