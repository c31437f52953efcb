import { DynamicModule, Module } from '@nestjs/common';
import { CancelMediaProcessingHandler } from './cancel-media-processing/cancel-media-processing.handler';
import { CreateCallHandler } from './create-call/create-call.handler';
import { GetCallHandler } from './get-call/get-call.handler';
import { GetOperationHandler } from './get-operation/get-operation.handler';
import { HangUpHandler } from './hang-up/hang-up.handler';
import { ApplyMediaPlaneReportHandler } from './media-plane-report/media-plane-report.handler';
import { PlayPromptHandler } from './play-prompt/play-prompt.handler';
import { RecordResponseHandler } from './record-response/record-response.handler';
import { CallUnitOfWork } from './shared/call-unit-of-work';
import { Clock } from './shared/clock';
import { SubscribeToToneHandler } from './subscribe-to-tone/subscribe-to-tone.handler';
import { SendDtmfTonesHandler } from './send-dtmf-tones/send-dtmf-tones.handler';
import { UpdateRecordingStatusHandler } from './update-recording-status/update-recording-status.handler';
import { ExpireInactiveCallsHandler } from './expire-inactive-calls/expire-inactive-calls.handler';
import { KeepAliveHandler } from './keep-alive/keep-alive.handler';
import { PruneCommandReceiptsHandler } from './prune-command-receipts/prune-command-receipts.handler';
import { PruneEndedCallsHandler } from './prune-ended-calls/prune-ended-calls.handler';
import { ListOperationsHandler } from './list-operations/list-operations.handler';
import { CALL_LIFETIME_SETTINGS } from './shared/call-lifetime.settings';
import type { CallLifetimeSettings } from './shared/call-lifetime.settings';
import { IDEMPOTENCY_SETTINGS } from './idempotency/idempotency.port';
import type { IdempotencySettings } from './idempotency/idempotency.port';

/** The use cases, and what they share. */
const HANDLERS = [
  Clock,
  CallUnitOfWork,
  CreateCallHandler,
  PlayPromptHandler,
  RecordResponseHandler,
  SubscribeToToneHandler,
  SendDtmfTonesHandler,
  UpdateRecordingStatusHandler,
  CancelMediaProcessingHandler,
  HangUpHandler,
  ApplyMediaPlaneReportHandler,
  GetCallHandler,
  GetOperationHandler,
  ListOperationsHandler,
  KeepAliveHandler,
  ExpireInactiveCallsHandler,
  PruneCommandReceiptsHandler,
  PruneEndedCallsHandler,
];

/**
 * The use cases, on the buses of `CqrsModule.forRoot()` (imported once, by
 * the app: a second CqrsModule import would give handlers other buses). The
 * CALL_REPOSITORY and COMMAND_RECEIPTS ports come from the global persistence
 * module; the settings are sections of the process's configuration.
 */
@Module({})
export class ApplicationModule {
  static forRoot(settings: { callLifetime: CallLifetimeSettings; idempotency: IdempotencySettings }): DynamicModule {
    return {
      module: ApplicationModule,
      providers: [
        { provide: CALL_LIFETIME_SETTINGS, useValue: settings.callLifetime },
        { provide: IDEMPOTENCY_SETTINGS, useValue: settings.idempotency },
        ...HANDLERS,
      ],
      exports: [CALL_LIFETIME_SETTINGS],
    };
  }
}
