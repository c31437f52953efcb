import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsUUID } from 'class-validator';
import type { CancelTarget } from '@calls/application';
import { GraphHttpError } from '@calls/graph';
import { ClientContextRequest } from '../shared/client-context.request';

export const CANCEL_SCOPES = ['all', 'current', 'queued'] as const;
export const RECORDING_FATES = ['discard', 'keep'] as const;
/** Enough for any real queue; a longer list is a mistake or an attack. */
const MAX_OPERATION_IDS = 100;

/**
 * Body of cancelMediaProcessing: Graph's `clientContext`, plus extensions
 * Graph clients never send, so Graph's behaviour is unchanged: `scope` (all,
 * the default; current; queued) or `operationIds`, and `recordings`
 * (`discard`, Graph's behaviour and the default, or `keep`).
 */
export class CancelMediaProcessingRequest extends ClientContextRequest {
  @IsOptional()
  @IsIn(CANCEL_SCOPES)
  scope?: (typeof CANCEL_SCOPES)[number];

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_OPERATION_IDS)
  @IsUUID('all', { each: true })
  operationIds?: string[];

  @IsOptional()
  @IsIn(RECORDING_FATES)
  recordings?: (typeof RECORDING_FATES)[number];
}

/** What to end; naming both a scope and operations is ambiguous, so refused. */
export function toCancelTarget(body: CancelMediaProcessingRequest): CancelTarget {
  if (body.operationIds !== undefined && body.scope !== undefined) {
    throw new GraphHttpError(
      400,
      'invalidRequest',
      'scope and operationIds cannot be combined: send one or the other.',
    );
  }
  return body.operationIds ? { operationIds: body.operationIds } : { scope: body.scope ?? 'all' };
}

/** The body as the OpenAPI document shows it, extensions included. */
export const CANCEL_MEDIA_PROCESSING_BODY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    clientContext: { type: 'string', maxLength: 256 },
    scope: {
      type: 'string',
      enum: [...CANCEL_SCOPES],
      default: 'all',
      description:
        "Extension: 'all' (Graph's behaviour) ends the running and every queued playPrompt/recordResponse; 'current' only the running one (the next queued one starts); 'queued' only those not started (the running one plays on). Not with operationIds.",
    },
    operationIds: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_OPERATION_IDS,
      items: { type: 'string', format: 'uuid' },
      description:
        'Extension: end exactly these operations of the call. An id the call does not have is a 400 naming it; one that already ended is listed in notCancelledOperations. Not with scope.',
    },
    recordings: {
      type: 'string',
      enum: [...RECORDING_FATES],
      default: 'discard',
      description:
        "Extension: 'discard' (Graph's behaviour) fails a running recordResponse with 400/8508 and no recording; 'keep' stops it and completes it with completionReason operationCanceled and a downloadable recording of what was captured (its notification follows once the media plane has stored it). Queued recordings are discarded either way.",
    },
  },
};
