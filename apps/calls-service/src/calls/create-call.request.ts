import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  Equals,
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
  registerDecorator,
  ValidationOptions,
} from 'class-validator';
import type { CallDescription } from '@calls/domain';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Graph requires an https callbackUri. A loopback http URI passes this check
 * too, so a bot under development on this machine works; CallbackPolicy
 * refuses it in production (where the configuration is known).
 */
function IsCallbackUri(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isCallbackUri',
      target: target.constructor,
      propertyName,
      options: { message: 'callbackUri must be an absolute https URL', ...options },
      validator: {
        validate(value: unknown): boolean {
          if (typeof value !== 'string') return false;
          let url: URL;
          try {
            url = new URL(value);
          } catch {
            return false;
          }
          if (url.protocol === 'https:') return true;
          return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
        },
      },
    });
}

class MediaConfigRequest {
  /** Only service-hosted media: app-hosted media would need the bot to run the media stack itself. */
  @IsIn(['#microsoft.graph.serviceHostedMediaConfig'], {
    message:
      'mediaConfig @odata.type must be #microsoft.graph.serviceHostedMediaConfig (app-hosted media is not supported)',
  })
  '@odata.type': string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  preFetchMedia?: Record<string, unknown>[];
}

/** Graph's create-call body. Identity sets are kept as given and echoed back. */
export class CreateCallRequest {
  @IsOptional()
  @Equals('#microsoft.graph.call')
  '@odata.type'?: string;

  @IsCallbackUri()
  @MaxLength(2048)
  callbackUri: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(8)
  @IsIn(['audio', 'video', 'videoBasedScreenSharing', 'data'], { each: true })
  requestedModalities: string[];

  @IsObject()
  @ValidateNested()
  @Type(() => MediaConfigRequest)
  mediaConfig: MediaConfigRequest;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsObject({ each: true })
  targets?: Record<string, unknown>[];

  @IsOptional()
  @IsObject()
  source?: Record<string, unknown>;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  subject?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  tenantId?: string;

  @IsOptional()
  @IsIn(['outgoing'])
  direction?: string;

  @IsOptional()
  @IsObject()
  callOptions?: Record<string, unknown>;

  @IsOptional()
  @IsObject()
  chatInfo?: Record<string, unknown>;

  @IsOptional()
  @IsObject()
  meetingInfo?: Record<string, unknown>;
}

/** Graph shows the calling application as the source of a call created without one. */
function applicationSource(appId: string): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.participantInfo',
    identity: {
      '@odata.type': '#microsoft.graph.identitySet',
      application: { '@odata.type': '#microsoft.graph.identity', id: appId },
    },
  };
}

/**
 * Every property the body may carry is kept as sent and returned on GET;
 * one the service cannot honour never gets this far (the whitelist refuses
 * it with a 400 that names it), so nothing is accepted and dropped.
 */
export function toCallDescription(body: CreateCallRequest, appId: string): CallDescription {
  return {
    callbackUri: body.callbackUri,
    direction: 'outgoing',
    requestedModalities: body.requestedModalities,
    mediaConfig: { ...body.mediaConfig },
    source: body.source ?? applicationSource(appId),
    targets: body.targets ?? [],
    subject: body.subject ?? null,
    chatInfo: body.chatInfo ?? null,
    meetingInfo: body.meetingInfo ?? null,
    callOptions: body.callOptions ?? null,
  };
}
