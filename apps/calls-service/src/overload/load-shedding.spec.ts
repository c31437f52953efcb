import { TYPE_EVENT_LOOP_DELAY, TYPE_HEALTH_CHECK } from '@fastify/under-pressure';
import { pressureReason } from './load-shedding';

describe('pressureReason', () => {
  it('sheds on an event loop measured late, naming by how much', () => {
    expect(pressureReason(TYPE_EVENT_LOOP_DELAY, 312.4)).toBe('the service is overloaded (event loop 312 ms late)');
  });

  it('does not shed on a window with no sample, which under-pressure reports as Infinity', () => {
    expect(pressureReason(TYPE_EVENT_LOOP_DELAY, Infinity)).toBeUndefined();
    expect(pressureReason(TYPE_EVENT_LOOP_DELAY, NaN)).toBeUndefined();
  });

  it('sheds on a slow database probe', () => {
    expect(pressureReason(TYPE_HEALTH_CHECK, undefined)).toBe(
      'the service is overloaded (its database is slow to answer)',
    );
  });
});
