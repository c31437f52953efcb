import { randomInt } from 'node:crypto';
import { createSocket, Socket } from 'node:dgram';
import type { LegCodec } from '../sdp/caller-offer';

/** 20 ms of 8 kHz G.711: the packet a phone sends. */
const PACKET_MS = 20;
const SAMPLES_PER_PACKET = 160;

/** One RTP packet as the gateway's leg reads it. */
export interface RtpPacket {
  readonly payloadType: number;
  readonly marker: boolean;
  readonly sequence: number;
  readonly timestamp: number;
  readonly payload: Buffer;
}

/** The fixed RTP header (RFC 3550 section 5.1), skipping CSRCs and an extension; null for anything else. */
export function parseRtp(packet: Buffer): RtpPacket | null {
  if (packet.length < 12 || packet[0] >> 6 !== 2) return null;
  let offset = 12 + (packet[0] & 0x0f) * 4;
  if (packet[0] & 0x10) {
    if (packet.length < offset + 4) return null;
    offset += 4 + packet.readUInt16BE(offset + 2) * 4;
  }
  let end = packet.length;
  if (packet[0] & 0x20) end -= packet[packet.length - 1]; // padding
  if (offset > end) return null;
  return {
    payloadType: packet[1] & 0x7f,
    marker: (packet[1] & 0x80) !== 0,
    sequence: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    payload: packet.subarray(offset, end),
  };
}

/**
 * The gateway's own end of a call: a UDP socket rtpengine sends the caller's
 * audio and telephone-events to (the other leg of the rtpengine call). What
 * arrives is handed to the listeners (tones, recording).
 */
export class MediaLeg {
  codec: LegCodec | undefined;
  /** Where rtpengine takes this leg's RTP (its SDP toward the gateway); set once the call is anchored. */
  remote: { readonly address: string; readonly port: number } | undefined;
  /** When it last received a packet (Date.now()); its opening counts as one. */
  lastPacketAt = Date.now();
  private readonly listeners = new Set<(packet: RtpPacket) => void>();
  private sequence = randomInt(0x10000);
  private timestamp = randomInt(0xffffffff);
  private readonly ssrc = randomInt(0xffffffff);

  private constructor(private readonly socket: Socket) {
    socket.on('message', (message) => {
      const packet = parseRtp(message);
      if (!packet) return;
      this.lastPacketAt = Date.now();
      for (const listener of this.listeners) listener(packet);
    });
  }

  static async open(address: string): Promise<MediaLeg> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new MediaLeg(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Calls `listener` with every packet until the returned function is called. */
  listen(listener: (packet: RtpPacket) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Sends G.711 silence to rtpengine every 20 ms, as a phone sends its
   * audio, until the returned function is called: the stream rtpengine
   * injects DTMF into (dtmf/dtmf-sequence.ts).
   */
  streamSilence(): () => void {
    const { codec, remote } = this;
    if (!codec || !remote) return () => undefined;
    // The G.711 code of a zero sample: 0xFF in µ-law, 0xD5 in A-law.
    const payload = Buffer.alloc(SAMPLES_PER_PACKET, codec.name === 'PCMU' ? 0xff : 0xd5);
    let first = true;
    const timer = setInterval(() => {
      const header = Buffer.alloc(12);
      header[0] = 0x80;
      header[1] = (first ? 0x80 : 0) | codec.payloadType;
      header.writeUInt16BE(this.sequence, 2);
      header.writeUInt32BE(this.timestamp >>> 0, 4);
      header.writeUInt32BE(this.ssrc, 8);
      this.sequence = (this.sequence + 1) & 0xffff;
      this.timestamp = (this.timestamp + SAMPLES_PER_PACKET) >>> 0;
      first = false;
      this.socket.send(Buffer.concat([header, payload]), remote.port, remote.address);
    }, PACKET_MS);
    return () => clearInterval(timer);
  }

  close(): void {
    this.listeners.clear();
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}
