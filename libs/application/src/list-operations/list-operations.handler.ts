import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { CALL_REPOSITORY, CallNotFoundError } from '@calls/domain';
import type { CallRepository } from '@calls/domain';
import { ListOperationsQuery, OperationsPage } from './list-operations.query';

@QueryHandler(ListOperationsQuery)
export class ListOperationsHandler implements IQueryHandler<ListOperationsQuery, OperationsPage> {
  constructor(@Inject(CALL_REPOSITORY) private readonly calls: CallRepository) {}

  async execute({ owner, callId, afterSequence, limit }: ListOperationsQuery): Promise<OperationsPage> {
    // One more than asked for tells whether another page follows, without counting.
    const rows = await this.calls.listOperations(owner, callId, { afterSequence, limit: limit + 1 });
    if (!rows) throw new CallNotFoundError(callId);
    const operations = rows.slice(0, limit);
    return {
      operations,
      nextAfter: rows.length > limit ? operations[operations.length - 1].sequence : null,
    };
  }
}
