import { Command } from '@nestjs/cqrs';
import type { CallOwner } from '@calls/domain';

export class KeepAliveCommand extends Command<void> {
  constructor(
    readonly owner: CallOwner,
    readonly callId: string,
  ) {
    super();
  }
}
