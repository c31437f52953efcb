import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { GraphHttpError } from '@calls/graph';
import { IS_PUBLIC } from './auth.decorators';

/**
 * Graph's wording for why a token was refused (InvalidAuthenticationToken,
 * "Access token is empty.", "Access token has expired or is not yet
 * valid.", "Access token validation failure."), followed by a reason a
 * person can act on. The token itself is never repeated.
 */
function refusal(info: unknown): string {
  const name = (info as { name?: string } | undefined)?.name;
  const message = (info as { message?: string } | undefined)?.message ?? '';
  if (name === 'TokenExpiredError') return 'Access token has expired or is not yet valid.';
  if (name === 'NotBeforeError') return 'Access token has expired or is not yet valid.';
  if (message === 'No auth token') return 'Access token is empty.';
  // The dev issuer's and jwks-rsa's words for a kid the identity provider does not publish (jwks-rsa answers no
  // key for an unknown kid, which jsonwebtoken words as a missing key).
  if (
    /signing key not found|unable to find a signing key|names no signing key|secret or public key must be provided/i.test(
      message,
    )
  )
    return "Access token validation failure. It is not signed by a key of the identity provider's key set (its kid is missing or unknown).";
  return `Access token validation failure. ${message || 'Invalid token.'}`.trim();
}

/**
 * What is wrong with the Authorization header itself, if anything: looked at
 * only once a token has been refused, so an accepted one costs nothing more.
 */
function headerProblem(authorization: unknown): string | undefined {
  if (typeof authorization !== 'string' || authorization.trim() === '') return undefined;
  const bearer = /^Bearer +(\S+)$/i.exec(authorization.trim());
  if (!bearer) return "Access token is empty. The Authorization header must be 'Bearer <access token>'.";
  if (!isCompactJwt(bearer[1]))
    return 'Access token validation failure. The token is not a JWT (three base64url parts separated by dots).';
  return undefined;
}

/** A JWT in compact form: three base64url parts, the first a JSON header. */
function isCompactJwt(token: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => /^[A-Za-z0-9_-]*$/.test(part))) return false;
  try {
    return typeof JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) === 'object';
  } catch {
    return false;
  }
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

  override handleRequest<TUser>(error: unknown, user: TUser | false, info: unknown, context: ExecutionContext): TUser {
    if (error) throw error;
    if (!user) {
      const authorization = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>()
        .headers.authorization;
      throw new GraphHttpError(401, 'InvalidAuthenticationToken', headerProblem(authorization) ?? refusal(info));
    }
    return user;
  }
}
