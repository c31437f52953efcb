import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GraphHttpError } from '@calls/graph';
import { IS_PUBLIC, REQUIRED_ROLES } from './auth.decorators';
import type { Principal } from './principal';

/**
 * Application roles, checked on every request. A route that declares no
 * roles is closed: forgetting @RequireRoles must not open a route.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const anyOf = this.reflector.getAllAndOverride<string[]>(REQUIRED_ROLES, targets) ?? [];
    const principal = context.switchToHttp().getRequest<{ user?: Principal }>().user;
    if (principal && anyOf.some((role) => principal.roles.includes(role))) return true;
    throw new GraphHttpError(
      403,
      'accessDenied',
      anyOf.length
        ? `The application lacks the permission this action needs: one of ${anyOf.join(', ')}.`
        : 'This action is not open to any permission.',
    );
  }
}
