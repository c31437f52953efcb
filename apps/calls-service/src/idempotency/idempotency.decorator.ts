import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { IdempotencyRequest } from '@calls/application';
import type { KeyedRequest } from './idempotency.interceptor';

/** The request's Idempotency-Key and fingerprint (IdempotencyInterceptor), or undefined without a key. */
export const Idempotency = createParamDecorator(
  (_data: unknown, context: ExecutionContext): IdempotencyRequest | undefined =>
    context.switchToHttp().getRequest<KeyedRequest>().idempotency,
);
