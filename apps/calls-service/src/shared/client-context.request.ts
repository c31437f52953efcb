import { IsOptional, IsString, MaxLength } from 'class-validator';

/** Graph: a unique client context string, at most 256 characters, echoed on the operation. */
export class ClientContextRequest {
  @IsOptional()
  @IsString()
  @MaxLength(256)
  clientContext?: string;
}
