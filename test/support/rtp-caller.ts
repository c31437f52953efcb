import { RtpengineClient } from '@calls/media-plane';
import type { RtpCaller } from '../../examples/media-caller/rtp-caller';

export { dominantFrequency, RtpCaller, tone } from '../../examples/media-caller/rtp-caller';
export type { ReceivedPacket } from '../../examples/media-caller/rtp-caller';

/** Where the tests' rtpengine answers (.ci/run starts one with scripts/rtpengine/start.sh). */
export const RTPENGINE_NG = process.env.RTPENGINE_NG ?? '127.0.0.1:22222';
const { host, port } = RtpengineClient.parseAddress(RTPENGINE_NG);
/** Its HTTP listener, on the next port (as scripts/rtpengine/start.sh starts it). */
export const RTPENGINE_HTTP_URL = `http://${host}:${port + 1}/ng`;

/** An ng client of the tests' rtpengine, failing with how to start one if none answers. */
export async function rtpengine(): Promise<RtpengineClient> {
  const client = new RtpengineClient({ host, port }, 5000, RTPENGINE_HTTP_URL);
  try {
    await client.request({ command: 'ping' });
  } catch (error) {
    await client.close();
    throw new Error(
      `no rtpengine answers on ${RTPENGINE_NG} (${(error as Error).message}): run scripts/rtpengine/start.sh`,
      { cause: error },
    );
  }
  return client;
}

/**
 * Anchors `callId` in rtpengine as the gateway does, with `gateway` (another
 * test caller) standing in for the gateway's own leg; answers the SDP
 * rtpengine offered that leg.
 */
export async function anchorCall(
  engine: RtpengineClient,
  callId: string,
  caller: RtpCaller,
  gateway: RtpCaller,
): Promise<string> {
  const offer = await engine.request({
    command: 'offer',
    'call-id': callId,
    'from-tag': 'caller',
    sdp: caller.offer(),
  });
  gateway.answered(String(offer.sdp));
  const answer = await engine.request({
    command: 'answer',
    'call-id': callId,
    'from-tag': 'caller',
    'to-tag': 'media-gateway',
    sdp: gateway.offer({ payloadTypes: [0, 101] }),
  });
  caller.answered(String(answer.sdp));
  return String(offer.sdp);
}
