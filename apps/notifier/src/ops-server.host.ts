import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CONFIG } from '@calls/config';
import type { Config } from '@calls/config';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Server } from 'node:http';
import { DataSource } from 'typeorm';
import { NotifierConsumerHost } from './notifier-consumer.host';
import { startOpsServer } from './ops-server';

/** Runs the notifier's health and metrics server for the life of the process (PORT, default 3000). */
@Injectable()
export class OpsServerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: Server | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CONFIG) private readonly config: Config,
    private readonly consumer: NotifierConsumerHost,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.server = await startOpsServer(
      { dataSource: this.dataSource, queueBound: () => this.consumer.queueBound },
      this.config.http.port,
      this.config.http.host,
    );
  }

  get port(): number {
    return (this.server?.address() as { port: number } | null)?.port ?? 0;
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
