import { Body, Controller, Param, Post, Req, Res } from '@nestjs/common';
import { CallsRoute } from '../shared/calls-route.decorator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RecordResponseCommand } from '@calls/application';
import type { IdempotencyRequest } from '@calls/application';
import { Idempotency } from '../idempotency/idempotency.decorator';
import { CurrentPrincipal, ownerOf, Principal, Roles } from '@calls/auth';
import {
  CALLS_ROUTE_PREFIXES,
  COMMS_OPERATION_SCHEMA,
  GuidPipe,
  operationResponse,
  callActionPaths,
} from '@calls/graph';
import { toMediaPrompts } from '../shared/media-prompt.request';
import { RecordResponseRequest, toRecordParameters } from './record-response.request';
import { MeteredCommandBus } from '../metrics/metered-command-bus';

@Controller(CALLS_ROUTE_PREFIXES)
export class RecordResponseController {
  constructor(private readonly commands: MeteredCommandBus) {}

  @Post(callActionPaths('recordResponse'))
  @CallsRoute({
    summary: 'Queue a recording of what the caller says',
    roles: [Roles.CallsAccessMediaAll],
    status: 200,
    schema: COMMS_OPERATION_SCHEMA,
  })
  async recordResponse(
    @CurrentPrincipal() principal: Principal,
    @Param('callId', GuidPipe) callId: string,
    @Body() body: RecordResponseRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Idempotency() idempotency: IdempotencyRequest | undefined,
  ): Promise<Record<string, unknown>> {
    const operation = await this.commands.execute(
      new RecordResponseCommand(
        ownerOf(principal),
        callId,
        toMediaPrompts(body.prompts),
        toRecordParameters(body),
        body.clientContext ?? null,
        idempotency,
      ),
    );
    return operationResponse(request, reply, operation);
  }
}
