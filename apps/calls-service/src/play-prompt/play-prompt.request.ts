import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsObject, IsOptional, ValidateNested } from 'class-validator';
import { ClientContextRequest } from '../shared/client-context.request';
import { MediaPromptRequest } from '../shared/media-prompt.request';

/** Body of playPrompt: 1 to 20 prompts, played in order. */
export class PlayPromptRequest extends ClientContextRequest {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => MediaPromptRequest)
  prompts: MediaPromptRequest[];

  /**
   * Graph beta only: play the prompts until cancelled or the call ends
   * (https://learn.microsoft.com/en-us/graph/api/call-playprompt?view=graph-rest-beta);
   * the controller refuses it outside `/beta`, as v1.0 has no such property.
   */
  @IsOptional()
  @IsBoolean()
  loop?: boolean;
}
