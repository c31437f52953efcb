import Fastify, { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { collectProcessMetrics, metricsRegistry } from '@calls/runtime';
import { GraphHttpError, graphErrorBody, toGraphError } from '@calls/graph';
import type { MediaGateway } from '../media-gateway';

/** An SDP is a few kilobytes; this bound leaves room for many codecs and ICE candidates. */
const BODY_LIMIT_BYTES = 64 * 1024;

export interface EdgeApiSettings {
  readonly port: number;
  readonly host?: string;
  readonly edgeToken: string | undefined;
}

const UNAUTHENTICATED = 'InvalidAuthenticationToken';
const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * The gateway's HTTP side: the SIP edge's API (answer, hang up), health and
 * metrics. Plain Fastify rather than a Nest application: three routes with
 * one guard, no modules or injection to organise.
 */
export async function startEdgeApi(gateway: MediaGateway, settings: EdgeApiSettings): Promise<FastifyInstance> {
  const app = Fastify({ bodyLimit: BODY_LIMIT_BYTES, genReqId: () => randomUUID() });
  collectProcessMetrics();
  const expected = settings.edgeToken === undefined ? undefined : digest(`Bearer ${settings.edgeToken}`);

  // Graph's error body for anything thrown or refused, as the service answers (libs/graph).
  const answer = (request: FastifyRequest, reply: FastifyReply, exception: unknown) => {
    const error = toGraphError(exception);
    if (error.unexpected) request.log.error(exception);
    const clientRequestId = String(request.headers['client-request-id'] ?? request.id);
    return reply
      .code(error.status)
      .headers(error.headers)
      .header('request-id', request.id)
      .send(graphErrorBody(error, request.id, clientRequestId));
  };
  const fail = (request: FastifyRequest, reply: FastifyReply, status: number, code: string, message: string) =>
    answer(request, reply, new GraphHttpError(status, code, message));

  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/media/v1/calls')) return;
    const presented = request.headers.authorization;
    if (expected === undefined) {
      return fail(request, reply, 401, UNAUTHENTICATED, 'The edge API is closed: the gateway has no MEDIA_EDGE_TOKEN.');
    }
    if (!presented || !timingSafeEqual(digest(presented), expected)) {
      return fail(
        request,
        reply,
        401,
        UNAUTHENTICATED,
        presented ? 'The edge token is not valid.' : 'No edge token: send Authorization: Bearer <MEDIA_EDGE_TOKEN>.',
      );
    }
  });

  app.setErrorHandler((error, request, reply) => answer(request, reply, error));
  app.setNotFoundHandler((request, reply) =>
    fail(request, reply, 404, 'itemNotFound', `No route ${request.method} ${request.url}.`),
  );

  app.post<{ Params: { callId: string }; Body: unknown }>('/media/v1/calls/:callId/answer', async (request) => {
    const body = request.body as { sdp?: unknown } | null;
    if (!body || typeof body !== 'object' || typeof body.sdp !== 'string' || body.sdp.length === 0) {
      throw new GraphHttpError(400, 'invalidRequest', "sdp is required: the caller's SDP offer, as a string.");
    }
    return { sdp: await gateway.answer(request.params.callId, body.sdp) };
  });

  app.delete<{ Params: { callId: string } }>('/media/v1/calls/:callId', async (request, reply) => {
    await gateway.hangUp(request.params.callId);
    return reply.code(204).send();
  });

  // The bot downloads a recording with its access token (Graph's recordingAccessToken), not the edge's.
  app.get<{ Params: { id: string } }>('/media/v1/recordings/:id', async (request, reply) => {
    const opened = await gateway.recordings.open(request.params.id, request.headers.authorization);
    if (opened === 'gone')
      return fail(request, reply, 404, 'itemNotFound', 'No such recording: it never existed or has expired.');
    if (opened === 'unauthorized') {
      return fail(
        request,
        reply,
        401,
        UNAUTHENTICATED,
        "Send the recording's access token: Authorization: Bearer <recordingAccessToken>.",
      );
    }
    return reply.header('content-type', 'audio/wav').header('cache-control', 'no-store').send(opened);
  });

  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (_request, reply) => {
    if (!gateway.queueBound) return reply.code(503).send({ status: 'error', broker: 'queue not bound yet' });
    try {
      await gateway.engine.request({ command: 'ping' });
    } catch (error) {
      return reply.code(503).send({ status: 'error', rtpengine: (error as Error).message });
    }
    return { status: 'ok', broker: 'queue bound', rtpengine: 'up', ...gateway.counts };
  });
  app.get('/metrics', async (_request, reply) =>
    reply.header('content-type', metricsRegistry.contentType).send(await metricsRegistry.metrics()),
  );

  await app.listen({ port: settings.port, host: settings.host ?? '0.0.0.0' });
  return app;
}
