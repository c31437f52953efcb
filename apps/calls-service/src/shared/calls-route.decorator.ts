import { applyDecorators, HttpCode } from '@nestjs/common';
import { RequireRoles } from '@calls/auth';
import { GraphRoute } from '@calls/graph';

/**
 * One declaration per route of what it answers and who may call it: the
 * success status, the roles the guard enforces, and the same facts in the
 * OpenAPI document, so the two cannot drift apart.
 */
export function CallsRoute(options: {
  summary: string;
  roles: readonly string[];
  status: number;
  schema?: Record<string, unknown>;
  body?: Record<string, unknown>;
  description?: string;
}) {
  return applyDecorators(HttpCode(options.status), RequireRoles(...options.roles), GraphRoute(options));
}
