import { bdecode, bencode, IncompleteBencode } from './bencode';

describe('bencode', () => {
  it('encodes as the format says: sorted keys, byte lengths, undefined left out', () => {
    const encoded = bencode({ 'to-tag': 'gw', command: 'offer', flags: ['a', 'bé'], n: -3, skip: undefined });
    expect(encoded.toString('utf8')).toBe('d7:command5:offer5:flagsl1:a3:bée1:ni-3e6:to-tag2:gwe');
  });

  it('carries a binary blob byte for byte', () => {
    const blob = Buffer.from([0, 255, 0x20, 0x65, 10, 128]);
    const encoded = bencode({ blob });
    expect(encoded.subarray(0, 9).toString('latin1')).toBe('d4:blob6:');
    expect(Buffer.compare(encoded.subarray(9, 15), blob)).toBe(0);
  });

  it('decodes what it encodes, and says where the value ends', () => {
    const value = { result: 'ok', duration: 2000, tags: { caller: { medias: [{ index: 1 }] } }, list: [] };
    const bytes = Buffer.concat([Buffer.from('xx'), bencode(value), Buffer.from('tail')]);
    const decoded = bdecode(bytes, 2);
    expect(decoded.value).toEqual(value);
    expect(bytes.subarray(decoded.end).toString()).toBe('tail');
  });

  it.each(['d6:result', 'd6:result2:o', 'li1e', 'i12', '4:ab', '12', 'd'])('reports "%s" as incomplete', (text) => {
    expect(() => bdecode(Buffer.from(text))).toThrow(IncompleteBencode);
  });

  it.each(['x', 'iabe', 'di1ei2ee'])('refuses "%s" as malformed', (text) => {
    expect(() => bdecode(Buffer.from(text))).toThrow(SyntaxError);
  });

  it('refuses a number that is not an integer', () => {
    expect(() => bencode({ n: 1.5 })).toThrow(TypeError);
  });
});
