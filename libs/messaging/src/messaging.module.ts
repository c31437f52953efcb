import { DynamicModule, Module } from '@nestjs/common';
import { MESSAGING_SETTINGS, MessagingSettings } from './messaging.config';
import { InProcessPublisher } from './outbox/in-process.publisher';
import { AFTER_COMMIT } from '@calls/application';
import { OutboxRelayHost, outboxHold } from './outbox/outbox-relay.host';
import { OUTBOX_HOLD } from './outbox/outbox-publishing';
import { INTEGRATION_EVENT_PUBLISHER } from './outbox/outbox.ports';
import { RabbitMqPublisher } from './rabbitmq/rabbitmq.publisher';

/**
 * Events leaving the process: the outbox relay and its publisher, RabbitMQ
 * when AMQP_URL is set, in-process subscribers otherwise. OUTBOX_SOURCE comes
 * from the global persistence module.
 */
@Module({})
export class MessagingModule {
  static forRoot(settings: MessagingSettings): DynamicModule {
    return {
      // Global: one relay per process, and its in-process publisher visible to the notifier.
      global: true,
      module: MessagingModule,
      providers: [
        { provide: MESSAGING_SETTINGS, useValue: settings },
        { provide: InProcessPublisher, useValue: new InProcessPublisher() },
        {
          provide: INTEGRATION_EVENT_PUBLISHER,
          inject: [InProcessPublisher],
          useFactory: (inProcess: InProcessPublisher) =>
            settings.amqpUrl
              ? new RabbitMqPublisher({
                  url: settings.amqpUrl,
                  exchange: settings.exchange,
                  timeoutMs: settings.brokerTimeoutMs,
                })
              : inProcess,
        },
        // Rows are held for direct publishing only where this process publishes them (outbox-publishing.ts).
        ...(settings.relayEnabled
          ? [
              OutboxRelayHost,
              { provide: AFTER_COMMIT, useExisting: OutboxRelayHost },
              { provide: OUTBOX_HOLD, useValue: outboxHold(settings) },
            ]
          : []),
      ],
      exports: [InProcessPublisher, MESSAGING_SETTINGS, ...(settings.relayEnabled ? [AFTER_COMMIT, OUTBOX_HOLD] : [])],
    };
  }
}
