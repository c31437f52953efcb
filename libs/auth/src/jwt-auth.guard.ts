import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { GraphHttpError } from '@calls/graph';
import { IS_PUBLIC } from './auth.decorators';

/** Graph-like wording for why a token was refused; the token itself is never repeated. */
function refusal(info: unknown): string {
  const name = (info as { name?: string } | undefined)?.name;
  const message = (info as { message?: string } | undefined)?.message ?? '';
  if (name === 'TokenExpiredError') return 'Access token has expired or is not yet valid.';
  if (name === 'NotBeforeError') return 'Access token has expired or is not yet valid.';
  if (message === 'No auth token') return 'Access token is empty.';
  return `Access token validation failure. ${message || 'Invalid token.'}`.trim();
}

/** Entra access tokens are a few KB; 8 KB leaves room for many roles. */
const MAX_AUTHORIZATION_LENGTH = 8192;

/** Deny by default: every route needs a valid token unless marked @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    // Refused before any parsing: no identity provider issues tokens this large.
    const authorization = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>()
      .headers.authorization;
    if (typeof authorization === 'string' && authorization.length > MAX_AUTHORIZATION_LENGTH) {
      throw new GraphHttpError(401, 'InvalidAuthenticationToken', 'Access token is too large.');
    }
    return super.canActivate(context);
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false, info: unknown): TUser {
    if (error) throw error;
    if (!user) throw new GraphHttpError(401, 'InvalidAuthenticationToken', refusal(info));
    return user;
  }
}
