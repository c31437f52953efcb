import { Query } from '@nestjs/cqrs';
import type { CallOwner, CallProps } from '@calls/domain';

export class GetCallQuery extends Query<Readonly<CallProps>> {
  constructor(
    readonly owner: CallOwner,
    readonly callId: string,
  ) {
    super();
  }
}
