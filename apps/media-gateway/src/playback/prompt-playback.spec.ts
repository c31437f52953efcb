import { PromptError } from '../prompts/prompt-source';
import { PLAYER_LEAD_MS, PlaybackEngine, PromptPlayback } from './prompt-playback';

/** A stand-in engine that records its commands; the real rtpengine is in the gateway's e2e test. */
class FakeEngine implements PlaybackEngine {
  readonly commands: string[] = [];
  playDelayMs = 0;
  async play(callId: string, wav: Buffer): Promise<number> {
    this.commands.push(`play ${wav.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, this.playDelayMs));
    return Number(wav.toString().split(':').pop());
  }
  async stop(): Promise<void> {
    this.commands.push('stop');
  }
}

const loader = {
  async load(prompt: { uri: string }) {
    if (prompt.uri.endsWith('missing')) throw new PromptError('download', 'The server answered 404.');
    const durationMs = Number(prompt.uri.split('/').pop());
    return { wav: Buffer.from(`${prompt.uri}:${durationMs}`), durationMs };
  },
};
const prompt = (ms: number | string) => ({ uri: `https://cdn.test/${ms}` });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PromptPlayback', () => {
  it('plays the prompts one after the other and completes after the last', async () => {
    const engine = new FakeEngine();
    const started = performance.now();
    const outcome = await new PromptPlayback('c1', [prompt(40), prompt(60)], engine, loader).run();
    expect(outcome).toEqual({ kind: 'completed' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
    expect(engine.commands).toEqual(['play https://cdn.test/40:40', 'play https://cdn.test/60:60']);
  });

  it('fails with the prompt error, having played the prompts before it', async () => {
    const engine = new FakeEngine();
    const outcome = await new PromptPlayback('c1', [prompt(10), prompt('missing'), prompt(10)], engine, loader).run();
    expect(outcome).toEqual({
      kind: 'failed',
      resultInfo: {
        code: 400,
        subcode: 8536,
        message: 'Action failed, file could not be downloaded. The server answered 404.',
      },
    });
    expect(engine.commands).toEqual(['play https://cdn.test/10:10']);
  });

  it('stops the engine at once, starts nothing more, and counts the prompts played plus the cut one', async () => {
    const engine = new FakeEngine();
    let clock = 1000;
    const playback = new PromptPlayback('c1', [prompt(50), prompt(5000), prompt(50)], engine, loader, () => clock);
    const running = playback.run();
    while (engine.commands.length < 2) await sleep(5);
    await sleep(5); // the engine answered: the second prompt started at clock 1000
    clock = 1100;
    const played = await playback.stop();
    expect(await running).toEqual({ kind: 'stopped' });
    expect(engine.commands).toEqual(['play https://cdn.test/50:50', 'play https://cdn.test/5000:5000', 'stop']);
    // 50 played to its end, then 100 of the second, plus the player's lead.
    expect(played).toBe(50 + 100 + PLAYER_LEAD_MS);
    expect(await playback.stop()).toBe(played);
  });

  it('never counts more than a cut prompt holds', async () => {
    const engine = new FakeEngine();
    let clock = 0;
    const playback = new PromptPlayback('c1', [prompt(300), prompt(5000)], engine, loader, () => clock);
    const running = playback.run();
    while (engine.commands.length < 1) await sleep(1);
    await sleep(2); // the engine answered: the first prompt started at clock 0
    clock = 290; // 290 ms in, plus the lead, is past the 300 ms it holds
    expect(await playback.stop()).toBe(300);
    await running;
  });

  it('stops after a play command that was on its way when the stop came, not before it', async () => {
    const engine = new FakeEngine();
    engine.playDelayMs = 50;
    const playback = new PromptPlayback('c1', [prompt(5000)], engine, loader);
    const running = playback.run();
    await sleep(10);
    await playback.stop();
    expect(await running).toEqual({ kind: 'stopped' });
    expect(engine.commands).toEqual(['play https://cdn.test/5000:5000', 'stop']);
  });

  it('stopped while the prompt is still being fetched, never plays it', async () => {
    const engine = new FakeEngine();
    const slow = { load: async (p: { uri: string }) => (await sleep(50), loader.load(p)) };
    const playback = new PromptPlayback('c1', [prompt(100)], engine, slow);
    const running = playback.run();
    expect(await playback.stop()).toBe(0);
    expect(await running).toEqual({ kind: 'stopped' });
    expect(engine.commands).toEqual([]);
  });
});
