import { Controller, Get } from '@nestjs/common';
import { Public } from '@calls/auth';

@Controller('health')
export class HealthController {
  /** The process answers; readiness checks come with the operations work. */
  @Public()
  @Get('live')
  live(): { status: string } {
    return { status: 'ok' };
  }
}
