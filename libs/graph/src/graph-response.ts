import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MediaOperationProps } from '@calls/domain';
import { operationPath, toGraphOperation } from './comms-operation.serializer';

/** The version prefix the client used (`/v1.0`, `/beta` or none), so Location leads back the same way. */
function versionPrefix(request: FastifyRequest): string {
  const match = /^\/(v1\.0|beta)\//.exec(request.url);
  return match ? `/${match[1]}` : '';
}

export function absoluteUrl(request: FastifyRequest, path: string): string {
  return `${request.protocol}://${request.host}${versionPrefix(request)}${path}`;
}

/** Graph's answer to a media action: 200, `Location` of the operation, and the operation. */
export function operationResponse(
  request: FastifyRequest,
  reply: FastifyReply,
  operation: Readonly<MediaOperationProps>,
): Record<string, unknown> {
  void reply.header('Location', absoluteUrl(request, operationPath(operation.callId, operation.id)));
  return toGraphOperation(operation);
}
