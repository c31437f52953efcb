import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PlayPromptCommand } from '@calls/application';
import { CurrentPrincipal, ownerOf, Principal, RequireRoles, Roles } from '@calls/auth';
import { CALLS_ROUTE_PREFIXES, GuidPipe, operationResponse } from '@calls/graph';
import { toMediaPrompts } from '../shared/media-prompt.request';
import { PlayPromptRequest } from './play-prompt.request';

@Controller(CALLS_ROUTE_PREFIXES)
export class PlayPromptController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':callId/playPrompt')
  @HttpCode(200)
  @RequireRoles(Roles.CallsInitiateAll, Roles.CallsAccessMediaAll)
  async playPrompt(
    @CurrentPrincipal() principal: Principal,
    @Param('callId', GuidPipe) callId: string,
    @Body() body: PlayPromptRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, unknown>> {
    const operation = await this.commands.execute(
      new PlayPromptCommand(ownerOf(principal), callId, toMediaPrompts(body.prompts), body.clientContext ?? null),
    );
    return operationResponse(request, reply, operation);
  }
}
