import { Attributes, context, Context, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * W3C trace context as it travels with an event: the CloudEvents
 * distributed-tracing extension's two attributes, stored with an outbox row
 * and read back by subscribers. Empty when tracing is off.
 */
export interface TraceContext {
  traceparent?: string;
  tracestate?: string;
}

// Always W3C, whatever OTEL_PROPAGATORS says for HTTP: the CloudEvents extension is defined in W3C terms.
const w3c = new W3CTraceContextPropagator();
const setter = {
  set: (carrier: TraceContext, key: string, value: string) => {
    if (key === 'traceparent' || key === 'tracestate') carrier[key] = value;
  },
};
const getter = {
  keys: (carrier: TraceContext) => Object.keys(carrier),
  get: (carrier: TraceContext, key: string) =>
    key === 'traceparent' || key === 'tracestate' ? carrier[key] : undefined,
};

const tracer = () => trace.getTracer('calls-service');

/** The trace context of `ctx` (the active one by default); empty when no span is in it. */
export function traceContextOf(ctx: Context = context.active()): TraceContext {
  const carrier: TraceContext = {};
  w3c.inject(ctx, carrier, setter);
  return carrier;
}

/** A context whose parent is the carried trace context; the root context when nothing (valid) is carried. */
export function contextFrom(carrier: TraceContext): Context {
  return w3c.extract(ROOT_CONTEXT, carrier, getter);
}

/**
 * Runs `work` in a new active span whose parent is the carried trace context,
 * so what a subscriber does joins the trace of the request that caused the
 * event. The span records a thrown error, and ends when `work` settles. With
 * tracing off the tracer is a no-op and this costs next to nothing.
 */
export function inSpanFrom<T>(
  carrier: TraceContext,
  name: string,
  kind: SpanKind,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer().startActiveSpan(name, { kind, attributes }, contextFrom(carrier), async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Starts (does not activate) a span under the carried trace context, for work that ends elsewhere. */
export function startSpanFrom(carrier: TraceContext, name: string, kind: SpanKind, attributes: Attributes): Span {
  return tracer().startSpan(name, { kind, attributes }, contextFrom(carrier));
}

/** The trace context a span hands on to what it causes. */
export function traceContextOfSpan(span: Span): TraceContext {
  return traceContextOf(trace.setSpan(ROOT_CONTEXT, span));
}

export { SpanKind, SpanStatusCode };
