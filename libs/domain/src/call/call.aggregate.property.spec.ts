import fc from 'fast-check';
import { CallNotFoundError } from '../errors/domain.errors';
import { TEST_OWNER, TEST_PROMPTS, testCallDescription } from '../testing/call.fixtures';
import { Call } from './call.aggregate';
import { MediaOperationEnded } from './call.events';
import type { MediaOperation, RecordParameters } from './media-operation';

const record: RecordParameters = {
  bargeInAllowed: false,
  initialSilenceTimeoutInSeconds: 5,
  maxSilenceTimeoutInSeconds: 5,
  maxRecordDurationInSeconds: 5,
  playBeep: true,
  stopTones: ['#'],
};

type Step =
  | { kind: 'establish' }
  | { kind: 'playPrompt' }
  | { kind: 'recordResponse' }
  | { kind: 'subscribeToTone' }
  | { kind: 'cancel' }
  | { kind: 'hangUp' }
  | { kind: 'completed'; pick: number }
  | { kind: 'failed'; pick: number }
  | { kind: 'tone' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant<Step>({ kind: 'establish' }),
  fc.constant<Step>({ kind: 'playPrompt' }),
  fc.constant<Step>({ kind: 'recordResponse' }),
  fc.constant<Step>({ kind: 'subscribeToTone' }),
  fc.constant<Step>({ kind: 'cancel' }),
  fc.constant<Step>({ kind: 'hangUp' }),
  fc.constant<Step>({ kind: 'tone' }),
  fc.nat(30).map((pick): Step => ({ kind: 'completed', pick })),
  fc.nat(30).map((pick): Step => ({ kind: 'failed', pick })),
);

/** Any sequence of commands and media reports keeps the queue's rules. */
describe(`${Call.name} (properties)`, () => {
  it('keeps at most one operation running, the queue in order, and every ended operation ended once for good', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const call = Call.create(TEST_OWNER, testCallDescription(), new Date());
        const all: MediaOperation[] = [];
        const ended = new Map<string, string>();
        for (const s of steps) {
          const now = new Date();
          try {
            switch (s.kind) {
              case 'establish':
                call.establish(now);
                break;
              case 'playPrompt':
                all.push(call.playPrompt(TEST_PROMPTS, null, now));
                break;
              case 'recordResponse':
                all.push(call.recordResponse(TEST_PROMPTS, record, null, now));
                break;
              case 'subscribeToTone':
                all.push(call.subscribeToTone(null, now));
                break;
              case 'cancel':
                all.push(call.cancelMediaProcessing(null, now));
                expect(call.queue()).toHaveLength(0);
                break;
              case 'hangUp':
                call.hangUp(now);
                break;
              case 'completed':
                if (all.length) call.reportCompleted(all[s.pick % all.length].id, now);
                break;
              case 'failed':
                if (all.length)
                  call.reportFailed(all[s.pick % all.length].id, { code: 500, subcode: 0, message: 'x' }, now);
                break;
              case 'tone':
                call.receiveTone('1', now);
                break;
            }
          } catch (error) {
            // Only a terminated call refuses commands.
            expect(error).toBeInstanceOf(CallNotFoundError);
            expect(call.state).toBe('terminated');
          }

          const queue = call.queue();
          expect(queue.filter((op) => op.status === 'running').length).toBeLessThanOrEqual(1);
          expect(queue.map((op) => op.sequence)).toEqual([...queue.map((op) => op.sequence)].sort((a, b) => a - b));
          if (queue.length > 0 && call.state === 'established') expect(queue[0].status).toBe('running');
          expect(queue.slice(1).every((op) => op.status === 'notStarted')).toBe(true);
          if (call.state === 'terminated') expect(queue).toHaveLength(0);
          for (const op of all) {
            const was = ended.get(op.id);
            const now = op.isTerminal ? JSON.stringify(op.snapshot().resultInfo) + op.status : undefined;
            if (was !== undefined) expect(now).toBe(was); // a terminal operation never changes again
            if (now !== undefined) ended.set(op.id, now);
          }
        }
        const endedEvents = call
          .getUncommittedEvents()
          .filter((e): e is MediaOperationEnded => e instanceof MediaOperationEnded)
          .map((e) => e.operation.id);
        expect(new Set(endedEvents).size).toBe(endedEvents.length); // each operation ends once
        expect(endedEvents.length).toBe(
          all.filter((op) => op.isTerminal && op.kind !== 'cancelMediaProcessing').length,
        );
      }),
      { numRuns: 500 },
    );
  });
});
