import type { OutboxMessage } from '../contracts/cloud-event';
import { testOutboxMessage } from '../testing/outbox-message.fixture';
import { DirectPublishing, RelayForDirectPublishing } from './direct-publishing';

const message = testOutboxMessage;

/** A relay that records what it published and how often it was woken; a publish can be made to fail. */
class FakeRelay implements RelayForDirectPublishing {
  readonly published: string[][] = [];
  wakes = 0;
  failNext = false;
  async publishMessages(messages: readonly OutboxMessage[]): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('broker gone');
    }
    this.published.push(messages.map((m) => m.id));
  }
  wake(): void {
    this.wakes += 1;
  }
}

describe('DirectPublishing', () => {
  let relay: FakeRelay;
  let marks: string[][];
  let direct: DirectPublishing;

  beforeEach(() => {
    relay = new FakeRelay();
    marks = [];
    direct = new DirectPublishing(
      relay,
      { markPublished: async (ids) => void marks.push([...ids]) },
      // Long enough that a busy machine does not mark before the test looks (it did once with 20 ms).
      { graceMs: 10_000, markDelayMs: 200 },
    );
  });

  // Nothing a test left pending reaches the next one's records.
  afterEach(() => direct.drain());

  it('publishes a direct save at once, without waking the relay, and marks several saves in one go', async () => {
    direct.committed([message('a1'), message('a2')], true);
    direct.committed([message('b1')], true);
    await new Promise((resolve) => setImmediate(resolve));
    // Saves that committed in the same turn of the event loop leave together, before the next turn.
    expect(relay.published).toEqual([['a1', 'a2', 'b1']]);
    direct.committed([message('c1')], true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(relay.published).toEqual([['a1', 'a2', 'b1'], ['c1']]);
    expect(marks).toEqual([]); // marked together, a moment later
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(marks).toEqual([['a1', 'a2', 'b1', 'c1']]);
    expect(relay.wakes).toBe(0);
  });

  it('leaves a save that is not direct to the relay, and wakes it again once held rows are marked', async () => {
    direct.committed([message('a1')], true);
    direct.committed([message('a2')], false); // same call, behind a1: the relay's
    await new Promise((resolve) => setImmediate(resolve));
    expect(relay.published).toEqual([['a1']]);
    expect(relay.wakes).toBe(1);
    await direct.drain();
    expect(marks).toEqual([['a1']]);
    expect(relay.wakes).toBe(2); // a1 is marked: the relay may now take a2
  });

  it('marks nothing whose publish failed: the rows stay for the relay after the grace period', async () => {
    relay.failNext = true;
    direct.committed([message('lost')], true);
    await new Promise((resolve) => setImmediate(resolve));
    direct.committed([message('kept')], true);
    await direct.drain();
    expect(marks).toEqual([['kept']]);
  });

  it('drains on shutdown: publishes in flight finish and are marked before it returns', async () => {
    direct.committed([message('x')], true);
    await direct.drain();
    expect(marks).toEqual([['x']]);
  });
});
