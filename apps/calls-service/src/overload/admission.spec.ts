import { Admission, isRefusal } from './admission';
import type { Refusal, Ticket } from './admission';
import type { AdmissionSettings } from '@calls/config';

// A fixed limit of 2 (min = max), so each test controls exactly when places free up.
const settings: AdmissionSettings = {
  initialLimit: 2,
  minLimit: 2,
  maxLimit: 2,
  queueBudgetMs: 20,
  overloadQueueBudgetMs: 5,
  criticalQueueBudgetMs: 100,
  maxQueue: 2,
};

const ticket = (outcome: Ticket | Refusal | Promise<Ticket | Refusal>): Ticket => {
  if (outcome instanceof Promise || isRefusal(outcome))
    throw new Error(`not admitted at once: ${JSON.stringify(outcome)}`);
  return outcome;
};

describe('Admission', () => {
  let admission: Admission;
  beforeEach(() => (admission = new Admission(settings)));
  afterEach(() => admission.close());

  it('admits up to its limit at once and queues the next request until a place frees up', async () => {
    const first = ticket(admission.acquire('normal', 0, 0));
    ticket(admission.acquire('normal', 0, 0));
    const third = admission.acquire('normal', 0, 0);
    expect(third).toBeInstanceOf(Promise);
    expect(admission.queued).toBe(1);
    first.release(5);
    const outcome = await third;
    expect(isRefusal(outcome)).toBe(false);
    expect(admission.inFlight).toBe(2);
  });

  it('refuses an ordinary request at once when the queue is full', () => {
    ticket(admission.acquire('normal', 0, 0));
    ticket(admission.acquire('normal', 0, 0));
    void admission.acquire('normal', 0, 0);
    void admission.acquire('normal', 0, 0);
    expect(admission.acquire('normal', 0, 0)).toEqual({
      refused: expect.stringMatching(/at capacity \(2 requests waiting\)/),
      reason: 'queue_full',
    });
  });

  it('refuses a queued request that waited past its budget, without a place freeing up', async () => {
    const now = Date.now();
    ticket(admission.acquire('normal', now, now));
    ticket(admission.acquire('normal', now, now));
    const started = Date.now();
    const outcome = await admission.acquire('normal', now, now);
    expect(outcome).toEqual({
      refused: expect.stringMatching(/overloaded \(the request waited \d+ ms to start\)/),
      reason: 'waited_too_long',
    });
    expect(Date.now() - started).toBeLessThan(100); // the sweep, not the client, ended the wait
    expect(admission.counts.refusedLate).toBe(1);
  });

  it('judges a request that would queue by the time since it arrived, not since it asked', () => {
    ticket(admission.acquire('normal', 0, 0));
    ticket(admission.acquire('normal', 0, 0));
    expect(admission.acquire('normal', 0, 30)).toEqual({
      refused: expect.stringMatching(/waited 30 ms/),
      reason: 'waited_too_long',
    });
  });

  it('admits a late request when a place is free: a paused loop alone refuses nothing', () => {
    const late = admission.acquire('normal', 0, 500);
    expect(isRefusal(ticket(late) as never)).toBe(false);
  });

  it('lets critical requests past the limit by the headroom, while ordinary ones queue', () => {
    ticket(admission.acquire('normal', 0, 0));
    ticket(admission.acquire('normal', 0, 0));
    const queued = admission.acquire('normal', 0, 0);
    expect(queued).toBeInstanceOf(Promise);
    ticket(admission.acquire('critical', 0, 0)); // 2 + ceil(2 * 0.25) = 3 places for critical requests
    expect(admission.acquire('critical', 0, 0)).toBeInstanceOf(Promise);
  });

  it('gives a freed place to a waiting critical request before an ordinary one that came first', async () => {
    const first = ticket(admission.acquire('normal', 0, 0));
    ticket(admission.acquire('normal', 0, 0));
    ticket(admission.acquire('critical', 0, 0));
    const order: string[] = [];
    const normal = (admission.acquire('normal', 0, 0) as Promise<Ticket | Refusal>).then(() => order.push('normal'));
    const critical = (admission.acquire('critical', 0, 0) as Promise<Ticket | Refusal>).then((outcome) => {
      order.push(isRefusal(outcome) ? 'critical refused' : 'critical');
    });
    first.release(1);
    await critical;
    expect(order).toEqual(['critical']);
    expect(admission.queued).toBe(1); // the ordinary one still waits
    admission.close();
    await normal;
  });

  it('makes room for a critical request in a full queue by refusing the ordinary request queued last', async () => {
    ticket(admission.acquire('normal', 0, 0));
    ticket(admission.acquire('normal', 0, 0));
    ticket(admission.acquire('critical', 0, 0));
    const earlier = admission.acquire('normal', 0, 0) as Promise<Ticket | Refusal>;
    const later = admission.acquire('normal', 0, 0) as Promise<Ticket | Refusal>;
    const critical = admission.acquire('critical', 0, 0);
    expect(critical).toBeInstanceOf(Promise);
    expect(await later).toEqual({ refused: expect.stringMatching(/at capacity/), reason: 'queue_full' });
    expect(admission.queued).toBe(2);
    admission.close();
    expect(isRefusal(await earlier)).toBe(true);
    expect(await critical).toEqual({ refused: 'the service is shutting down', reason: 'shutting_down' });
  });

  it('refuses a critical request only when the queue is full of critical requests', () => {
    for (let i = 0; i < 3; i++) ticket(admission.acquire('critical', 0, 0));
    void admission.acquire('critical', 0, 0);
    void admission.acquire('critical', 0, 0);
    expect(isRefusal(admission.acquire('critical', 0, 0) as Refusal)).toBe(true);
  });

  it('shortens the ordinary budget once the queue has overflowed, for a second after its last refusal', () => {
    ticket(admission.acquire('normal', 0, 0));
    ticket(admission.acquire('normal', 0, 0));
    expect(admission.acquire('normal', 0, 10)).toBeInstanceOf(Promise); // 10 ms late: within the usual 20
    void admission.acquire('normal', 10, 10);
    expect(admission.acquire('normal', 10, 10)).toEqual({
      refused: expect.stringMatching(/at capacity/),
      reason: 'queue_full',
    });
    // Overflowed at 10: 8 ms late is now too late.
    expect(admission.acquire('normal', 492, 500)).toEqual({
      refused: expect.stringMatching(/waited 8 ms/),
      reason: 'waited_too_long',
    });
    // Each refusal keeps the short budget a second longer.
    expect(admission.acquire('normal', 1392, 1400)).toEqual({
      refused: expect.stringMatching(/waited 8 ms/),
      reason: 'waited_too_long',
    });
    // A second after the last refusal the usual budget is back: 8 ms late is in time (refused only for the full queue).
    expect(admission.acquire('normal', 2492, 2500)).toEqual({
      refused: expect.stringMatching(/at capacity/),
      reason: 'queue_full',
    });
  });

  it('keeps the long budget for critical requests while only ordinary ones overflow, and shortens it when they do', () => {
    ticket(admission.acquire('normal', 0, 0));
    ticket(admission.acquire('normal', 0, 0));
    void admission.acquire('normal', 0, 0);
    void admission.acquire('normal', 0, 0);
    expect(isRefusal(admission.acquire('normal', 0, 0) as Refusal)).toBe(true); // ordinary ones overflow
    ticket(admission.acquire('critical', 0, 0)); // the headroom's place
    expect(admission.acquire('critical', 0, 50)).toBeInstanceOf(Promise); // 50 ms late: within its 100
    expect(admission.acquire('critical', 0, 50)).toBeInstanceOf(Promise); // displaces the other ordinary one
    expect(isRefusal(admission.acquire('critical', 50, 50) as Refusal)).toBe(true); // critical ones overflow now
    expect(admission.acquire('critical', 100, 108)).toEqual({
      refused: expect.stringMatching(/waited 8 ms/),
      reason: 'waited_too_long',
    });
  });

  it('gives a critical request its longer budget', () => {
    for (let i = 0; i < 3; i++) ticket(admission.acquire('critical', 0, 0));
    expect(admission.acquire('critical', 0, 50)).toBeInstanceOf(Promise);
    expect(admission.acquire('normal', 0, 50)).toEqual({
      refused: expect.stringMatching(/waited 50 ms/),
      reason: 'waited_too_long',
    });
  });

  it('refuses on arrival only what could neither take a place nor wait', () => {
    expect(admission.refuseIfFull('normal')).toBeUndefined();
    ticket(admission.acquire('normal', 0, 0));
    ticket(admission.acquire('normal', 0, 0));
    expect(admission.refuseIfFull('normal')).toBeUndefined(); // it may still wait
    void admission.acquire('normal', 0, 0);
    void admission.acquire('normal', 0, 0);
    expect(admission.refuseIfFull('normal')).toEqual({
      refused: expect.stringMatching(/at capacity/),
      reason: 'queue_full',
    });
    expect(admission.refuseIfFull('critical')).toBeUndefined(); // it takes the place of a waiting ordinary one
    expect(admission.counts.refusedFull).toBe(1);
  });

  it('refuses a critical request on arrival only when critical requests fill the places and the queue', () => {
    for (let i = 0; i < 2; i++) ticket(admission.acquire('critical', 0, 0));
    void admission.acquire('normal', 0, 0);
    void admission.acquire('normal', 0, 0);
    expect(admission.refuseIfFull('critical')).toBeUndefined(); // a place of its headroom is free
    ticket(admission.acquire('critical', 0, 0));
    void admission.acquire('critical', 0, 0); // displaces an ordinary one
    void admission.acquire('critical', 0, 0); // and the other
    expect(admission.refuseIfFull('critical')).toEqual({
      refused: expect.stringMatching(/at capacity/),
      reason: 'queue_full',
    });
  });

  it('releases a place once however often it is released', () => {
    const first = ticket(admission.acquire('normal', 0, 0));
    first.release(1);
    first.release(2);
    expect(admission.inFlight).toBe(0);
  });
});
