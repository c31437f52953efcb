import { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { BackgroundLoop } from '@calls/messaging';

/** A background loop that runs for the life of the app: started once it is up, let finish its round on shutdown. */
export abstract class HostedLoop extends BackgroundLoop implements OnApplicationBootstrap, OnApplicationShutdown {
  onApplicationBootstrap(): void {
    this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }
}
