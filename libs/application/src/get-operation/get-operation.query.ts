import { Query } from '@nestjs/cqrs';
import type { CallOwner } from '@calls/domain';
import type { OperationResult } from '../shared/operation.result';

export class GetOperationQuery extends Query<OperationResult> {
  constructor(
    readonly owner: CallOwner,
    readonly callId: string,
    readonly operationId: string,
  ) {
    super();
  }
}
