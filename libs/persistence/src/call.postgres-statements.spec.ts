import { Call } from '@calls/domain';
import { TEST_OWNER, TEST_PROMPTS, testCallDescription } from '@calls/domain/testing/call.fixtures';
import { buildSaveStatement, planSave, saveStatement, shapeOf } from './call.postgres-statements';
import type { SavePlan } from './call.postgres-statements';
import { outboxRow, receiptRow } from './call.rows';

/*
 * The save statement's text per kind of decision, held as a snapshot, so a
 * change to any shape's SQL shows in review. saveStatement answers the text
 * first built for a shape (call.postgres-statements.ts): each case checks
 * that two decisions of one shape build the same text fresh, and that the
 * cached answer is that text, so no part of the text escapes shapeOf.
 */

const HOLD = { holdMs: 10_000 };
const at = (second: number) => new Date(Date.UTC(2026, 11, 7, 9, 0, second));

/** A call as loaded from the database: established, stored, nothing pending. */
function storedCall(queued = 0): Call {
  const call = Call.create(TEST_OWNER, testCallDescription(), at(0));
  call.establish(at(1));
  for (let i = 0; i < queued; i++) call.playPrompt(TEST_PROMPTS, `prompt ${i}`, at(2));
  call.markPersisted();
  call.uncommit();
  return call;
}

function planOf(call: Call, keyed = false): SavePlan {
  const props = call.snapshot();
  const events = call.getUncommittedEvents().map((event) => outboxRow(event, props.description.callbackUri, {}));
  const receipt = keyed
    ? receiptRow({
        owner: TEST_OWNER,
        key: `key-${props.id}`,
        fingerprint: 'f'.repeat(64),
        result: { id: props.id },
        createdAt: at(3),
        expiresAt: at(4),
      })
    : undefined;
  return planSave(call, props, events, receipt, HOLD);
}

const DECISIONS: [string, () => SavePlan][] = [
  ['create', () => planOf(Call.create(TEST_OWNER, testCallDescription(), at(0)))],
  ['create with a receipt', () => planOf(Call.create(TEST_OWNER, testCallDescription(), at(0)), true)],
  [
    'enqueue',
    () => {
      const call = storedCall();
      call.playPrompt(TEST_PROMPTS, 'ctx', at(3));
      return planOf(call);
    },
  ],
  [
    'cancel of 1',
    () => {
      const call = storedCall(1);
      call.cancelMediaProcessing('stop', at(3));
      return planOf(call);
    },
  ],
  [
    'cancel of 20',
    () => {
      const call = storedCall(20);
      call.cancelMediaProcessing('stop', at(3));
      return planOf(call);
    },
  ],
  [
    'keepAlive',
    () => {
      const call = storedCall();
      call.keepAlive(at(3));
      return planOf(call);
    },
  ],
  [
    'hang-up',
    () => {
      const call = storedCall(2);
      call.hangUp(at(3));
      return planOf(call);
    },
  ],
];

describe('the PostgreSQL save statement', () => {
  it.each(DECISIONS)('%s: its text is the one held in the snapshot', (_decision, decide) => {
    expect(buildSaveStatement(decide()).sql).toMatchSnapshot();
  });

  it.each(DECISIONS)('%s: one text per shape, and the cache answers it', (_decision, decide) => {
    const first = decide();
    const second = decide();
    expect(shapeOf(second)).toBe(shapeOf(first));
    const fresh = buildSaveStatement(second);
    expect(fresh.sql).toBe(buildSaveStatement(first).sql);
    saveStatement(first);
    expect(saveStatement(second)).toEqual(fresh);
  });

  it('shares one text between a cancel of 1 and a cancel of 20 (the rows are one parameter)', () => {
    const plans = DECISIONS.filter(([decision]) => decision.startsWith('cancel')).map(([, decide]) => decide());
    expect(plans[0].operationChanges).toHaveLength(1);
    expect(plans[1].operationChanges).toHaveLength(20);
    expect(buildSaveStatement(plans[1]).sql).toBe(buildSaveStatement(plans[0]).sql);
    expect(buildSaveStatement(plans[1]).params).toHaveLength(buildSaveStatement(plans[0]).params.length);
  });

  it('tells every decision apart by its shape', () => {
    const shapes = DECISIONS.filter(([decision]) => decision !== 'cancel of 20').map(([, decide]) => shapeOf(decide()));
    expect(new Set(shapes).size).toBe(shapes.length);
  });
});
