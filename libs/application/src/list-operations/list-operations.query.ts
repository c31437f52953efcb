import { Query } from '@nestjs/cqrs';
import type { CallOwner } from '@calls/domain';
import type { OperationResult } from '../shared/operation.result';

/** One page of a call's operations in creation order, and where the next starts if there is more. */
export interface OperationsPage {
  readonly operations: readonly OperationResult[];
  /** The sequence to continue after, or null on the last page. */
  readonly nextAfter: number | null;
}

export class ListOperationsQuery extends Query<OperationsPage> {
  constructor(
    readonly owner: CallOwner,
    readonly callId: string,
    readonly afterSequence: number,
    readonly limit: number,
  ) {
    super();
  }
}
