import { isRefusal } from './admission';
import type { Refusal, Ticket } from './admission';
import { CallTurns } from './call-turns';

const now = (outcome: Ticket | Refusal | Promise<Ticket>): Ticket => {
  if (outcome instanceof Promise || isRefusal(outcome)) throw new Error('not given a turn at once');
  return outcome;
};

describe('CallTurns', () => {
  it('runs commands on one call one after another, and on different calls at once', async () => {
    const turns = new CallTurns(4);
    const first = now(turns.take('a', 'normal'));
    now(turns.take('b', 'normal'));
    const second = turns.take('a', 'normal') as Promise<Ticket>;
    let started = false;
    void second.then(() => (started = true));
    await Promise.resolve();
    expect(started).toBe(false);
    first.release();
    (await second).release();
    expect(started).toBe(true);
    expect(turns.activeCalls).toBe(1); // b's turn is still held
  });

  it('gives the next turn to a waiting cancel or hang-up before earlier ordinary commands', async () => {
    const turns = new CallTurns(4);
    const first = now(turns.take('a', 'normal'));
    const order: string[] = [];
    const normal = (turns.take('a', 'normal') as Promise<Ticket>).then((t) => (order.push('normal'), t));
    const critical = (turns.take('a', 'critical') as Promise<Ticket>).then((t) => (order.push('critical'), t));
    first.release();
    (await critical).release();
    (await normal).release();
    expect(order).toEqual(['critical', 'normal']);
    expect(turns.activeCalls).toBe(0);
  });

  it("refuses a call's request past the bound of waiting ones, and takes it again once there is room", async () => {
    const turns = new CallTurns(2);
    const first = now(turns.take('a', 'normal'));
    const waiting = [turns.take('a', 'normal'), turns.take('a', 'critical')] as Promise<Ticket>[];
    expect(turns.take('a', 'critical')).toEqual({
      refused: 'Too many requests are waiting on this call (2).',
      reason: 'call_queue_full',
    });
    expect(turns.take('b', 'normal')).not.toHaveProperty('refused'); // another call is not affected
    first.release();
    (await waiting[1]).release();
    expect(turns.take('a', 'normal')).toBeInstanceOf(Promise);
  });

  it('says on arrival whether a call line is full, without joining it', () => {
    const turns = new CallTurns(1);
    expect(turns.refuseIfFull('a')).toBeUndefined(); // no line yet
    now(turns.take('a', 'normal'));
    expect(turns.refuseIfFull('a')).toBeUndefined(); // one may still wait
    void turns.take('a', 'normal');
    expect(turns.refuseIfFull('a')).toEqual({
      refused: 'Too many requests are waiting on this call (1).',
      reason: 'call_queue_full',
    });
    expect(turns.refuseIfFull('b')).toBeUndefined();
  });

  it('frees a turn once however often it is released', () => {
    const turns = new CallTurns(2);
    const first = now(turns.take('a', 'normal'));
    first.release();
    first.release();
    expect(turns.activeCalls).toBe(0);
    now(turns.take('a', 'normal'));
  });
});
