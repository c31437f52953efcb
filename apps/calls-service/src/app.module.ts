import { DynamicModule, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ConfigModule } from '@nestjs/config';
import { CqrsModule } from '@nestjs/cqrs';
import { TerminusModule } from '@nestjs/terminus';
import { ApplicationModule } from '@calls/application';
import { AuthModule } from '@calls/auth';
import { LoggingModule, validateEnvironment } from '@calls/runtime';
import { MessagingModule, messagingSettingsFromEnv } from '@calls/messaging';
import { NotificationSigningModule, NotificationsModule } from '@calls/notifications';
import { PersistenceModule } from '@calls/persistence';
import { CallbackPolicy } from './calls/callback.policy';
import { CallsController } from './calls/calls.controller';
import { CancelMediaProcessingController } from './cancel-media-processing/cancel-media-processing.controller';
import { HealthController } from './health/health.controller';
import { DatabaseMetrics } from './metrics/database.metrics';
import { MeteredCommandBusModule } from './metrics/metered-command-bus';
import { MetricsController } from './metrics/metrics.controller';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { WellKnownController } from './well-known/well-known.controller';
import { mediaPlaneSettingsFromEnv } from './media-plane/media-plane.config';
import { MediaPlaneModule } from './media-plane/media-plane.module';
import { OperationsController } from './operations/operations.controller';
import { CallExpiryHost } from './keep-alive/call-expiry.host';
import { ReceiptPruningHost } from './idempotency/receipt-pruning.host';
import { KeepAliveController } from './keep-alive/keep-alive.controller';
import { PlayPromptController } from './play-prompt/play-prompt.controller';
import { RecordResponseController } from './record-response/record-response.controller';
import type { ServiceConfig } from './service.config';
import { ThrottlingModule, throttlingSettingsFromEnv } from './throttling/throttling.module';
import { SubscribeToToneController } from './subscribe-to-tone/subscribe-to-tone.controller';

@Module({})
export class AppModule {
  /** Built at bootstrap, after configuration is read, so tests can set it first. */
  static forRoot(config: ServiceConfig): DynamicModule {
    const messaging = messagingSettingsFromEnv();
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, validate: validateEnvironment }),
        LoggingModule.forRoot(),
        CqrsModule.forRoot(),
        MeteredCommandBusModule,
        TerminusModule,
        PersistenceModule.forRoot(),
        ApplicationModule,
        MessagingModule.forRoot(messaging),
        AuthModule.forRoot(),
        // After AuthModule: its guard must see the authenticated principal.
        ThrottlingModule.forRoot(throttlingSettingsFromEnv()),
        NotificationSigningModule,
        // With a broker the notifier runs as its own app; without one it runs here, off the outbox.
        ...(messaging.amqpUrl ? [] : [NotificationsModule.forRoot({ inProcess: true })]),
        MediaPlaneModule.forRoot(mediaPlaneSettingsFromEnv(), {
          connectMs: config.simulatedConnectMs,
          promptMs: config.simulatedPromptMs,
        }),
      ],
      providers: [
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        DatabaseMetrics,
        CallbackPolicy,
        CallExpiryHost,
        ReceiptPruningHost,
      ],
      controllers: [
        HealthController,
        MetricsController,
        WellKnownController,
        CallsController,
        PlayPromptController,
        RecordResponseController,
        SubscribeToToneController,
        CancelMediaProcessingController,
        KeepAliveController,
        OperationsController,
      ],
    };
  }
}
