import { EventBus } from '@nestjs/cqrs';
import { MediaOperationEnded, MediaOperationStarted } from '@calls/domain';
import type { CallEvent } from '@calls/domain';
import { establishedCallWithPrompts, TEST_OWNER } from '@calls/domain/testing/call.fixtures';
import { CallUnitOfWork } from '../shared/call-unit-of-work';
import { Clock } from '../shared/clock';
import { InMemoryCallRepository } from '../testing/in-memory-call.repository';
import { ApplyMediaPlaneReportCommand } from './media-plane-report.command';
import { ApplyMediaPlaneReportHandler } from './media-plane-report.handler';

const owner = TEST_OWNER;

describe(ApplyMediaPlaneReportHandler.name, () => {
  let repository: InMemoryCallRepository;
  let published: CallEvent[];
  let handler: ApplyMediaPlaneReportHandler;

  beforeEach(() => {
    repository = new InMemoryCallRepository();
    published = [];
    const eventBus = { publishAll: (events: CallEvent[]) => published.push(...events) } as unknown as EventBus;
    handler = new ApplyMediaPlaneReportHandler(
      new CallUnitOfWork(repository, eventBus, new Clock(), repository, { ttlMs: 60_000 }),
      repository,
    );
  });

  async function callPlaying(count: number): Promise<{ callId: string; ids: string[] }> {
    const { call, ids } = establishedCallWithPrompts(count);
    await repository.save(call);
    return { callId: call.id, ids };
  }

  it('completes the running operation and starts the next one', async () => {
    const { callId, ids } = await callPlaying(2);
    const applied = await handler.execute(
      new ApplyMediaPlaneReportCommand(callId, { type: 'operationCompleted', operationId: ids[0] }),
    );
    expect(applied).toBe(true);
    expect(await repository.findOperation(owner, callId, ids[0])).toMatchObject({ status: 'completed' });
    expect(await repository.findOperation(owner, callId, ids[1])).toMatchObject({ status: 'running' });
    expect(published.map((e) => e.constructor.name)).toEqual([MediaOperationEnded.name, MediaOperationStarted.name]);
  });

  it('makes a duplicate or late report change nothing and write nothing', async () => {
    const { callId, ids } = await callPlaying(1);
    await handler.execute(
      new ApplyMediaPlaneReportCommand(callId, { type: 'operationCompleted', operationId: ids[0] }),
    );
    const saves = repository.saves;
    published = [];

    const again = await handler.execute(
      new ApplyMediaPlaneReportCommand(callId, {
        type: 'operationFailed',
        operationId: ids[0],
        resultInfo: { code: 500, subcode: 0, message: 'late' },
      }),
    );

    expect(again).toBe(false);
    expect(repository.saves).toBe(saves);
    expect(published).toEqual([]);
    expect(await repository.findOperation(owner, callId, ids[0])).toMatchObject({ status: 'completed' });
  });

  it('ignores reports for a call that was hung up', async () => {
    const { callId, ids } = await callPlaying(1);
    const call = (await repository.findById(callId))!;
    call.hangUp(new Date());
    await repository.save(call);
    const saves = repository.saves;

    const applied = await handler.execute(
      new ApplyMediaPlaneReportCommand(callId, { type: 'operationCompleted', operationId: ids[0] }),
    );

    expect(applied).toBe(false);
    expect(repository.saves).toBe(saves);
  });
});
