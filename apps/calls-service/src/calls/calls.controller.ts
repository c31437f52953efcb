import { Body, Controller, Delete, Get, Param, Post, Req, Res } from '@nestjs/common';
import { AdmitFirst } from '../overload/admission.guard';
import { CallsRoute } from '../shared/calls-route.decorator';
import { QueryBus } from '@nestjs/cqrs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CreateCallCommand, GetCallQuery, HangUpCommand } from '@calls/application';
import type { IdempotencyRequest } from '@calls/application';
import { Idempotency } from '../idempotency/idempotency.decorator';
import { CurrentPrincipal, ownerOf, Principal, Roles } from '@calls/auth';
import { CALLS_ROUTE_PREFIXES, GraphHttpError, GuidPipe, absoluteUrl, toGraphCall, withContext } from '@calls/graph';
import { CallbackPolicy } from './callback.policy';
import { CreateCallRequest, toCallDescription } from './create-call.request';
import { MeteredCommandBus } from '../metrics/metered-command-bus';

@Controller(CALLS_ROUTE_PREFIXES)
export class CallsController {
  constructor(
    private readonly commands: MeteredCommandBus,
    private readonly queries: QueryBus,
    private readonly callbacks: CallbackPolicy,
  ) {}

  @Post()
  @CallsRoute({ summary: 'Create a call', roles: [Roles.CallsInitiateAll], status: 201 })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateCallRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Idempotency() idempotency: IdempotencyRequest | undefined,
  ): Promise<Record<string, unknown>> {
    // A call is created in the caller's own tenant; naming another one is a mistake worth saying.
    if (body.tenantId !== undefined && body.tenantId !== principal.tenantId) {
      throw new GraphHttpError(400, 'invalidRequest', "tenantId must be the tenant of the caller's token.");
    }
    await this.callbacks.assertAllowed(body.callbackUri);
    const call = await this.commands.execute(
      new CreateCallCommand(ownerOf(principal), toCallDescription(body, principal.appId), idempotency),
    );
    void reply.header('Location', absoluteUrl(request, `/communications/calls/${call.id}`));
    return withContext(request, 'communications/calls', toGraphCall(call));
  }

  /** In production a bot's callback must not reach into our own network (SSRF); checked again at delivery. */
  @Get(':callId')
  @CallsRoute({ summary: 'Get a call', roles: [Roles.CallsInitiateAll, Roles.CallsAccessMediaAll], status: 200 })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('callId', GuidPipe) callId: string,
    @Req() request: FastifyRequest,
  ): Promise<Record<string, unknown>> {
    const call = await this.queries.execute(new GetCallQuery(ownerOf(principal), callId));
    return withContext(request, 'communications/calls', toGraphCall(call));
  }

  /** Graph: hang up. Every queued or running operation ends failed; later actions get 404 (Call not found). */
  @Delete(':callId')
  @AdmitFirst() // ends the call's media and frees its resources: shed last
  @CallsRoute({ summary: 'Hang up', roles: [Roles.CallsInitiateAll, Roles.CallsAccessMediaAll], status: 204 })
  async hangUp(@CurrentPrincipal() principal: Principal, @Param('callId', GuidPipe) callId: string): Promise<void> {
    await this.commands.execute(new HangUpCommand(ownerOf(principal), callId));
  }
}
