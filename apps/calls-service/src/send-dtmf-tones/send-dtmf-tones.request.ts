import { ArrayMaxSize, ArrayMinSize, IsArray, IsDefined, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { GRAPH_TONES } from '@calls/domain';
import type { DtmfParameters, GraphTone } from '@calls/domain';
import { ClientContextRequest } from '../shared/client-context.request';

/**
 * Graph documents neither bounds nor a default for sendDtmfTones
 * (https://learn.microsoft.com/en-us/graph/api/call-senddtmftones); these are
 * this service's: a sequence long enough for any IVR menu or PIN, a pause
 * that still reads as one sequence, and a default gap that keeps two equal
 * digits apart (docs/api.md).
 */
export const DTMF_LIMITS = { maxTones: 64, maxDelayMs: 10_000, defaultDelayMs: 100 } as const;

/** Body of sendDtmfTones: Graph's tone names, the pause between two, and clientContext. */
export class SendDtmfTonesRequest extends ClientContextRequest {
  @IsDefined()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(DTMF_LIMITS.maxTones)
  @IsIn(GRAPH_TONES, { each: true })
  tones: GraphTone[];

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(DTMF_LIMITS.maxDelayMs)
  delayBetweenTonesMs?: number;
}

export function toDtmfParameters(body: SendDtmfTonesRequest): DtmfParameters {
  return { tones: body.tones, delayBetweenTonesMs: body.delayBetweenTonesMs ?? DTMF_LIMITS.defaultDelayMs };
}
