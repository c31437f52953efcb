import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TerminusModule } from '@nestjs/terminus';
import { ApplicationModule } from '@calls/application';
import { AuthModule } from '@calls/auth';
import { LoggingModule } from '@calls/runtime';
import { ConfigTreeModule } from '@calls/config';
import type { Config } from '@calls/config';
import { MessagingModule } from '@calls/messaging';
import { NotificationSigningModule, NotificationsModule } from '@calls/notifications';
import { PersistenceModule } from '@calls/persistence';
import { CallbackPolicy } from './calls/callback.policy';
import { CallsController } from './calls/calls.controller';
import { CancelMediaProcessingController } from './cancel-media-processing/cancel-media-processing.controller';
import { HealthController } from './health/health.controller';
import { CancelMetrics } from './metrics/cancel.metrics';
import { DatabaseMetrics } from './metrics/database.metrics';
import { MeteredCommandBusModule } from './metrics/metered-command-bus';
import { MetricsController } from './metrics/metrics.controller';
import { WellKnownController } from './well-known/well-known.controller';
import { MediaPlaneModule } from './media-plane/media-plane.module';
import { OperationsController } from './operations/operations.controller';
import { CallExpiryHost } from './keep-alive/call-expiry.host';
import { ReceiptPruningHost } from './idempotency/receipt-pruning.host';
import { EndedCallPruningHost } from './keep-alive/ended-call-pruning.host';
import { KeepAliveController } from './keep-alive/keep-alive.controller';
import { PlayPromptController } from './play-prompt/play-prompt.controller';
import { RecordResponseController } from './record-response/record-response.controller';
import { ThrottlingModule } from './throttling/throttling.module';
import { OverloadModule } from './overload/overload.module';
import { SubscribeToToneController } from './subscribe-to-tone/subscribe-to-tone.controller';
import { SendDtmfTonesController } from './send-dtmf-tones/send-dtmf-tones.controller';
import { UpdateRecordingStatusController } from './update-recording-status/update-recording-status.controller';

@Module({})
export class AppModule {
  /** Each module gets its section of the one configuration tree, built at bootstrap (loadConfig). */
  static forRoot(config: Config): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigTreeModule.forRoot(config),
        LoggingModule.forRoot(config.logLevel),
        CqrsModule.forRoot(),
        MeteredCommandBusModule,
        TerminusModule,
        PersistenceModule.forRoot(config.database),
        ApplicationModule.forRoot(config),
        MessagingModule.forRoot(config.messaging),
        AuthModule.forRoot(config.auth),
        // After AuthModule: its guard must see the authenticated principal.
        ThrottlingModule.forRoot(config.throttling),
        // After ThrottlingModule: an app over its own limit is refused before it takes a place at the door.
        OverloadModule.forRoot(config.http.shedding),
        NotificationSigningModule.forRoot(config.notificationSigning),
        // With a broker the notifier runs as its own app; without one it runs here, off the outbox.
        ...(config.messaging.amqpUrl
          ? []
          : [NotificationsModule.forRoot({ inProcess: true, settings: config.notifier })]),
        MediaPlaneModule.forRoot(config.mediaPlane, config.http.publicBaseUrl),
      ],
      providers: [
        DatabaseMetrics,
        CancelMetrics,
        CallbackPolicy,
        CallExpiryHost,
        ReceiptPruningHost,
        EndedCallPruningHost,
      ],
      controllers: [
        HealthController,
        MetricsController,
        WellKnownController,
        CallsController,
        PlayPromptController,
        RecordResponseController,
        SubscribeToToneController,
        SendDtmfTonesController,
        UpdateRecordingStatusController,
        CancelMediaProcessingController,
        KeepAliveController,
        OperationsController,
      ],
    };
  }
}
