import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RecordResponseCommand } from '@calls/application';
import { CurrentPrincipal, ownerOf, Principal, RequireRoles, Roles } from '@calls/auth';
import { CALLS_ROUTE_PREFIXES, GuidPipe, operationResponse } from '@calls/graph';
import { toMediaPrompts } from '../shared/media-prompt.request';
import { RecordResponseRequest, toRecordParameters } from './record-response.request';

@Controller(CALLS_ROUTE_PREFIXES)
export class RecordResponseController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':callId/recordResponse')
  @HttpCode(200)
  @RequireRoles(Roles.CallsAccessMediaAll)
  async recordResponse(
    @CurrentPrincipal() principal: Principal,
    @Param('callId', GuidPipe) callId: string,
    @Body() body: RecordResponseRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, unknown>> {
    const operation = await this.commands.execute(
      new RecordResponseCommand(
        ownerOf(principal),
        callId,
        toMediaPrompts(body.prompts),
        toRecordParameters(body),
        body.clientContext ?? null,
      ),
    );
    return operationResponse(request, reply, operation);
  }
}
