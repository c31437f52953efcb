import { audioSection, gatewayAnswer, offerProblem } from './caller-offer';

const offer = (media: string, extra: string[] = []) =>
  ['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', media, ...extra, ''].join('\r\n');

describe('the caller offer', () => {
  it('is usable with PCMU or PCMA, static or by name', () => {
    expect(offerProblem(offer('m=audio 4000 RTP/AVP 0 101'))).toBeNull();
    expect(offerProblem(offer('m=audio 4000 RTP/AVP 8'))).toBeNull();
    expect(offerProblem(offer('m=audio 4000 RTP/AVP 96', ['a=rtpmap:96 pcmu/8000']))).toBeNull();
  });

  it.each([
    ['not SDP', 'hello', 'not SDP'],
    ['no audio', offer('m=video 4000 RTP/AVP 96'), 'no "m=audio" line'],
    ['declined audio', offer('m=audio 0 RTP/AVP 0'), 'port 0'],
    ['only Opus', offer('m=audio 4000 RTP/AVP 111', ['a=rtpmap:111 opus/48000/2']), 'PCMU or PCMA'],
    ['G.722 only', offer('m=audio 4000 RTP/AVP 9'), 'PCMU or PCMA'],
  ])('names why an offer with %s cannot be answered', (_, sdp, reason) => {
    expect(offerProblem(sdp)).toContain(reason);
  });

  it('reads only the first audio section, stopping at the next m= line', () => {
    const sdp = offer('m=audio 4000 RTP/AVP 0 96', ['a=rtpmap:96 telephone-event/8000', 'm=video 5000 RTP/AVP 97']);
    expect(audioSection(sdp)).toEqual({
      port: 4000,
      payloadTypes: [0, 96],
      names: new Map([
        [0, 'PCMU'],
        [96, 'TELEPHONE-EVENT'],
      ]),
    });
  });
});

describe("the gateway's answer to rtpengine", () => {
  it('prefers PCMU, keeps the offered telephone-event type, and names its own socket', () => {
    const engineOffer = offer('m=audio 30000 RTP/AVP 8 0 100', ['a=rtpmap:100 telephone-event/8000']);
    const { sdp, codec } = gatewayAnswer(engineOffer, '127.0.0.1', 41000);
    expect(codec).toEqual({ name: 'PCMU', payloadType: 0, telephoneEvent: 100 });
    expect(sdp).toContain('c=IN IP4 127.0.0.1\r\n');
    expect(sdp).toContain('m=audio 41000 RTP/AVP 0 100\r\n');
    expect(sdp).toContain('a=rtpmap:100 telephone-event/8000\r\n');
  });

  it("takes rtpengine's own address for the gateway's RTP: the audio's c= line over the session's", () => {
    expect(gatewayAnswer(offer('m=audio 30000 RTP/AVP 0'), '127.0.0.1', 41000).remote).toEqual({
      address: '192.0.2.1',
      port: 30000,
    });
    const mediaLevel = offer('m=audio 30002 RTP/AVP 0', ['c=IN IP4 198.51.100.7']);
    expect(gatewayAnswer(mediaLevel, '127.0.0.1', 41000).remote).toEqual({ address: '198.51.100.7', port: 30002 });
  });

  it('answers PCMA alone when that is all there is', () => {
    const { sdp, codec } = gatewayAnswer(offer('m=audio 30000 RTP/AVP 8'), '10.0.0.5', 41002);
    expect(codec).toEqual({ name: 'PCMA', payloadType: 8, telephoneEvent: undefined });
    expect(sdp).toContain('m=audio 41002 RTP/AVP 8\r\n');
    expect(sdp).not.toContain('telephone-event');
  });
});
