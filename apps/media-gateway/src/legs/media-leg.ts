import { createSocket, Socket } from 'node:dgram';
import type { LegCodec } from '../sdp/caller-offer';

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
  /** When it last received a packet (Date.now()); its opening counts as one. */
  lastPacketAt = Date.now();
  private readonly listeners = new Set<(packet: RtpPacket) => void>();

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

  close(): void {
    this.listeners.clear();
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}
