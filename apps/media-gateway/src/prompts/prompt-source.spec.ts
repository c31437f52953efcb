import { WaveFile } from 'wavefile';
import { checkAudio, PromptError, PromptSource } from './prompt-source';

const wav = (sampleRate: number, bitDepth: string, samples: number[], channels = 1) => {
  const file = new WaveFile();
  file.fromScratch(channels, sampleRate, bitDepth, samples);
  return Buffer.from(file.toBuffer());
};
const ONE_SECOND_8K = wav(8000, '16', new Array(8000).fill(0));

/** A stand-in for the network, answering each URL as the table says; the real one is in the gateway's e2e test. */
function fakeFetch(routes: Record<string, () => Response | Promise<Response>>) {
  const calls: string[] = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    calls.push(url);
    const route = routes[url];
    if (!route) throw new TypeError('fetch failed', { cause: new Error(`getaddrinfo ENOTFOUND ${new URL(url).host}`) });
    return new Promise<Response>((resolve, reject) => {
      init?.signal?.addEventListener('abort', () => reject(init.signal!.reason));
      Promise.resolve(route()).then(resolve, reject);
    });
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

const source = (fetch: typeof globalThis.fetch, extra: Partial<ConstructorParameters<typeof PromptSource>[0]> = {}) =>
  new PromptSource({ maxBytes: 64 * 1024, timeoutMs: 200, fetch, ...extra });

const failure = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PromptError);
  return (error as PromptError).resultInfo;
};

describe('PromptSource', () => {
  it('fetches a WAV, says how long it plays, and hands it on at 24 kHz', async () => {
    const net = fakeFetch({ 'https://cdn.test/a.wav': () => new Response(ONE_SECOND_8K) });
    const audio = await source(net.fetch).load({ uri: 'https://cdn.test/a.wav' });
    expect(audio.durationMs).toBe(1000);
    const engine = new WaveFile(audio.wav);
    expect(engine.fmt).toMatchObject({ sampleRate: 24000, bitsPerSample: 16, numChannels: 1 });
    expect((engine.getSamples(false, Int16Array) as unknown as Int16Array).length).toBe(24000);
  });

  it('keeps a file by resourceId: the second prompt with that id is not fetched, one without an id is', async () => {
    const net = fakeFetch({ 'https://cdn.test/a.wav': () => new Response(ONE_SECOND_8K) });
    const prompts = source(net.fetch);
    await prompts.load({ uri: 'https://cdn.test/a.wav', resourceId: 'r1' });
    await prompts.load({ uri: 'https://cdn.test/a.wav', resourceId: 'r1' });
    await prompts.load({ uri: 'https://cdn.test/a.wav' });
    expect(net.calls).toHaveLength(2);
  });

  it('fetches a file once for prompts that ask for its resourceId while it loads, and again after a failure', async () => {
    let answers = 0;
    const net = fakeFetch({
      'https://cdn.test/a.wav': async () => {
        answers += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return answers === 1 ? new Response('busy', { status: 503 }) : new Response(ONE_SECOND_8K);
      },
    });
    const prompts = source(net.fetch);
    const first = await Promise.allSettled(
      Array.from({ length: 10 }, () => prompts.load({ uri: 'https://cdn.test/a.wav', resourceId: 'r1' })),
    );
    expect(first.map((outcome) => outcome.status)).toEqual(new Array(10).fill('rejected'));
    const second = await Promise.all(
      Array.from({ length: 10 }, () => prompts.load({ uri: 'https://cdn.test/a.wav', resourceId: 'r1' })),
    );
    expect(new Set(second).size).toBe(1);
    expect(net.calls).toHaveLength(2);
  });

  it('forgets the least recently used file past its bounds', async () => {
    const net = fakeFetch({ 'https://cdn.test/a.wav': () => new Response(ONE_SECOND_8K) });
    const prompts = source(net.fetch, { cacheEntries: 2 });
    for (const id of ['r1', 'r2', 'r1', 'r3', 'r1', 'r2'])
      await prompts.load({ uri: 'https://cdn.test/a.wav', resourceId: id });
    // r1, r2, (r1 kept), r3 evicts r2, (r1 kept), r2 again.
    expect(net.calls).toHaveLength(4);
  });

  it('follows up to three redirects, and fails the fourth with 400/8536', async () => {
    const hop = (to: string) => () => new Response(null, { status: 302, headers: { location: to } });
    const net = fakeFetch({
      'https://cdn.test/1': hop('/2'),
      'https://cdn.test/2': hop('https://cdn.test/3'),
      'https://cdn.test/3': hop('/4'),
      'https://cdn.test/4': () => new Response(ONE_SECOND_8K),
      'https://cdn.test/0': hop('/1'),
    });
    await expect(source(net.fetch).load({ uri: 'https://cdn.test/1' })).resolves.toMatchObject({ durationMs: 1000 });
    expect(await failure(source(net.fetch).load({ uri: 'https://cdn.test/0' }))).toEqual({
      code: 400,
      subcode: 8536,
      message: 'Action failed, file could not be downloaded. More than 3 redirects.',
    });
  });

  it.each([
    [
      'an error status',
      { 'https://cdn.test/a': () => new Response('no', { status: 404 }) },
      'The server answered 404.',
    ],
    ['no such host', {}, 'getaddrinfo ENOTFOUND cdn.test'],
    [
      'a redirect to http',
      { 'https://cdn.test/a': () => new Response(null, { status: 301, headers: { location: 'http://cdn.test/b' } }) },
      'http://cdn.test/b is not an https URL.',
    ],
    [
      'a declared length over the bound',
      { 'https://cdn.test/a': () => new Response(Buffer.alloc(70_000)) },
      'larger than 65536 bytes',
    ],
    [
      'a streamed body over the bound',
      {
        'https://cdn.test/a': () =>
          new Response(
            new ReadableStream({
              pull: (controller) => controller.enqueue(new Uint8Array(16 * 1024)),
            }),
          ),
      },
      'larger than 65536 bytes',
    ],
    [
      'no answer in time',
      { 'https://cdn.test/a': () => new Promise<Response>(() => undefined) },
      'No file within 200 ms.',
    ],
  ])('fails a prompt with %s as 400/8536', async (_, routes, detail) => {
    const info = await failure(source(fakeFetch(routes as never).fetch).load({ uri: 'https://cdn.test/a' }));
    expect(info.subcode).toBe(8536);
    expect(info.message).toContain(detail);
  });
});

describe('checkAudio', () => {
  const crossingsHz = (wav: Buffer) => {
    const file = new WaveFile(wav);
    const samples = file.getSamples(false, Int16Array) as unknown as Int16Array;
    let crossings = 0;
    for (let i = 1; i < samples.length; i++) if (samples[i - 1] < 0 !== samples[i] < 0) crossings++;
    return crossings / 2 / (samples.length / (file.fmt as { sampleRate: number }).sampleRate);
  };
  const sine = (hz: number, rate: number, ms: number) =>
    Array.from({ length: (rate * ms) / 1000 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / rate)));

  it.each([
    ['16-bit PCM at 8 kHz', wav(8000, '16', sine(440, 8000, 500))],
    ['16-bit PCM at 16 kHz', wav(16000, '16', sine(440, 16000, 500))],
    ['µ-law at 8 kHz', wav(8000, '8m', sine(440, 8000, 500))],
  ])('keeps the pitch and length of %s at 24 kHz', (_, bytes) => {
    const audio = checkAudio(bytes);
    expect(audio.durationMs).toBe(500);
    expect(Math.abs(crossingsHz(audio.wav) - 440)).toBeLessThan(5);
  });

  it.each([
    ['16-bit PCM at 16 kHz', wav(16000, '16', new Array(8000).fill(0)), 500],
    ['µ-law at 8 kHz', wav(8000, '8m', new Array(4000).fill(0)), 500],
    ['A-law at 8 kHz', wav(8000, '8a', new Array(800).fill(0)), 100],
  ])('takes %s', (_, bytes, durationMs) => {
    expect(checkAudio(bytes).durationMs).toBe(durationMs);
  });

  it.each([
    ['text', Buffer.from('<html>not found</html>'), 'Not a WAV file'],
    ['stereo', wav(8000, '16', new Array(800).fill(0), 2), '2 channels'],
    ['44.1 kHz', wav(44100, '16', new Array(4410).fill(0)), '44100 Hz'],
    ['8-bit PCM', wav(8000, '8', new Array(800).fill(128)), '8 bits'],
    ['no samples', wav(8000, '16', []), 'holds no audio'],
  ])('refuses %s as 400/8535', (_, bytes, detail) => {
    let error: unknown;
    try {
      checkAudio(bytes);
    } catch (caught) {
      error = caught;
    }
    expect((error as PromptError).resultInfo.subcode).toBe(8535);
    expect((error as PromptError).message).toContain(detail);
  });
});
