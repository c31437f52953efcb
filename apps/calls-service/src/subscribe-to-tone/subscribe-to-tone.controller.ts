import { Body, Controller, Param, Post, Req, Res } from '@nestjs/common';
import { CallsRoute } from '../shared/calls-route.decorator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SubscribeToToneCommand } from '@calls/application';
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
import { SubscribeToToneRequest } from './subscribe-to-tone.request';
import { MeteredCommandBus } from '../metrics/metered-command-bus';

@Controller(CALLS_ROUTE_PREFIXES)
export class SubscribeToToneController {
  constructor(private readonly commands: MeteredCommandBus) {}

  @Post(callActionPaths('subscribeToTone'))
  @CallsRoute({
    summary: 'Subscribe to DTMF tones',
    roles: [Roles.CallsAccessMediaAll],
    status: 200,
    schema: COMMS_OPERATION_SCHEMA,
  })
  async subscribeToTone(
    @CurrentPrincipal() principal: Principal,
    @Param('callId', GuidPipe) callId: string,
    @Body() body: SubscribeToToneRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Idempotency() idempotency: IdempotencyRequest | undefined,
  ): Promise<Record<string, unknown>> {
    const operation = await this.commands.execute(
      new SubscribeToToneCommand(ownerOf(principal), callId, body.clientContext ?? null, idempotency),
    );
    return operationResponse(request, reply, operation);
  }
}
