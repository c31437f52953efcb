import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Principal } from './principal';

export const IS_PUBLIC = 'calls:isPublic';
export const REQUIRED_ROLES = 'calls:requiredRoles';

/** Opens a route to callers without a token (health, key sets). Everything else needs one. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The route needs any one of these application roles. */
export const RequireRoles = (...anyOf: string[]) => SetMetadata(REQUIRED_ROLES, anyOf);

/** The principal the JWT guard authenticated. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal =>
    context.switchToHttp().getRequest<{ user: Principal }>().user,
);
