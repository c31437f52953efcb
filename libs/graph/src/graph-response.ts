import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MediaOperationProps } from '@calls/domain';
import { operationPath, toGraphOperation } from './comms-operation.serializer';

/** The version prefix the client used (`/v1.0`, `/beta` or none), so Location leads back the same way. */
function versionPrefix(request: FastifyRequest): string {
  const match = /^\/(v1\.0|beta)\//.exec(request.url);
  return match ? `/${match[1]}` : '';
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Where clients reach this service: `PUBLIC_BASE_URL`, else the request's own scheme and host. */
    readonly publicBase: string;
  }
}

/**
 * Fixes the base of every absolute URL the service writes (Location, links).
 * Behind a TLS-terminating ingress the request's own scheme and host are the
 * pod's, so an operator sets `publicBaseUrl`; without it, Fastify's
 * `trustProxy` decides whether `X-Forwarded-Proto`/`-Host` count, and
 * without that the request's own host is all there is.
 */
export function registerPublicBase(fastify: FastifyInstance, publicBaseUrl: string | undefined): void {
  const fixed = publicBaseUrl?.replace(/\/+$/, '');
  fastify.decorateRequest('publicBase', {
    getter(this: FastifyRequest) {
      return fixed ?? `${this.protocol}://${this.host}`;
    },
  });
}

/** Whether the client called Graph's beta (`/beta/...`), whose types have properties v1.0's lack. */
export function isBeta(request: FastifyRequest): boolean {
  return request.url.startsWith('/beta/');
}

export function absoluteUrl(request: FastifyRequest, path: string): string {
  return `${request.publicBase}${versionPrefix(request)}${path}`;
}

/**
 * A single resource with the `@odata.context` Graph writes on it (the
 * create-call answer shows `.../$metadata#app/calls/$entity`), under the
 * prefix the client used: `communications/calls/$entity` for a call,
 * `communications/calls('{id}')/operations/$entity` for an operation.
 */
export function withContext(
  request: FastifyRequest,
  entitySet: string,
  body: Record<string, unknown>,
): Record<string, unknown> {
  return { '@odata.context': `${absoluteUrl(request, '/$metadata')}#${entitySet}/$entity`, ...body };
}

/** Graph's answer to a media action: 200, `Location` of the operation, and the operation. */
export function operationResponse(
  request: FastifyRequest,
  reply: FastifyReply,
  operation: Readonly<MediaOperationProps>,
): Record<string, unknown> {
  void reply.header('Location', absoluteUrl(request, operationPath(operation.callId, operation.id)));
  return toGraphOperation(operation, { beta: isBeta(request) });
}

/**
 * Graph's collection of a call's operations: `value`, and `@odata.nextLink`
 * (same `$top`, our opaque `$skiptoken`) while more follow, under the
 * prefix the client used.
 */
export function operationsCollection(
  request: FastifyRequest,
  callId: string,
  page: { readonly operations: readonly Readonly<MediaOperationProps>[]; readonly nextAfter: number | null },
  top: number,
): Record<string, unknown> {
  const path = `/communications/calls/${callId}/operations`;
  return {
    '@odata.context': `${absoluteUrl(request, '/$metadata')}#communications/calls('${callId}')/operations`,
    value: page.operations.map((operation) => toGraphOperation(operation, { beta: isBeta(request) })),
    ...(page.nextAfter === null
      ? {}
      : { '@odata.nextLink': `${absoluteUrl(request, path)}?$top=${top}&$skiptoken=${page.nextAfter}` }),
  };
}
