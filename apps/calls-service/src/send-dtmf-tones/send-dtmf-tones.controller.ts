import { Body, Controller, Param, Post, Req, Res } from '@nestjs/common';
import { CallsRoute } from '../shared/calls-route.decorator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SendDtmfTonesCommand } from '@calls/application';
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
import { SendDtmfTonesRequest, toDtmfParameters } from './send-dtmf-tones.request';
import { MeteredCommandBus } from '../metrics/metered-command-bus';

@Controller(CALLS_ROUTE_PREFIXES)
export class SendDtmfTonesController {
  constructor(private readonly commands: MeteredCommandBus) {}

  /** https://learn.microsoft.com/en-us/graph/api/call-senddtmftones */
  @Post(callActionPaths('sendDtmfTones'))
  @CallsRoute({
    summary: 'Send DTMF tones toward the caller',
    roles: [Roles.CallsInitiateAll, Roles.CallsAccessMediaAll],
    status: 200,
    schema: COMMS_OPERATION_SCHEMA,
  })
  async sendDtmfTones(
    @CurrentPrincipal() principal: Principal,
    @Param('callId', GuidPipe) callId: string,
    @Body() body: SendDtmfTonesRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Idempotency() idempotency: IdempotencyRequest | undefined,
  ): Promise<Record<string, unknown>> {
    const operation = await this.commands.execute(
      new SendDtmfTonesCommand(
        ownerOf(principal),
        callId,
        toDtmfParameters(body),
        body.clientContext ?? null,
        idempotency,
      ),
    );
    return operationResponse(request, reply, operation);
  }
}
