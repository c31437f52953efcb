import underPressure, { TYPE_EVENT_LOOP_DELAY, TYPE_HEALTH_CHECK } from '@fastify/under-pressure';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LoadSheddingSettings } from '@calls/config';
import { graphErrorBody, requestIdsOf } from '@calls/graph';
import { admissionRefusals } from '@calls/runtime';
import type { Admission } from './admission';
import type { CallTurns } from './call-turns';
import { admissionClassOf, lineOf } from './admission.guard';

/** Process endpoints answer under any load: a liveness probe that timed out would restart a busy pod. */
const EXEMPT = /^\/(health\/|metrics$|\.well-known\/)/;

/**
 * Sheds load instead of drowning: while the event loop runs late, or a
 * database connection (with a `SELECT 1`) takes longer than its bound, new
 * requests get a fast 503 `serviceNotAvailable` with `Retry-After`, before
 * any authentication or database work; requests already accepted go on and
 * complete. Measured by @fastify/under-pressure, which samples in the
 * background, so the check per request is a comparison.
 *
 * The database probe waits in the same pool queue as requests do, so its
 * time is the wait a new request would have. A probe that fails outright is
 * not load: that is the outage path's 503 (and /health/ready's), not this one.
 */
export async function registerLoadShedding(
  fastify: FastifyInstance,
  settings: LoadSheddingSettings,
  probeDatabase: () => Promise<unknown>,
  door: { admission: Admission | null; turns: CallTurns | null } = { admission: null, turns: null },
): Promise<void> {
  const databaseAnswersInTime = async (): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), settings.maxDatabaseWaitMs);
    });
    const answered = probeDatabase().then(
      () => true,
      () => true,
    );
    try {
      return await Promise.race([answered, late]);
    } finally {
      clearTimeout(timer);
    }
  };
  const refuse = (reply: FastifyReply, why: string, status: 503 | 429 = 503) => {
    const { requestId, clientRequestId } = requestIdsOf(reply);
    const error = {
      status,
      code: status === 503 ? 'serviceNotAvailable' : 'activityLimitReached',
      message: status === 503 ? `${why}; retry later.` : why,
      headers: {},
      unexpected: false,
    };
    void reply.status(status).header('Retry-After', String(settings.retryAfterSeconds)).type('application/json');
    return graphErrorBody(error, requestId, clientRequestId);
  };
  if (door.admission || door.turns) refuseWhileFull(fastify, door.admission, door.turns, refuse);
  await fastify.register(underPressure, {
    sampleInterval: settings.sampleIntervalMs,
    maxEventLoopDelay: settings.maxEventLoopDelayMs,
    // What the handler returns (other than nothing) under-pressure sends as the answer, and stops there.
    pressureHandler: ((request: FastifyRequest, reply: FastifyReply, type: string, value: number | undefined) => {
      if (EXEMPT.test(request.url)) return undefined; // handled as if nothing happened
      const why = pressureReason(type, value);
      return why === undefined ? undefined : refuse(reply, why);
    }) as unknown as (request: FastifyRequest, reply: FastifyReply, type: string, value: number | undefined) => void,
    ...(settings.maxDatabaseWaitMs > 0
      ? { healthCheck: databaseAnswersInTime, healthCheckInterval: settings.sampleIntervalMs }
      : {}),
  });
}

/**
 * Why a pressure under-pressure reports sheds a request, or nothing when it
 * should not. under-pressure reads a window with no sample as an event loop
 * Infinity ms late (its issue 125): the process was not scheduled (a CPU
 * limit, a busy node, a start-up), which says nothing of the load. The
 * door's queueing delay (admission.ts) judges that; refusing everything
 * for a window would not.
 */
export function pressureReason(type: string, value: number | undefined): string | undefined {
  if (type === TYPE_EVENT_LOOP_DELAY) {
    return Number.isFinite(value) ? `the service is overloaded (event loop ${Math.round(value!)} ms late)` : undefined;
  }
  return type === TYPE_HEALTH_CHECK
    ? 'the service is overloaded (its database is slow to answer)'
    : 'the service is overloaded';
}

/**
 * While the door's queue is full (admission.ts), or a call's line is
 * (call-turns.ts), a request that could neither take a place nor wait is
 * refused as it arrives: before its body is parsed, its token checked or
 * Nest runs, so that refusing the excess costs a fraction of serving it
 * (clients that do not back off send the next one at once). The guard
 * (admission.guard.ts) decides everything else after throttling.
 */
function refuseWhileFull(
  fastify: FastifyInstance,
  admission: Admission | null,
  turns: CallTurns | null,
  refuse: (reply: FastifyReply, why: string, status?: 503 | 429) => Record<string, unknown>,
): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (EXEMPT.test(request.url)) return done();
    const cls = admissionClassOf(request);
    const callId = lineOf(request);
    const lineFull = callId && turns ? turns.refuseIfFull(callId) : undefined;
    if (lineFull) {
      admissionRefusals.inc({ class: cls, reason: lineFull.reason });
      void reply.send(refuse(reply, lineFull.refused, 429));
      return;
    }
    const refusal = admission?.refuseIfFull(cls);
    if (!refusal) return done();
    admissionRefusals.inc({ class: cls, reason: refusal.reason });
    void reply.send(refuse(reply, refusal.refused));
  });
}
