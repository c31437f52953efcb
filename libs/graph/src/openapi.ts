import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse } from '@nestjs/swagger';

/** Graph's error body, as every 4xx and 5xx of the API answers. */
export const GRAPH_ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'innerError'],
      properties: {
        code: { type: 'string', example: 'itemNotFound' },
        message: { type: 'string', example: 'Call not found.' },
        innerError: {
          type: 'object',
          properties: {
            'request-id': { type: 'string', format: 'uuid' },
            'client-request-id': { type: 'string' },
            date: { type: 'string', example: '2026-11-27T10:00:00' },
          },
        },
      },
    },
  },
};

/** A commsOperation subtype as the media actions answer it. */
export const COMMS_OPERATION_SCHEMA = {
  type: 'object',
  required: ['@odata.type', 'id', 'status'],
  properties: {
    '@odata.type': {
      type: 'string',
      enum: [
        '#microsoft.graph.playPromptOperation',
        '#microsoft.graph.recordOperation',
        '#microsoft.graph.subscribeToToneOperation',
        '#microsoft.graph.sendDtmfTonesOperation',
        '#microsoft.graph.updateRecordingStatusOperation',
        '#microsoft.graph.cancelMediaProcessingOperation',
      ],
    },
    id: { type: 'string', format: 'uuid' },
    status: { type: 'string', enum: ['notStarted', 'running', 'completed', 'failed'] },
    clientContext: { type: 'string', nullable: true, maxLength: 256 },
    resultInfo: {
      type: 'object',
      nullable: true,
      properties: { code: { type: 'integer' }, subcode: { type: 'integer' }, message: { type: 'string' } },
    },
    completionReason: {
      type: 'string',
      nullable: true,
      description:
        'recordOperation (recordCompletionReason) and sendDtmfTonesOperation (sendDtmfCompletionReason) only',
    },
    recordingLocation: { type: 'string', nullable: true, description: 'recordOperation only' },
    recordingAccessToken: { type: 'string', nullable: true, description: 'recordOperation only' },
    playedDuration: {
      type: 'string',
      example: 'PT1.25S',
      description:
        'Extension, playPromptOperation and recordOperation once ended: how long the media ran (ISO 8601 duration, as Graph writes Edm.Duration; PT0S if it never started).',
    },
    cancelledOperations: {
      type: 'array',
      description: 'Extension, cancelMediaProcessingOperation only: the operations it ended',
      items: {
        type: 'object',
        properties: {
          '@odata.type': { type: 'string' },
          id: { type: 'string' },
          clientContext: { type: 'string', nullable: true },
          previousStatus: { type: 'string' },
          playedDuration: {
            type: 'string',
            example: 'PT2.5S',
            description:
              'how far it got before it was stopped; absent only for a cancel stored before the service recorded it (unknown, not PT0S)',
          },
        },
      },
    },
    notCancelledOperations: {
      type: 'array',
      description:
        'Extension, a cancel by operationIds only: the named operations that had already ended, with their status',
      items: { type: 'object', properties: { id: { type: 'string' }, status: { type: 'string' } } },
    },
  },
};

/** Graph's collection of a call's operations (`GET .../operations`). */
export const COMMS_OPERATION_COLLECTION_SCHEMA = {
  type: 'object',
  required: ['value'],
  properties: {
    '@odata.context': { type: 'string' },
    value: { type: 'array', items: COMMS_OPERATION_SCHEMA },
    '@odata.nextLink': { type: 'string', format: 'uri', description: 'present when more operations follow' },
  },
};

const ERRORS = [400, 401, 403, 404, 409, 413, 415, 422, 429, 503];

/**
 * The OpenAPI description of a Graph route: summary, the application roles
 * it needs (any of), its success body and Graph's error body for each refusal.
 */
export function GraphRoute(options: {
  summary: string;
  roles: readonly string[];
  status: number;
  schema?: Record<string, unknown>;
  /** A request body schema, where Graph's own body gains this service's extensions. */
  body?: Record<string, unknown>;
  description?: string;
}) {
  return applyDecorators(
    ApiOperation({
      summary: options.summary,
      description: `${options.description ? `${options.description}\n\n` : ''}Application permissions (any of): ${options.roles.join(', ')}.`,
    }),
    ...(options.body ? [ApiBody({ schema: options.body })] : []),
    ApiBearerAuth(),
    ApiResponse({
      status: options.status,
      description: 'Success',
      ...(options.schema ? { schema: options.schema } : {}),
    }),
    ...ERRORS.map((status) => ApiResponse({ status, description: 'Graph error', schema: GRAPH_ERROR_SCHEMA })),
  );
}
