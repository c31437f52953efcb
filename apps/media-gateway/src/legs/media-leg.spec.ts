import { parseRtp } from './media-leg';

const header = (first: number, second: number) => {
  const bytes = Buffer.alloc(12);
  bytes[0] = first;
  bytes[1] = second;
  bytes.writeUInt16BE(513, 2);
  bytes.writeUInt32BE(160_000, 4);
  bytes.writeUInt32BE(0xabcdef01, 8);
  return bytes;
};

describe('parseRtp', () => {
  it('reads the fixed header and the payload', () => {
    const packet = parseRtp(Buffer.concat([header(0x80, 0x80 | 101), Buffer.from([5, 0x8a, 0, 160])]));
    expect(packet).toEqual({
      payloadType: 101,
      marker: true,
      sequence: 513,
      timestamp: 160_000,
      payload: Buffer.from([5, 0x8a, 0, 160]),
    });
  });

  it('skips CSRCs and a header extension, and drops padding', () => {
    const csrc = Buffer.alloc(8); // two CSRCs
    const extension = Buffer.from([0xbe, 0xde, 0, 1, 1, 2, 3, 4]); // one 32-bit word
    const padding = Buffer.from([0, 0, 3]); // three bytes of padding, the last says how many
    const packet = parseRtp(
      Buffer.concat([header(0x80 | 0x20 | 0x10 | 2, 0), csrc, extension, Buffer.from([7, 7]), padding]),
    );
    expect(packet?.payload).toEqual(Buffer.from([7, 7]));
  });

  it.each([
    ['shorter than a header', Buffer.alloc(11)],
    ['not version 2', header(0x40, 0)],
    ['an extension past its end', Buffer.concat([header(0x90, 0), Buffer.from([0xbe, 0xde, 0, 9])])],
  ])('refuses a packet %s', (_, bytes) => {
    expect(parseRtp(bytes)).toBeNull();
  });
});
