import { EventBus } from '@nestjs/cqrs';
import { CallNotFoundError } from '@calls/domain';
import type { CallEvent } from '@calls/domain';
import { establishedCallWithPrompts, TEST_OWNER, TEST_PROMPTS } from '@calls/domain/testing/call.fixtures';
import { CallUnitOfWork } from '../shared/call-unit-of-work';
import { Clock } from '../shared/clock';
import { InMemoryCallRepository } from '../testing/in-memory-call.repository';
import { IdempotencyKeyReusedError, IdempotencyRequest, ReceiptRecordedError } from './idempotency.port';
import { decodeResult, encodeResult } from './receipt-result.codec';

class SteppedClock extends Clock {
  constructor(public at = new Date('2026-11-30T09:00:00.000Z')) {
    super();
  }
  override now(): Date {
    return new Date(this.at);
  }
}

/** The idempotency rules of the unit of work: one effect per key, the first result for every retry. */
describe('idempotent commands', () => {
  const owner = TEST_OWNER;
  const ttlMs = 60_000;
  let repository: InMemoryCallRepository;
  let published: CallEvent[];
  let clock: SteppedClock;
  let unitOfWork: CallUnitOfWork;
  let callId: string;

  const play = (idempotency: IdempotencyRequest) =>
    unitOfWork.changeOwned(owner, callId, (call, now) => call.playPrompt(TEST_PROMPTS, 'c', now).snapshot(), {
      idempotency,
    });

  beforeEach(async () => {
    repository = new InMemoryCallRepository();
    published = [];
    clock = new SteppedClock();
    const eventBus = { publishAll: (events: CallEvent[]) => published.push(...events) } as unknown as EventBus;
    unitOfWork = new CallUnitOfWork(repository, eventBus, clock, repository, { ttlMs });
    const { call } = establishedCallWithPrompts(0);
    await repository.save(call);
    callId = call.id;
    published.length = 0;
  });

  it('runs a keyed command once: a retry gets the first result, marked replayed, and changes nothing', async () => {
    const first = await play(new IdempotencyRequest('k1', 'f1'));
    const saves = repository.saves;
    const events = published.length;
    clock.at = new Date(clock.at.getTime() + 1_000);

    const retry = new IdempotencyRequest('k1', 'f1');
    const again = await play(retry);

    expect(again).toEqual(first);
    expect(again.createdAt).toBeInstanceOf(Date);
    expect(retry.replayed).toBe(true);
    expect({ saves: repository.saves, events: published.length }).toEqual({ saves, events });
    expect((await repository.findById(callId))!.queue()).toHaveLength(1);
  });

  it('refuses the same key for a different request, changing nothing', async () => {
    await play(new IdempotencyRequest('k1', 'f1'));
    await expect(play(new IdempotencyRequest('k1', 'other'))).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect((await repository.findById(callId))!.queue()).toHaveLength(1);
  });

  it('keeps no receipt for a command that failed, so its retry runs again', async () => {
    const request = new IdempotencyRequest('k1', 'f1');
    const missing = '00000000-0000-4000-8000-0000000000aa';
    const fail = () => unitOfWork.changeOwned(owner, missing, (call) => call.snapshot(), { idempotency: request });
    await expect(fail()).rejects.toBeInstanceOf(CallNotFoundError);
    expect(repository.receipts.size).toBe(0);
    await expect(fail()).rejects.toBeInstanceOf(CallNotFoundError);
  });

  it('hands back the winner’s result when a concurrent run of the key committed first', async () => {
    const winner = await play(new IdempotencyRequest('k1', 'f1'));
    // The loser looked before the winner committed: its own find saw nothing.
    const find = jest.spyOn(repository, 'find').mockResolvedValueOnce(null);
    const loser = new IdempotencyRequest('k1', 'f1');
    const saveWithReceipt = jest.spyOn(repository, 'saveWithReceipt');

    expect(await play(loser)).toEqual(winner);
    await expect(saveWithReceipt.mock.results[0].value).rejects.toBeInstanceOf(ReceiptRecordedError);
    expect(find).toHaveBeenCalledTimes(2);
    expect(loser.replayed).toBe(true);
    expect((await repository.findById(callId))!.queue()).toHaveLength(1);
  });

  it('runs the key again once its receipt expired', async () => {
    const first = await play(new IdempotencyRequest('k1', 'f1'));
    clock.at = new Date(clock.at.getTime() + ttlMs);
    const second = await play(new IdempotencyRequest('k1', 'f1'));
    expect(second.id).not.toBe(first.id);
  });

  it('keeps the receipt of a command whose result is nothing (keepAlive) and of one that creates a call', async () => {
    const keepAlive = new IdempotencyRequest('k-alive', 'f');
    const alive = () =>
      unitOfWork.changeOwned(owner, callId, (call, now) => call.keepAlive(now), { idempotency: keepAlive });
    await alive();
    await alive();
    expect(keepAlive.replayed).toBe(true);

    const create = new IdempotencyRequest('k-create', 'f');
    const add = () =>
      unitOfWork.add(
        owner,
        () => establishedCallWithPrompts(0).call,
        (call) => call.id,
        create,
      );
    expect(await add()).toBe(await add());
    expect(create.replayed).toBe(true);
  });

  it('does not replay a key across owners: keys are per application per tenant', async () => {
    await play(new IdempotencyRequest('k1', 'f1'));
    const other = { tenantId: owner.tenantId, appId: 'app-b' };
    const otherCall = establishedCallWithPrompts(0, null, other).call;
    await repository.save(otherCall);
    const request = new IdempotencyRequest('k1', 'f1');
    await unitOfWork.changeOwned(other, otherCall.id, (call, now) => call.playPrompt(TEST_PROMPTS, null, now), {
      idempotency: request,
    });
    expect(request.replayed).toBe(false);
  });

  it('raises a domain refusal as it is, with no receipt', async () => {
    await unitOfWork.changeOwned(owner, callId, (call, now) => call.hangUp(now));
    await expect(play(new IdempotencyRequest('k2', 'f'))).rejects.toBeInstanceOf(CallNotFoundError);
    expect(repository.receipts.size).toBe(0);
  });
});

describe('receipt results', () => {
  it('round-trip through JSON with their dates, nested in objects and arrays', () => {
    const result = { at: new Date('2026-11-30T09:00:00.123Z'), list: [{ ended: new Date(0) }], none: null, n: 1 };
    const stored = JSON.parse(JSON.stringify(encodeResult(result)));
    expect(decodeResult(stored)).toEqual(result);
    expect((decodeResult(stored) as typeof result).list[0].ended).toBeInstanceOf(Date);
  });

  it('keep a command that returns nothing as nothing', () => {
    expect(decodeResult(encodeResult(undefined))).toBeUndefined();
  });
});
