import { Logger } from '@nestjs/common';
import { asyncLocalStorage, requestContext } from '@fastify/request-context';
import type { OutboxMessage } from '../contracts/cloud-event';
import { testOutboxMessage } from '../testing/outbox-message.fixture';
import { OutboxPublishing, RelayForPublishing } from './outbox-publishing';

const message = testOutboxMessage;
const held = (...messages: OutboxMessage[]) => ({ messages, held: true });
const toRelay = (...messages: OutboxMessage[]) => ({ messages, held: false });

/** A relay that records what it published and how often it was woken; a publish can be made to fail or hang. */
class FakeRelay implements RelayForPublishing {
  readonly published: string[][] = [];
  wakes = 0;
  failNext = false;
  hangNext = false;
  async publishMessages(messages: readonly OutboxMessage[]): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('broker gone');
    }
    if (this.hangNext) {
      this.hangNext = false;
      return new Promise(() => undefined);
    }
    this.published.push(messages.map((m) => m.id));
  }
  wake(): void {
    this.wakes += 1;
  }
}

describe(OutboxPublishing.name, () => {
  let relay: FakeRelay;
  let marks: string[][];
  let releases: string[][];
  let publishing: OutboxPublishing;

  beforeEach(() => {
    relay = new FakeRelay();
    marks = [];
    releases = [];
    publishing = new OutboxPublishing(
      relay,
      {
        markPublished: async (ids) => void marks.push([...ids]),
        releaseHeld: async (ids) => void releases.push([...ids]),
      },
      // Long enough that a busy machine does not mark before the test looks (it did once with 20 ms).
      { holdMs: 10_000, publishTimeoutMs: 300, markDelayMs: 200 },
    );
  });

  // Nothing a test left pending reaches the next one's records.
  afterEach(() => publishing.drain());

  it('publishes the saves of several requests as part of none: its lines name no one request', async () => {
    const seen: unknown[] = [];
    const warn = jest
      .spyOn(Logger.prototype, 'warn')
      .mockImplementation(() => void seen.push(requestContext.getStore()));
    relay.failNext = true;
    // As @fastify/request-context runs each request (its types give the store the accessor's type).
    const asRequest = (requestId: string, work: () => void) => asyncLocalStorage.run({ requestId } as never, work);
    asRequest('request-1', () => publishing.committed(held(message('a1'))));
    asRequest('request-2', () => publishing.committed(held(message('b1'))));
    await new Promise((resolve) => setTimeout(resolve, 50));
    warn.mockRestore();
    expect(releases).toEqual([['a1', 'b1']]);
    expect(seen).toEqual([undefined]);
  });

  it('publishes a held save at once, without waking the relay, and marks several saves in one go', async () => {
    publishing.committed(held(message('a1'), message('a2')));
    publishing.committed(held(message('b1')));
    await new Promise((resolve) => setImmediate(resolve));
    // Saves that committed in the same turn of the event loop leave together, before the next turn.
    expect(relay.published).toEqual([['a1', 'a2', 'b1']]);
    publishing.committed(held(message('c1')));
    await new Promise((resolve) => setImmediate(resolve));
    expect(relay.published).toEqual([['a1', 'a2', 'b1'], ['c1']]);
    expect(marks).toEqual([]); // marked together, a moment later
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(marks).toEqual([['a1', 'a2', 'b1', 'c1']]);
    expect(relay.wakes).toBe(0);
    expect(releases).toEqual([]);
  });

  it('leaves a save that is not held to the relay, and wakes it again once held rows are marked', async () => {
    publishing.committed(held(message('a1')));
    publishing.committed(toRelay(message('a2'))); // same call, behind a1: the relay's
    await new Promise((resolve) => setImmediate(resolve));
    expect(relay.published).toEqual([['a1']]);
    expect(relay.wakes).toBe(1);
    await publishing.drain();
    expect(marks).toEqual([['a1']]);
    expect(relay.wakes).toBe(2); // a1 is marked: the relay may now take a2
  });

  it('releases the rows of a failed publish to the relay at once and wakes it; marks the rest', async () => {
    relay.failNext = true;
    publishing.committed(held(message('lost')));
    await new Promise((resolve) => setImmediate(resolve));
    publishing.committed(held(message('kept')));
    await publishing.drain();
    expect(releases).toEqual([['lost']]);
    expect(marks).toEqual([['kept']]);
    expect(relay.wakes).toBe(1);
  });

  it('gives up a publish that is not confirmed in time: its rows are released, not left for the hold', async () => {
    relay.hangNext = true;
    publishing.committed(held(message('slow')));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(releases).toEqual([]); // still within the publish timeout
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(releases).toEqual([['slow']]);
    expect(relay.wakes).toBe(1);
    expect(marks).toEqual([]);
  });

  it('drains on shutdown: publishes in flight finish and are marked before it returns', async () => {
    publishing.committed(held(message('x')));
    await publishing.drain();
    expect(marks).toEqual([['x']]);
    expect(releases).toEqual([]);
  });

  it('releases on shutdown what it could not publish, so no other replica waits for its hold', async () => {
    relay.hangNext = true;
    publishing.committed(held(message('stuck')));
    await new Promise((resolve) => setImmediate(resolve));
    await publishing.drain(); // waits at most the publish timeout
    expect(releases).toEqual([['stuck']]);
  });
});
