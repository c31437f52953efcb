import { randomUUID } from 'node:crypto';
import { WaveFile } from 'wavefile';
import { RtpengineClient, RtpengineError } from '@calls/media-plane';
import { anchorCall, dominantFrequency, rtpengine, RtpCaller, tone } from '../support/rtp-caller';
import { eventually } from '../support/test-app';

/** The ng client against the real engine, used as the media gateway uses it. */
describe('rtpengine over ng, TCP and HTTP (real rtpengine, userspace)', () => {
  let engine: RtpengineClient;
  let caller: RtpCaller;
  let gateway: RtpCaller;
  let callId: string;

  beforeAll(async () => {
    engine = await rtpengine();
  });
  afterAll(async () => {
    await engine?.close();
  });

  beforeEach(async () => {
    caller = await RtpCaller.open();
    gateway = await RtpCaller.open();
    callId = randomUUID();
    await anchorCall(engine, callId, caller, gateway);
  });

  afterEach(async () => {
    await engine.request({ command: 'delete', 'call-id': callId }).catch(() => undefined);
    caller.close();
    gateway.close();
  });

  const wav = (samples: Int16Array, sampleRate = 8000) => {
    const file = new WaveFile();
    file.fromScratch(1, sampleRate, '16', samples);
    return Buffer.from(file.toBuffer());
  };

  it('plays a 30 s 48 kHz WAV blob (2.9 MB, over HTTP) to the caller, and stops it on stop media', async () => {
    const blob = wav(tone(440, 30_000, 48_000), 48_000);
    expect(blob.length).toBeGreaterThan(2_800_000);
    const played = await engine.request({ command: 'play media', 'call-id': callId, 'from-tag': 'caller', blob });
    expect(played.duration).toBe(30_000);
    await eventually(
      async () => caller.audio().length,
      (count) => count >= 25,
    );
    await engine.request({ command: 'stop media', 'call-id': callId, 'from-tag': 'caller' });
    const stoppedAt = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const heard = caller.audio();
    expect(Math.round(dominantFrequency(heard.slice(2, 20)) / 10) * 10).toBe(440);
    // Nothing after the stop but what was already on its way (a packet time or two).
    expect(heard.filter((packet) => packet.at > stoppedAt + 40)).toEqual([]);
    expect(heard.length * 20).toBeLessThan(3000);
    expect(gateway.audio()).toEqual([]);
  });

  it("relays the caller's audio and key presses to the gateway's leg", async () => {
    await caller.sendAudio(tone(1000, 200));
    await caller.pressKey('5');
    await eventually(
      async () => gateway.received.filter((packet) => packet.payloadType === 101).length,
      (count) => count >= 8,
    );
    expect(Math.round(dominantFrequency(gateway.audio()) / 10) * 10).toBe(1000);
    const events = gateway.received.filter((packet) => packet.payloadType === 101);
    expect(new Set(events.map((packet) => packet.payload[0]))).toEqual(new Set([5]));
    expect(events.filter((packet) => packet.payload[1] & 0x80)).toHaveLength(3);
  });

  it('answers an unknown call with an RtpengineError naming the command', async () => {
    await expect(
      engine.request({ command: 'play media', 'call-id': randomUUID(), 'from-tag': 'caller', blob: Buffer.alloc(4) }),
    ).rejects.toThrow(RtpengineError);
  });
});
