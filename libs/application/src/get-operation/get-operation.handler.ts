import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { CALL_REPOSITORY, OperationNotFoundError } from '@calls/domain';
import type { CallRepository } from '@calls/domain';
import type { OperationResult } from '../shared/operation.result';
import { GetOperationQuery } from './get-operation.query';

@QueryHandler(GetOperationQuery)
export class GetOperationHandler implements IQueryHandler<GetOperationQuery, OperationResult> {
  constructor(@Inject(CALL_REPOSITORY) private readonly calls: CallRepository) {}

  async execute({ owner, callId, operationId }: GetOperationQuery): Promise<OperationResult> {
    const operation = await this.calls.findOperation(owner, callId, operationId);
    if (!operation) throw new OperationNotFoundError(operationId);
    return operation;
  }
}
