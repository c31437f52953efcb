import { ArrayMaxSize, ArrayMinSize, IsArray, IsDefined, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { GRAPH_TONES } from '@calls/domain';
import type { DtmfParameters, GraphTone } from '@calls/domain';
import { ClientContextRequest } from '../shared/client-context.request';

/**
 * Graph documents neither bounds nor a default for sendDtmfTones
 * (https://learn.microsoft.com/en-us/graph/api/call-senddtmftones); these are
 * this service's: a sequence long enough for any IVR menu or PIN, and the
 * pauses the media gateway's engine can send: rtpengine's `play DTMF` takes
 * a pause of 100 to 5000 ms, 100 by default (its ng protocol reference,
 * "play DTMF"). A pause it cannot send is refused here rather than sent
 * differently from what the bot asked.
 */
export const DTMF_LIMITS = { maxTones: 64, minDelayMs: 100, maxDelayMs: 5000, defaultDelayMs: 100 } as const;

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
  @Min(DTMF_LIMITS.minDelayMs)
  @Max(DTMF_LIMITS.maxDelayMs)
  delayBetweenTonesMs?: number;
}

export function toDtmfParameters(body: SendDtmfTonesRequest): DtmfParameters {
  return { tones: body.tones, delayBetweenTonesMs: body.delayBetweenTonesMs ?? DTMF_LIMITS.defaultDelayMs };
}
