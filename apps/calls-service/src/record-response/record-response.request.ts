import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import type { RecordParameters } from '@calls/domain';
import { ClientContextRequest } from '../shared/client-context.request';
import { MediaPromptRequest } from '../shared/media-prompt.request';

const DTMF_TONES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', 'A', 'B', 'C', 'D'];

/** Body of recordResponse, with Graph's defaults for what the client leaves out. */
export class RecordResponseRequest extends ClientContextRequest {
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => MediaPromptRequest)
  prompts?: MediaPromptRequest[];

  @IsOptional()
  @IsBoolean()
  bargeInAllowed?: boolean;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(120)
  initialSilenceTimeoutInSeconds?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(120)
  maxSilenceTimeoutInSeconds?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(120)
  maxRecordDurationInSeconds?: number;

  @IsOptional()
  @IsBoolean()
  playBeep?: boolean;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(16)
  @IsIn(DTMF_TONES, { each: true })
  stopTones?: string[];
}

export function toRecordParameters(body: RecordResponseRequest): RecordParameters {
  return {
    bargeInAllowed: body.bargeInAllowed ?? false,
    initialSilenceTimeoutInSeconds: body.initialSilenceTimeoutInSeconds ?? 5,
    maxSilenceTimeoutInSeconds: body.maxSilenceTimeoutInSeconds ?? 5,
    maxRecordDurationInSeconds: body.maxRecordDurationInSeconds ?? 5,
    playBeep: body.playBeep ?? true,
    // Graph documents no default: `["#", "1", "*"]` is only its page's example, and a default with "1"
    // would end a recording on a caller's menu key.
    stopTones: body.stopTones ?? [],
  };
}
