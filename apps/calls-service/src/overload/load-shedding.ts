import underPressure, { TYPE_EVENT_LOOP_DELAY, TYPE_HEALTH_CHECK } from '@fastify/under-pressure';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LoadSheddingSettings } from '@calls/config';
import { graphErrorBody, requestIdsOf } from '@calls/graph';

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
  const refuse = (reply: FastifyReply, why: string) => {
    const { requestId, clientRequestId } = requestIdsOf(reply);
    const error = {
      status: 503,
      code: 'serviceNotAvailable',
      message: `${why}; retry later.`,
      headers: {},
      unexpected: false,
    };
    void reply.status(503).header('Retry-After', String(settings.retryAfterSeconds)).type('application/json');
    return graphErrorBody(error, requestId, clientRequestId);
  };
  if (settings.maxInFlight > 0) admitAtMost(fastify, settings.maxInFlight, refuse);
  await fastify.register(underPressure, {
    sampleInterval: settings.sampleIntervalMs,
    maxEventLoopDelay: settings.maxEventLoopDelayMs,
    // What the handler returns (other than nothing) under-pressure sends as the answer, and stops there.
    pressureHandler: ((request: FastifyRequest, reply: FastifyReply, type: string, value: number | undefined) => {
      if (EXEMPT.test(request.url)) return undefined; // handled as if nothing happened
      const why =
        type === TYPE_EVENT_LOOP_DELAY
          ? `the service is overloaded (event loop ${Math.round(value ?? 0)} ms late)`
          : type === TYPE_HEALTH_CHECK
            ? 'the service is overloaded (its database is slow to answer)'
            : 'the service is overloaded';
      return refuse(reply, why);
    }) as unknown as (request: FastifyRequest, reply: FastifyReply, type: string, value: number | undefined) => void,
    ...(settings.maxDatabaseWaitMs > 0
      ? { healthCheck: databaseAnswersInTime, healthCheckInterval: settings.sampleIntervalMs }
      : {}),
  });
}

/**
 * Admission control, which under-pressure does not do: at most `limit`
 * requests in flight. Past the pool's size every further request only waits
 * for a database connection, and its latency grows with the queue; refusing
 * it at once keeps accepted requests fast and tells the client to come back.
 */
function admitAtMost(
  fastify: FastifyInstance,
  limit: number,
  refuse: (reply: FastifyReply, why: string) => Record<string, unknown>,
): void {
  let inFlight = 0;
  fastify.addHook('onRequest', (request, reply, done) => {
    if (EXEMPT.test(request.url)) return done();
    if (inFlight >= limit) {
      void reply.send(refuse(reply, `the service is at capacity (${limit} requests in flight)`));
      return;
    }
    inFlight += 1;
    // 'close' follows both a finished answer and a client that went away.
    reply.raw.once('close', () => (inFlight -= 1));
    done();
  });
}
