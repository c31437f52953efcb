import { Type } from 'class-transformer';
import { Equals, IsObject, IsOptional, IsString, IsUrl, MaxLength, ValidateNested } from 'class-validator';
import type { MediaPrompt } from '@calls/domain';

export class MediaInfoRequest {
  @IsOptional()
  @Equals('#microsoft.graph.mediaInfo')
  '@odata.type'?: string;

  @IsUrl({ protocols: ['https'], require_protocol: true, require_tld: false }, { message: 'uri must be an https URL' })
  @MaxLength(2048)
  uri: string;

  @IsOptional()
  @IsString()
  @MaxLength(256)
  resourceId?: string;
}

/** Graph's mediaPrompt: the one prompt type Graph's IVR actions take. */
export class MediaPromptRequest {
  @IsOptional()
  @Equals('#microsoft.graph.mediaPrompt')
  '@odata.type'?: string;

  // Required, and an object: without @IsObject a missing mediaInfo passes @ValidateNested untouched
  // (the TypeScript SDK sends exactly that, see docs/api.md), and the mapping below would throw.
  @IsObject()
  @ValidateNested()
  @Type(() => MediaInfoRequest)
  mediaInfo: MediaInfoRequest;
}

export function toMediaPrompts(prompts: readonly MediaPromptRequest[] | undefined): MediaPrompt[] {
  return (prompts ?? []).map(({ mediaInfo }) =>
    mediaInfo.resourceId === undefined
      ? { uri: mediaInfo.uri }
      : { uri: mediaInfo.uri, resourceId: mediaInfo.resourceId },
  );
}
