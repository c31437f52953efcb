import { ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerRequest } from '@nestjs/throttler';
import { IS_PUBLIC } from '@calls/auth';
import type { Principal } from '@calls/auth';
import { GraphHttpError } from '@calls/graph';
import { LoggedRequest, requestLogFields } from '@calls/runtime';

/**
 * Throttling as Graph does it: per application per tenant, across all the
 * calls routes, answering 429 `activityLimitReached` with Retry-After. It runs
 * after the JWT guard (registered after it), so the principal is known.
 * Health and key-set routes are public and never throttled.
 */
@Injectable()
export class GraphThrottlerGuard extends ThrottlerGuard {
  private readonly failures = new Logger(GraphThrottlerGuard.name);

  /** A counter store that fails (Redis down) must not take the API down with it: the request goes through. */
  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    try {
      return await super.handleRequest(request);
    } catch (error) {
      if (error instanceof GraphHttpError) throw error;
      this.failures.warn(
        requestLogFields(request.context.switchToHttp().getRequest<LoggedRequest>(), {
          msg: `throttling skipped, its store failed: ${(error as Error).message}`,
        }),
      );
      return true;
    }
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]) === true;
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const principal = req.user as Principal | undefined;
    return principal ? `${principal.tenantId}/${principal.appId}` : `ip/${String(req.ip)}`;
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `calls-throttle:${name}:${tracker}`;
  }

  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const seconds = Math.max(1, Math.ceil(detail.timeToBlockExpire));
    throw new GraphHttpError(
      429,
      'activityLimitReached',
      `The application exceeded its request limit for this tenant (${detail.limit} per ${detail.ttl / 1000} s). Retry after ${seconds} s.`,
      { 'Retry-After': String(seconds) },
    );
  }
}
