import { lostPackets } from './rtp-sequence';

describe('lostPackets', () => {
  it('counts the numbers missing from a stream', () => {
    expect(lostPackets([10, 11, 12, 13])).toBe(0);
    expect(lostPackets([10, 11, 14, 15])).toBe(2);
  });

  it('follows the 16-bit sequence across its wrap', () => {
    expect(lostPackets([65534, 65535, 0, 1])).toBe(0);
    expect(lostPackets([65534, 1])).toBe(2);
  });

  it('loses nothing to a duplicate or a packet out of order', () => {
    expect(lostPackets([10, 11, 11, 12])).toBe(0);
    expect(lostPackets([10, 12, 11, 13])).toBe(0);
    expect(lostPackets([65535, 1, 0, 2])).toBe(0);
  });

  it('has nothing to lose in an empty stream', () => {
    expect(lostPackets([])).toBe(0);
  });
});
