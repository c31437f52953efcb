import { Injectable, Logger } from '@nestjs/common';
import { PruneCommandReceiptsCommand } from '@calls/application';
import { HostedLoop } from '../shared/hosted-loop';
import { MeteredCommandBus } from '../metrics/metered-command-bus';

/** Receipts removed per round; a full round is followed at once by the next. */
const BATCH = 500;
/** Between rounds that found little to do: receipts live for hours, so a minute late costs nothing. */
const PAUSE_MS = 60_000;

/** Keeps the command receipts to their lifetime, on every replica (each delete is idempotent). */
@Injectable()
export class ReceiptPruningHost extends HostedLoop {
  private readonly logger = new Logger(ReceiptPruningHost.name);

  constructor(private readonly commands: MeteredCommandBus) {
    super();
  }

  protected async round(): Promise<number> {
    try {
      return (await this.commands.execute(new PruneCommandReceiptsCommand(BATCH))) === BATCH ? 0 : PAUSE_MS;
    } catch (error) {
      this.logger.warn(`pruning expired command receipts failed: ${(error as Error).message}`);
      return PAUSE_MS;
    }
  }
}
