import { Command } from '@nestjs/cqrs';
import type { CallOwner } from '@calls/domain';
import type { OperationResult } from '../shared/operation.result';

export class SubscribeToToneCommand extends Command<OperationResult> {
  constructor(
    readonly owner: CallOwner,
    readonly callId: string,
    readonly clientContext: string | null,
  ) {
    super();
  }
}
