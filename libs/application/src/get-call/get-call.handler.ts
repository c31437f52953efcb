import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { CALL_REPOSITORY, CallNotFoundError } from '@calls/domain';
import type { CallProps, CallRepository } from '@calls/domain';
import { GetCallQuery } from './get-call.query';

@QueryHandler(GetCallQuery)
export class GetCallHandler implements IQueryHandler<GetCallQuery, Readonly<CallProps>> {
  constructor(@Inject(CALL_REPOSITORY) private readonly calls: CallRepository) {}

  async execute({ owner, callId }: GetCallQuery): Promise<Readonly<CallProps>> {
    const call = await this.calls.findOwned(owner, callId);
    if (!call) throw new CallNotFoundError(callId);
    return call.snapshot();
  }
}
