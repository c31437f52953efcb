import { Body, Controller, Param, Post, Req, Res } from '@nestjs/common';
import { CallsRoute } from '../shared/calls-route.decorator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PlayPromptCommand } from '@calls/application';
import type { IdempotencyRequest } from '@calls/application';
import { Idempotency } from '../idempotency/idempotency.decorator';
import { CurrentPrincipal, ownerOf, Principal, Roles } from '@calls/auth';
import {
  CALLS_ROUTE_PREFIXES,
  COMMS_OPERATION_SCHEMA,
  GuidPipe,
  operationResponse,
  callActionPaths,
  GraphHttpError,
  isBeta,
} from '@calls/graph';
import { toMediaPrompts } from '../shared/media-prompt.request';
import { PlayPromptRequest } from './play-prompt.request';
import { MeteredCommandBus } from '../metrics/metered-command-bus';

@Controller(CALLS_ROUTE_PREFIXES)
export class PlayPromptController {
  constructor(private readonly commands: MeteredCommandBus) {}

  @Post(callActionPaths('playPrompt'))
  @CallsRoute({
    summary: 'Queue prompts to play',
    roles: [Roles.CallsInitiateAll, Roles.CallsAccessMediaAll],
    status: 200,
    schema: COMMS_OPERATION_SCHEMA,
  })
  async playPrompt(
    @CurrentPrincipal() principal: Principal,
    @Param('callId', GuidPipe) callId: string,
    @Body() body: PlayPromptRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Idempotency() idempotency: IdempotencyRequest | undefined,
  ): Promise<Record<string, unknown>> {
    // v1.0's playPrompt has no `loop`: refused there as any unknown property is.
    if (body.loop !== undefined && !isBeta(request)) {
      throw new GraphHttpError(
        400,
        'invalidRequest',
        'property loop should not exist (it is a Graph beta property: use /beta)',
      );
    }
    const operation = await this.commands.execute(
      new PlayPromptCommand(
        ownerOf(principal),
        callId,
        toMediaPrompts(body.prompts),
        body.clientContext ?? null,
        idempotency,
        body.loop ?? false,
      ),
    );
    return operationResponse(request, reply, operation);
  }
}
