import type { RtpPacket } from '../legs/media-leg';
import { TelephoneEvents } from './telephone-events';

const event = (key: number, timestamp: number, end = false, payloadType = 101): RtpPacket => ({
  payloadType,
  marker: false,
  sequence: 0,
  timestamp,
  payload: Buffer.from([key, end ? 0x8a : 0x0a, 0, 160]),
});

/** A key press as a phone sends it: updates every 20 ms, then the end packet three times. */
const press = (key: number, timestamp: number) => [
  event(key, timestamp),
  event(key, timestamp),
  event(key, timestamp),
  event(key, timestamp, true),
  event(key, timestamp, true),
  event(key, timestamp, true),
];

describe('TelephoneEvents', () => {
  const heard = (packets: RtpPacket[], payloadType = 101) => {
    const keys: string[] = [];
    const events = new TelephoneEvents(payloadType, (key) => keys.push(key));
    for (const packet of packets) events.receive(packet);
    return keys;
  };

  it('reports each key press once, however many packets and end repeats it has', () => {
    expect(heard([...press(5, 1000), ...press(11, 2600), ...press(5, 4200)])).toEqual(['5', '#', '5']);
  });

  it('reports a press whose first packets were lost, by its end packets', () => {
    expect(heard([event(1, 1000, true), event(1, 1000, true)])).toEqual(['1']);
  });

  it('names every DTMF key, and ignores other events, other payload types and short packets', () => {
    const keys = [...'0123456789*#ABCD'].map((_, code) => event(code, 1000 + code * 800));
    expect(heard(keys).join('')).toBe('0123456789*#ABCD');
    expect(heard([event(32, 1000)])).toEqual([]); // 32: a fax tone (ANS)
    expect(heard([event(5, 1000, false, 0)])).toEqual([]);
    expect(heard([{ ...event(5, 1000), payload: Buffer.from([5, 10]) }])).toEqual([]);
  });

  it('remembers enough presses not to report a late repeat of a recent one again', () => {
    const packets = [];
    for (let i = 0; i < 20; i++) packets.push(...press(i % 10, 1000 + i * 1600));
    packets.push(event(0, 1000, true)); // the first press's end, repeated late
    expect(heard(packets)).toHaveLength(20);
  });
});
