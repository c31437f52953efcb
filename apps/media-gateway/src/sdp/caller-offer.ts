/**
 * The SDP the gateway checks and writes. Only what the gateway needs is
 * read: the first audio section, its payload types and their names. Full SDP
 * handling is rtpengine's job; this is the gateway's own side of it.
 */

/** G.711 is what the gateway plays and records; RFC 3551 gives PCMU and PCMA their static types. */
const STATIC_NAMES: Record<number, string> = { 0: 'PCMU', 8: 'PCMA' };

export interface AudioSection {
  readonly port: number;
  readonly payloadTypes: readonly number[];
  /** Encoding name (upper case) by payload type, from a=rtpmap or the static table. */
  readonly names: ReadonlyMap<number, string>;
}

/** The first m=audio section of an SDP, or null when there is none. */
export function audioSection(sdp: string): AudioSection | null {
  const lines = sdp.split(/\r?\n/);
  const start = lines.findIndex((line) => line.startsWith('m=audio '));
  if (start < 0) return null;
  const [, port, , ...formats] = lines[start].trim().split(/\s+/);
  const payloadTypes = formats.map(Number).filter((type) => Number.isInteger(type) && type >= 0 && type <= 127);
  const names = new Map<number, string>();
  for (const type of payloadTypes) if (STATIC_NAMES[type]) names.set(type, STATIC_NAMES[type]);
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('m=')) break;
    const rtpmap = /^a=rtpmap:(\d+) ([\w.-]+)\/(\d+)/.exec(line);
    if (rtpmap) names.set(Number(rtpmap[1]), rtpmap[2].toUpperCase());
  }
  return { port: Number(port), payloadTypes, names };
}

/** Why the caller's offer cannot be answered, in words the edge's operator can act on; null when it can. */
export function offerProblem(sdp: string): string | null {
  if (!/^v=0\s*$/m.test(sdp)) return 'The offer is not SDP: it has no "v=0" line.';
  const audio = audioSection(sdp);
  if (!audio) return 'The offer has no audio: it has no "m=audio" line.';
  if (!Number.isInteger(audio.port) || audio.port <= 0) return 'The offer declines its audio ("m=audio" with port 0).';
  if (!audio.payloadTypes.some((type) => ['PCMU', 'PCMA'].includes(audio.names.get(type) ?? ''))) {
    return 'The offer has no usable audio codec: the gateway needs PCMU or PCMA (G.711).';
  }
  return null;
}

/** What the gateway's own leg uses, chosen from rtpengine's offer toward it. */
export interface LegCodec {
  readonly name: 'PCMU' | 'PCMA';
  readonly payloadType: number;
  /** The payload type of RFC 4733 telephone-events, when they were offered. */
  readonly telephoneEvent: number | undefined;
}

/**
 * The gateway's answer to rtpengine's offer: its own RTP socket, PCMU when
 * offered (else PCMA) and telephone-events when offered, 20 ms packets.
 */
export function gatewayAnswer(
  engineOffer: string,
  address: string,
  port: number,
): { sdp: string; codec: LegCodec; remote: { address: string; port: number } } {
  const audio = audioSection(engineOffer);
  if (!audio) throw new Error('rtpengine offered no audio');
  // Where rtpengine takes the gateway's RTP: the audio's own c= line, else the session's.
  const lines = engineOffer.split(/\r?\n/);
  const media = lines.findIndex((line) => line.startsWith('m=audio '));
  const connection = [...lines.slice(media), ...lines.slice(0, media)].find((line) => line.startsWith('c=IN IP'));
  const remote = { address: connection?.trim().split(/\s+/)[2] ?? address, port: audio.port };
  const find = (name: string) => audio.payloadTypes.find((type) => audio.names.get(type) === name);
  const pcmu = find('PCMU');
  const pcma = find('PCMA');
  const codec: LegCodec = {
    name: pcmu !== undefined ? 'PCMU' : 'PCMA',
    payloadType: (pcmu ?? pcma)!,
    telephoneEvent: find('TELEPHONE-EVENT'),
  };
  const types = codec.telephoneEvent === undefined ? [codec.payloadType] : [codec.payloadType, codec.telephoneEvent];
  const sdp = [
    'v=0',
    `o=calls-media-gateway ${Date.now()} 1 IN IP4 ${address}`,
    's=calls-media-gateway',
    `c=IN IP4 ${address}`,
    't=0 0',
    `m=audio ${port} RTP/AVP ${types.join(' ')}`,
    `a=rtpmap:${codec.payloadType} ${codec.name}/8000`,
    ...(codec.telephoneEvent === undefined
      ? []
      : [`a=rtpmap:${codec.telephoneEvent} telephone-event/8000`, `a=fmtp:${codec.telephoneEvent} 0-16`]),
    'a=ptime:20',
    'a=sendrecv',
    '',
  ].join('\r\n');
  return { sdp, codec, remote };
}
