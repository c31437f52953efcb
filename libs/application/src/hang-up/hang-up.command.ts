import { Command } from '@nestjs/cqrs';
import type { CallOwner } from '@calls/domain';

export class HangUpCommand extends Command<void> {
  constructor(
    readonly owner: CallOwner,
    readonly callId: string,
  ) {
    super();
  }
}
