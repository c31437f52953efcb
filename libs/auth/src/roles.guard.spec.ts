import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GraphHttpError } from '@calls/graph';
import { IS_PUBLIC, REQUIRED_ROLES } from './auth.decorators';
import type { Principal } from './principal';
import { RolesGuard } from './roles.guard';

/** A route handler carrying the metadata the decorators would put on it. */
function contextFor(metadata: Record<string, unknown>, user?: Principal): ExecutionContext {
  const handler = () => undefined;
  for (const [key, value] of Object.entries(metadata)) Reflect.defineMetadata(key, value, handler);
  return {
    getHandler: () => handler,
    getClass: () => class Route {},
    switchToHttp: () => ({ getRequest: () => ({ user }) }),
  } as unknown as ExecutionContext;
}

const bot = (roles: string[]): Principal => ({ tenantId: 't', appId: 'a', roles });

describe(RolesGuard.name, () => {
  const sut = new RolesGuard(new Reflector());

  it('lets in a principal holding any one of the roles the route declares', () => {
    const context = contextFor(
      { [REQUIRED_ROLES]: ['Calls.Initiate.All', 'Calls.AccessMedia.All'] },
      bot(['Calls.AccessMedia.All']),
    );
    expect(sut.canActivate(context)).toBe(true);
  });

  it('refuses a principal without them with 403 accessDenied naming the roles', () => {
    const context = contextFor({ [REQUIRED_ROLES]: ['Calls.Initiate.All'] }, bot(['User.Read.All']));
    expect(() => sut.canActivate(context)).toThrow(
      expect.objectContaining({ code: 'accessDenied', message: expect.stringContaining('Calls.Initiate.All') }),
    );
    expect(() => sut.canActivate(context)).toThrow(GraphHttpError);
  });

  it('keeps closed a route that declares no roles, whatever the principal holds', () => {
    expect(() => sut.canActivate(contextFor({}, bot(['Calls.Initiate.All'])))).toThrow(/not open to any permission/);
  });

  it('opens a public route to anyone, even without a principal', () => {
    expect(sut.canActivate(contextFor({ [IS_PUBLIC]: true }))).toBe(true);
  });

  it('refuses a route with roles when authentication left no principal', () => {
    expect(() => sut.canActivate(contextFor({ [REQUIRED_ROLES]: ['Calls.Initiate.All'] }))).toThrow(GraphHttpError);
  });
});
