import { CallLoadsBatcher } from './call-loads.batcher';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('CallLoadsBatcher', () => {
  it('sends the loads of one turn together, each id once, and gives each caller its own answer', async () => {
    const sent: string[][] = [];
    const batcher = new CallLoadsBatcher(async (ids) => {
      sent.push(ids);
      return ids.filter((x) => x !== id(3)).map((x) => ({ id: x, loaded: `[${JSON.stringify(x)}]` }));
    });
    const answers = await Promise.all([
      batcher.load(id(1)),
      batcher.load(id(2)),
      batcher.load(id(1)),
      batcher.load(id(3)),
    ]);
    expect(sent).toEqual([[id(1), id(2), id(3)]]);
    expect(answers).toEqual([`["${id(1)}"]`, `["${id(2)}"]`, `["${id(1)}"]`, null]);

    // The next turn is a statement of its own.
    expect(await batcher.load(id(4))).toBe(`["${id(4)}"]`);
    expect(sent).toHaveLength(2);
  });

  it('splits a turn of more than 100 loads into statements of at most 100 ids', async () => {
    const sizes: number[] = [];
    const batcher = new CallLoadsBatcher(async (ids) => {
      sizes.push(ids.length);
      return [];
    });
    await Promise.all(Array.from({ length: 250 }, (_, n) => batcher.load(id(n))));
    expect(sizes).toEqual([100, 100, 50]);
  });

  it('fails every load a failed statement carried, and only those', async () => {
    let fail = true;
    const batcher = new CallLoadsBatcher(async (ids) => {
      if (fail) throw new Error('connection lost');
      return ids.map((x) => ({ id: x, loaded: '[]' }));
    });
    const failed = await Promise.allSettled([batcher.load(id(1)), batcher.load(id(2))]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await batcher.load(id(1))).toBe('[]');
  });
});
