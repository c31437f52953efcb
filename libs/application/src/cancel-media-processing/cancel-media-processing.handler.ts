import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CALL_REPOSITORY } from '@calls/domain';
import type { CallRepository, CancelSelection, OperationStatus } from '@calls/domain';
import { CallUnitOfWork } from '../shared/call-unit-of-work';
import type { OperationResult } from '../shared/operation.result';
import { CancelMediaProcessingCommand } from './cancel-media-processing.command';

@CommandHandler(CancelMediaProcessingCommand)
export class CancelMediaProcessingHandler implements ICommandHandler<CancelMediaProcessingCommand, OperationResult> {
  constructor(
    private readonly unitOfWork: CallUnitOfWork,
    @Inject(CALL_REPOSITORY) private readonly calls: CallRepository,
  ) {}

  execute({
    owner,
    callId,
    clientContext,
    target,
    idempotency,
    keepRecordings,
  }: CancelMediaProcessingCommand): Promise<OperationResult> {
    const options = { keepRecordings };
    if (!('operationIds' in target)) {
      return this.unitOfWork.changeOwned(
        owner,
        callId,
        (call, now) => call.cancelMediaProcessing(clientContext, now, target, options).snapshot(),
        { idempotency },
      );
    }
    // By id: the call knows its queue; what it no longer holds is looked up, so an ended operation
    // is reported as not cancelled and an id the call never had is refused.
    return this.unitOfWork.changeOwned<OperationResult, Map<string, OperationStatus>>(
      owner,
      callId,
      (call, now, statuses) => {
        const selection: CancelSelection = { operationIds: target.operationIds, statuses };
        return call.cancelMediaProcessing(clientContext, now, selection, options).snapshot();
      },
      { inspect: () => this.calls.operationStatuses(callId, target.operationIds), idempotency },
    );
  }
}
