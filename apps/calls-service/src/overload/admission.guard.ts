import { CanActivate, ExecutionContext, Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IS_PUBLIC } from '@calls/auth';
import { GraphHttpError } from '@calls/graph';
import { admissionRefusals } from '@calls/runtime';
import { Admission, isRefusal } from './admission';
import type { AdmissionClass, Refusal, Ticket } from './admission';
import { CallTurns } from './call-turns';

/**
 * The route stops media or ends a call: admitted first under overload, and
 * shed last. Kept in the Fastify route's config, so that the check on
 * arrival (load-shedding.ts) reads it before Nest runs.
 */
export const AdmitFirst = () => RouteConfig({ admitFirst: true });

/** The class of the request's route. */
export function admissionClassOf(request: FastifyRequest): AdmissionClass {
  return (request.routeOptions.config as { admitFirst?: boolean }).admitFirst === true ? 'critical' : 'normal';
}

/** The call whose line a request waits in: any command on a call (every method but GET). */
export function lineOf(request: FastifyRequest): string | undefined {
  return request.method === 'GET' ? undefined : (request.params as { callId?: string } | undefined)?.callId;
}

export const ADMISSION = Symbol('ADMISSION');
export const CALL_TURNS = Symbol('CALL_TURNS');

/** What a refused request is told to wait (s): Graph's SDKs wait this long before their retry. */
const RETRY_AFTER_SECONDS = '1';

/** What a request holds at the door, and whether its client has gone. */
interface Held {
  closed: boolean;
  turn?: Ticket;
  place?: Ticket;
}

/**
 * The door of every authenticated route, after authentication and
 * throttling (registered after both): an app over its own limit has had
 * its 429 by now and takes no place here. A command on a call first waits
 * for the call's turn (call-turns.ts), holding nothing; then every request
 * takes a place in flight (admission.ts). Both are given back when the
 * answer has gone or the client has gone. A refusal is thrown before any
 * database work.
 */
@Injectable()
export class AdmissionGuard implements CanActivate, OnApplicationShutdown {
  constructor(
    private readonly reflector: Reflector,
    @Inject(ADMISSION) private readonly admission: Admission | null,
    @Inject(CALL_TURNS) private readonly turns: CallTurns | null,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (!this.admission && !this.turns) return true;
    const handler = context.getHandler();
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [handler, context.getClass()])) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const cls = admissionClassOf(request);
    const arrivedAt = Date.now() - reply.elapsedTime;
    const held = this.holder(reply);
    const callId = lineOf(request);
    const turn = callId && this.turns ? this.turns.take(callId, cls) : undefined;
    if (turn instanceof Promise) return turn.then((ticket) => this.enter(held, ticket, cls, arrivedAt));
    if (turn && isRefusal(turn)) throw this.refusal(429, 'activityLimitReached', turn, cls);
    return this.enter(held, turn, cls, arrivedAt);
  }

  onApplicationShutdown(): void {
    this.admission?.close();
  }

  /**
   * What the request holds, given back once the answer has gone or the
   * client has ('close' follows both). Listened to from the start: a client
   * that leaves while its request waits in a line must not keep the place it
   * is given later.
   */
  private holder(reply: FastifyReply): Held {
    const held: Held = { closed: false };
    reply.raw.once('close', () => {
      held.closed = true;
      held.place?.release();
      held.turn?.release();
    });
    return held;
  }

  private enter(
    held: Held,
    turn: Ticket | undefined,
    cls: AdmissionClass,
    arrivedAt: number,
  ): boolean | Promise<boolean> {
    held.turn = turn;
    if (held.closed) return this.abandon(held);
    if (!this.admission) return true;
    const place = this.admission.acquire(cls, arrivedAt);
    const decide = (outcome: Ticket | Refusal): boolean => {
      if (isRefusal(outcome)) {
        turn?.release();
        throw this.refusal(503, 'serviceNotAvailable', outcome, cls);
      }
      held.place = outcome;
      return held.closed ? this.abandon(held) : true;
    };
    return place instanceof Promise ? place.then(decide) : decide(place);
  }

  /** The client left while the request waited: what it was given goes back, and the handler does not run. */
  private abandon(held: Held): never {
    held.place?.release();
    held.turn?.release();
    throw new GraphHttpError(
      503,
      'serviceNotAvailable',
      'The client closed the connection before the request started.',
    );
  }

  private refusal(status: number, code: string, refusal: Refusal, cls: AdmissionClass): GraphHttpError {
    admissionRefusals.inc({ class: cls, reason: refusal.reason });
    const message = status === 503 ? `${refusal.refused}; retry later.` : refusal.refused;
    return new GraphHttpError(status, code, message, { 'Retry-After': RETRY_AFTER_SECONDS });
  }
}
