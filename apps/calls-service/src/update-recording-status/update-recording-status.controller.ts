import { Body, Controller, Param, Post, Req, Res } from '@nestjs/common';
import { CallsRoute } from '../shared/calls-route.decorator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UpdateRecordingStatusCommand } from '@calls/application';
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
import { UpdateRecordingStatusRequest } from './update-recording-status.request';
import { MeteredCommandBus } from '../metrics/metered-command-bus';

@Controller(CALLS_ROUTE_PREFIXES)
export class UpdateRecordingStatusController {
  constructor(private readonly commands: MeteredCommandBus) {}

  /** https://learn.microsoft.com/en-us/graph/api/call-updaterecordingstatus: its roles, and `completed` at once. */
  @Post(callActionPaths('updateRecordingStatus'))
  @CallsRoute({
    summary: "Declare the application's recording status",
    roles: [Roles.CallsJoinGroupCallsAll, Roles.CallsAccessMediaAll],
    status: 200,
    schema: COMMS_OPERATION_SCHEMA,
  })
  async updateRecordingStatus(
    @CurrentPrincipal() principal: Principal,
    @Param('callId', GuidPipe) callId: string,
    @Body() body: UpdateRecordingStatusRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Idempotency() idempotency: IdempotencyRequest | undefined,
  ): Promise<Record<string, unknown>> {
    const operation = await this.commands.execute(
      new UpdateRecordingStatusCommand(
        ownerOf(principal),
        callId,
        body.status,
        body.clientContext ?? null,
        idempotency,
      ),
    );
    return operationResponse(request, reply, operation);
  }
}
