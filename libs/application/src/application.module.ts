import { Module } from '@nestjs/common';
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

/**
 * The use cases, on the buses of `CqrsModule.forRoot()` (imported once, by
 * the app: a second CqrsModule import would give handlers other buses). The
 * CALL_REPOSITORY port comes from the global persistence module.
 */
@Module({
  providers: [
    Clock,
    CallUnitOfWork,
    CreateCallHandler,
    PlayPromptHandler,
    RecordResponseHandler,
    SubscribeToToneHandler,
    CancelMediaProcessingHandler,
    HangUpHandler,
    ApplyMediaPlaneReportHandler,
    GetCallHandler,
    GetOperationHandler,
  ],
})
export class ApplicationModule {}
