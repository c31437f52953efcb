import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { Observable } from 'rxjs';
import type { Principal } from '@calls/auth';

/** After authentication, every further log line of the request names its tenant and app. */
@Injectable()
export class PrincipalLogInterceptor implements NestInterceptor {
  constructor(private readonly logger: PinoLogger) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const principal = context.switchToHttp().getRequest<{ user?: Principal }>().user;
    if (principal) this.logger.assign({ tenantId: principal.tenantId, appId: principal.appId });
    return next.handle();
  }
}
