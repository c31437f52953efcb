import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { contextFrom, inSpanFrom, SpanKind, startSpanFrom, traceContextOf, traceContextOfSpan } from './trace-context';

const PARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('trace context of events', () => {
  describe('with tracing off (no SDK registered)', () => {
    it('has nothing to hand on outside a trace', () => {
      expect(traceContextOf()).toEqual({});
    });

    it('passes a carried context through unchanged, so a traced request is not cut off by an untraced relay', () => {
      const span = startSpanFrom({ traceparent: PARENT, tracestate: 'a=1' }, 'publish', SpanKind.PRODUCER, {});
      expect(traceContextOfSpan(span)).toEqual({ traceparent: PARENT, tracestate: 'a=1' });
    });

    it('hands on at most 512 characters of tracestate, what the outbox column holds', () => {
      const members = Array.from({ length: 30 }, (_, i) => `vendor${i}=${'v'.repeat(40)}`).join(',');
      const handedOn = traceContextOf(contextFrom({ traceparent: PARENT, tracestate: members }));
      expect(members.length).toBeGreaterThan(1000);
      expect(handedOn.traceparent).toBe(PARENT);
      expect(handedOn.tracestate!.length).toBeLessThanOrEqual(512);
      expect(handedOn.tracestate).toMatch(/^vendor0=v+/);
    });

    it('ignores a malformed traceparent instead of failing the message', () => {
      expect(trace.getSpanContext(contextFrom({ traceparent: 'not-a-traceparent' }))).toBeUndefined();
    });
  });

  describe('with tracing on', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

    beforeAll(() => provider.register());
    afterAll(async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
    });
    beforeEach(() => exporter.reset());

    it('runs the work in a child span of the carried context, active for whatever the work causes', async () => {
      const handedOn = await inSpanFrom({ traceparent: PARENT }, 'process x', SpanKind.CONSUMER, { k: 'v' }, async () =>
        traceContextOf(),
      );
      const [span] = exporter.getFinishedSpans();
      expect(span.name).toBe('process x');
      expect(span.kind).toBe(SpanKind.CONSUMER);
      expect(span.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
      expect(span.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
      expect(span.attributes).toEqual({ k: 'v' });
      expect(handedOn.traceparent).toBe(`00-0af7651916cd43dd8448eb211c80319c-${span.spanContext().spanId}-01`);
    });

    it('records a failure on the span and still throws it', async () => {
      await expect(
        inSpanFrom({}, 'failing', SpanKind.INTERNAL, {}, async () => {
          throw new Error('broken');
        }),
      ).rejects.toThrow('broken');
      const [span] = exporter.getFinishedSpans();
      expect(span.status).toEqual({ code: 2, message: 'broken' });
      expect(span.events.map((event) => event.name)).toEqual(['exception']);
      expect(span.parentSpanContext).toBeUndefined();
    });
  });
});
