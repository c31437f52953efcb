import { BackgroundLoop } from './background-loop';

const tick = (ms = 50) => new Promise((resolve) => setTimeout(resolve, ms));

describe(BackgroundLoop.name, () => {
  let finishRound: () => void = () => undefined;
  let rounds = 0;
  const loop = new (class extends BackgroundLoop {
    protected async round(): Promise<number> {
      rounds += 1;
      await new Promise<void>((resolve) => (finishRound = resolve));
      return 60_000; // nothing more to do: poll again in a minute
    }
  })();

  beforeAll(() => loop.start());
  afterAll(async () => {
    const stopped = loop.stop();
    finishRound();
    await stopped;
  });

  it('pauses after a round that found nothing, until woken', async () => {
    finishRound();
    await tick();
    expect(rounds).toBe(1);
    loop.wake();
    await tick();
    expect(rounds).toBe(2);
  });

  it('keeps a wake that comes while a round runs: the next round follows without the pause', async () => {
    loop.wake(); // work committed while round 2 is still looking
    finishRound();
    await tick();
    expect(rounds).toBe(3);
    finishRound();
    await tick();
    expect(rounds).toBe(3); // no wake during round 3: it pauses
  });
});
