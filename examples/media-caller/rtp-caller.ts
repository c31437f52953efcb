import { createSocket, Socket } from 'node:dgram';
import { mulaw } from 'alawmulaw';

export interface ReceivedPacket {
  /** performance.now() when it arrived. */
  readonly at: number;
  readonly payloadType: number;
  readonly marker: boolean;
  readonly sequence: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly payload: Buffer;
}

const PCMU = 0;
const TELEPHONE_EVENT = 101;
const SAMPLES_PER_PACKET = 160; // 20 ms at 8 kHz
const DTMF_EVENTS = '0123456789*#ABCD';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A caller on the far side of rtpengine, as a SIP phone would be: it
 * offers PCMU, PCMA and telephone-events, sends 20 ms PCMU packets paced in
 * real time and RFC 4733 key presses, and keeps every packet it receives.
 */
export class RtpCaller {
  readonly received: ReceivedPacket[] = [];
  private remote: { address: string; port: number } | undefined;
  private sequence = Math.floor(Math.random() * 0xffff);
  private timestamp = Math.floor(Math.random() * 0xffffffff);
  private readonly ssrc = Math.floor(Math.random() * 0xffffffff);

  private constructor(private readonly socket: Socket) {
    socket.on('message', (packet) => {
      if (packet.length < 12) return;
      this.received.push({
        at: performance.now(),
        payloadType: packet[1] & 0x7f,
        marker: (packet[1] & 0x80) !== 0,
        sequence: packet.readUInt16BE(2),
        timestamp: packet.readUInt32BE(4),
        ssrc: packet.readUInt32BE(8),
        payload: packet.subarray(12),
      });
    });
  }

  static async open(): Promise<RtpCaller> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new RtpCaller(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** The caller's SDP offer; `payloadTypes` and the connection line can be changed to make a bad one. */
  offer(options: { payloadTypes?: number[]; media?: string } = {}): string {
    const types = options.payloadTypes ?? [PCMU, 8, TELEPHONE_EVENT];
    const media = options.media ?? `m=audio ${this.port} RTP/AVP ${types.join(' ')}`;
    return [
      'v=0',
      `o=caller ${this.ssrc} 1 IN IP4 127.0.0.1`,
      's=-',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      media,
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:8 PCMA/8000',
      `a=rtpmap:${TELEPHONE_EVENT} telephone-event/8000`,
      `a=fmtp:${TELEPHONE_EVENT} 0-16`,
      'a=ptime:20',
      'a=sendrecv',
      '',
    ].join('\r\n');
  }

  /** Takes the answer the gateway handed the edge: where to send from now on. */
  answered(sdp: string): void {
    const address = /^c=IN IP4 (\S+)/m.exec(sdp)?.[1];
    const port = /^m=audio (\d+)/m.exec(sdp)?.[1];
    if (!address || !port) throw new Error(`no audio address in the answer:\n${sdp}`);
    this.remote = { address, port: Number(port) };
  }

  /** Sends 16-bit samples at 8 kHz as PCMU, one 20 ms packet every 20 ms. */
  async sendAudio(samples: Int16Array): Promise<void> {
    const encoded = Buffer.from(mulaw.encode(samples));
    for (let at = 0; at < encoded.length; at += SAMPLES_PER_PACKET) {
      const payload = Buffer.alloc(SAMPLES_PER_PACKET, 0xff); // 0xff: PCMU silence
      encoded.copy(payload, 0, at, at + SAMPLES_PER_PACKET);
      this.send(PCMU, payload, false);
      this.timestamp += SAMPLES_PER_PACKET;
      await sleep(20);
    }
  }

  /**
   * One key press as RFC 4733 telephone-events: an update every 20 ms for
   * its length, then the end packet three times (section 2.5.1.4), all
   * with the timestamp of the event's start.
   */
  async pressKey(key: string, durationMs = 100): Promise<void> {
    const event = DTMF_EVENTS.indexOf(key.toUpperCase());
    if (event < 0) throw new Error(`not a DTMF key: ${key}`);
    const start = this.timestamp;
    const packet = (end: boolean, duration: number) => {
      const payload = Buffer.alloc(4);
      payload[0] = event;
      payload[1] = (end ? 0x80 : 0) | 10; // volume -10 dBm0
      payload.writeUInt16BE(duration, 2);
      return payload;
    };
    const steps = Math.max(1, Math.round(durationMs / 20));
    for (let step = 1; step <= steps; step++) {
      this.send(TELEPHONE_EVENT, packet(false, step * SAMPLES_PER_PACKET), step === 1, start);
      await sleep(20);
    }
    for (let repeat = 0; repeat < 3; repeat++) {
      this.send(TELEPHONE_EVENT, packet(true, steps * SAMPLES_PER_PACKET), false, start);
      await sleep(5);
    }
    this.timestamp = start + steps * SAMPLES_PER_PACKET;
  }

  /**
   * The keys received as RFC 4733 telephone-events, one per event: its
   * packets all carry the timestamp of its start (section 2.5.1.2), so the
   * first packet of each timestamp is the key press.
   */
  keysReceived(since = 0): { key: string; at: number }[] {
    const keys: { key: string; at: number }[] = [];
    const seen = new Set<number>();
    for (const packet of this.received) {
      if (packet.at < since || packet.payloadType !== TELEPHONE_EVENT || seen.has(packet.timestamp)) continue;
      seen.add(packet.timestamp);
      keys.push({ key: DTMF_EVENTS[packet.payload[0]] ?? `event ${packet.payload[0]}`, at: packet.at });
    }
    return keys;
  }

  /** The audio packets received (not telephone-events). */
  audio(since = 0): ReceivedPacket[] {
    return this.received.filter((packet) => packet.at >= since && packet.payloadType !== TELEPHONE_EVENT);
  }

  close(): void {
    this.socket.close();
  }

  private send(payloadType: number, payload: Buffer, marker: boolean, timestamp = this.timestamp): void {
    if (!this.remote) throw new Error('the caller has no answer yet');
    const header = Buffer.alloc(12);
    header[0] = 0x80;
    header[1] = payloadType | (marker ? 0x80 : 0);
    header.writeUInt16BE(this.sequence, 2);
    header.writeUInt32BE(timestamp >>> 0, 4);
    header.writeUInt32BE(this.ssrc, 8);
    this.sequence = (this.sequence + 1) & 0xffff;
    this.socket.send(Buffer.concat([header, payload]), this.remote.port, this.remote.address);
  }
}

/** A sine tone as 16-bit samples. */
export function tone(frequencyHz: number, durationMs: number, sampleRate = 8000, amplitude = 8000): Int16Array {
  const samples = new Int16Array(Math.round((sampleRate * durationMs) / 1000));
  for (let i = 0; i < samples.length; i++) {
    samples[i] = Math.round(amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRate));
  }
  return samples;
}

/**
 * The frequency of the tone in received PCMU packets, from its zero
 * crossings: enough to tell a 440 Hz prompt from an 1000 Hz one.
 */
export function dominantFrequency(packets: readonly ReceivedPacket[]): number {
  const samples = mulaw.decode(Buffer.concat(packets.map((packet) => packet.payload)));
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i - 1] < 0 !== samples[i] < 0) crossings++;
  return crossings / 2 / (samples.length / 8000);
}
