import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsObject, ValidateNested } from 'class-validator';
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
}
