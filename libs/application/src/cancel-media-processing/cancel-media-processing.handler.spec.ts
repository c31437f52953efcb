import { Logger } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { CallNotFoundError, MediaOperationEnded, MediaProcessingCancelled, RESULT_CANCELLED } from '@calls/domain';
import type { CallEvent } from '@calls/domain';
import { establishedCallWithPrompts, TEST_OWNER } from '@calls/domain/testing/call.fixtures';
import { CallUnitOfWork, MAX_CONFLICT_RETRIES } from '../shared/call-unit-of-work';
import { Clock } from '../shared/clock';
import { InMemoryCallRepository } from '../testing/in-memory-call.repository';
import { CancelMediaProcessingCommand } from './cancel-media-processing.command';
import { CancelMediaProcessingHandler } from './cancel-media-processing.handler';

const owner = TEST_OWNER;

describe(CancelMediaProcessingHandler.name, () => {
  let repository: InMemoryCallRepository;
  let published: CallEvent[];
  let handler: CancelMediaProcessingHandler;

  async function storedCallWithQueue(count: number): Promise<{ callId: string; operationIds: string[] }> {
    const { call, ids } = establishedCallWithPrompts(count);
    await repository.save(call);
    return { callId: call.id, operationIds: ids };
  }

  beforeEach(() => {
    repository = new InMemoryCallRepository();
    published = [];
    const eventBus = { publishAll: (events: CallEvent[]) => published.push(...events) } as unknown as EventBus;
    handler = new CancelMediaProcessingHandler(
      new CallUnitOfWork(repository, eventBus, new Clock(), repository, { ttlMs: 60_000 }),
      repository,
    );
  });

  it('ends every queued operation, stores them failed and publishes the events after saving', async () => {
    const { callId, operationIds } = await storedCallWithQueue(3);
    const savesBefore = repository.saves;

    const result = await handler.execute(new CancelMediaProcessingCommand(owner, callId, 'ctx'));

    expect(result).toMatchObject({ kind: 'cancelMediaProcessing', status: 'completed', clientContext: 'ctx' });
    expect(result.cancelledOperations?.map((ref) => ref.id)).toEqual(operationIds);
    expect(repository.saves).toBe(savesBefore + 1);
    for (const id of operationIds) {
      const stored = await repository.findOperation(owner, callId, id);
      expect(stored).toMatchObject({ status: 'failed', resultInfo: RESULT_CANCELLED });
    }
    expect(published.map((e) => e.constructor.name)).toEqual([
      ...operationIds.map(() => MediaOperationEnded.name),
      MediaProcessingCancelled.name,
    ]);
    expect((await repository.findOwned(owner, callId))!.queue()).toHaveLength(0);
  });

  it('answers not found for a call of another tenant or another app, and changes nothing', async () => {
    const { callId, operationIds } = await storedCallWithQueue(1);
    for (const stranger of [
      { tenantId: 'tenant-b', appId: 'app-a' },
      { tenantId: 'tenant-a', appId: 'app-b' },
    ]) {
      await expect(handler.execute(new CancelMediaProcessingCommand(stranger, callId, null))).rejects.toBeInstanceOf(
        CallNotFoundError,
      );
    }
    expect(await repository.findOperation(owner, callId, operationIds[0])).toMatchObject({ status: 'running' });
    expect(published).toEqual([]);
  });

  it('replays the decision on fresh state when another writer changed the call first', async () => {
    const { callId } = await storedCallWithQueue(1);
    const save = repository.save.bind(repository);
    let conflicts = 1;
    jest.spyOn(repository, 'save').mockImplementation(async (call) => {
      if (conflicts-- > 0) repository.bumpVersion(callId);
      return save(call);
    });

    const result = await handler.execute(new CancelMediaProcessingCommand(owner, callId, null));

    expect(result.cancelledOperations).toHaveLength(1);
    expect(published.filter((e) => e instanceof MediaProcessingCancelled)).toHaveLength(1);
  });

  it('gives up with the conflict after the retry budget, publishing nothing, and says which call', async () => {
    const { callId } = await storedCallWithQueue(1);
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const save = repository.save.bind(repository);
    jest.spyOn(repository, 'save').mockImplementation(async (call) => {
      repository.bumpVersion(callId);
      return save(call);
    });

    await expect(handler.execute(new CancelMediaProcessingCommand(owner, callId, null))).rejects.toMatchObject({
      reason: 'conflict',
    });
    expect(repository.save).toHaveBeenCalledTimes(MAX_CONFLICT_RETRIES);
    expect(published).toEqual([]);
    expect(warn.mock.calls).toEqual([
      [expect.stringMatching(new RegExp(`^call ${callId}: gave up after ${MAX_CONFLICT_RETRIES} concurrent changes`))],
    ]);
    warn.mockRestore();
  });
});
