import { assertPublicHost, isNonPublicAddress } from './callback-transport';

describe('callback address guard', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['0.0.0.0', true],
    ['::1', true],
    ['fe80::1', true],
    ['fd00::1', true],
    ['::ffff:10.0.0.1', true],
    ['224.0.0.1', true],
    ['not an address', true],
    ['8.8.8.8', false],
    ['2001:4860:4860::8888', false],
  ])('%s is non-public: %s', (address, expected) => {
    expect(isNonPublicAddress(address)).toBe(expected);
  });

  it('refuses hosts that resolve to loopback', async () => {
    await expect(assertPublicHost('localhost')).rejects.toMatchObject({ code: 'ENONPUBLIC' });
    await expect(assertPublicHost('127.0.0.1')).rejects.toMatchObject({ code: 'ENONPUBLIC' });
    await expect(assertPublicHost('[::1]')).rejects.toMatchObject({ code: 'ENONPUBLIC' });
  });
});
