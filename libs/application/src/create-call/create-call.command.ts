import { Command } from '@nestjs/cqrs';
import type { CallDescription, CallOwner, CallProps } from '@calls/domain';

export class CreateCallCommand extends Command<Readonly<CallProps>> {
  constructor(
    readonly owner: CallOwner,
    readonly description: CallDescription,
  ) {
    super();
  }
}
