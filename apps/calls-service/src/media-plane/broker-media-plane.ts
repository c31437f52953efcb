import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ApplyMediaPlaneReportCommand } from '@calls/application';
import { fromMediaReportEvent, MediaReportData } from '@calls/messaging';
import { MESSAGING_SETTINGS, MessagingSettings, RabbitMqConsumer } from '@calls/messaging';
import type { MediaPlaneSettings } from '@calls/config';
import { MeteredCommandBus } from '../metrics/metered-command-bus';

export const MEDIA_PLANE_SETTINGS = Symbol('MEDIA_PLANE_SETTINGS');

/**
 * MEDIA_PLANE=broker: a separate media plane learns what to play from the
 * calls.v1 events the outbox publishes (operation started, processing
 * cancelled ...), and reports progress as media.v1 CloudEvents, which this
 * consumer applies as commands. A late or duplicate report changes nothing.
 */
@Injectable()
export class BrokerMediaPlane implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(BrokerMediaPlane.name);
  private readonly consumer: RabbitMqConsumer<MediaReportData>;

  constructor(
    commands: MeteredCommandBus,
    @Inject(MESSAGING_SETTINGS) messaging: MessagingSettings,
    @Inject(MEDIA_PLANE_SETTINGS) settings: MediaPlaneSettings,
  ) {
    this.consumer = new RabbitMqConsumer<MediaReportData>(
      {
        url: messaging.amqpUrl!,
        exchange: settings.reportsExchange,
        queue: settings.reportsQueue,
        bindingKeys: ['media.v1.#'],
        prefetch: 50,
      },
      async (event) => {
        const data = fromMediaReportEvent(event);
        if (!data) {
          this.logger.warn(`ignoring media event ${event.id} (${event.type}): unknown or malformed`);
          return;
        }
        // media.v1's report and the application's command agree field for field; the compiler holds them together.
        await commands.execute(new ApplyMediaPlaneReportCommand(data.callId, data.report));
      },
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
