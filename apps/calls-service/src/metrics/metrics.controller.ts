import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '@calls/auth';
import { metricsRegistry } from '@calls/runtime';

/** Prometheus scrape endpoint; public like the probes (the NetworkPolicy decides who reaches the port). */
@Controller('metrics')
export class MetricsController {
  @Public()
  @Get()
  @Header('Content-Type', metricsRegistry.contentType)
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
