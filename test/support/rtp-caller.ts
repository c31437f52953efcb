import { RtpengineClient } from '@calls/media-plane';

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
