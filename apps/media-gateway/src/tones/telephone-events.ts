import type { RtpPacket } from '../legs/media-leg';

/** RFC 4733 section 3.2: events 0-9, *, # and A-D are the DTMF keys. */
const DTMF_KEYS = '0123456789*#ABCD';

/** How many recent events are remembered to recognise their repeats (a caller presses far fewer per second). */
const REMEMBERED = 32;

/**
 * RFC 4733 telephone-events from the caller, one report per key press. An
 * event is sent as many packets, all with the RTP timestamp of its start
 * (section 2.5.1.2), and its end packet is sent three times (2.5.1.4):
 * the first packet of a new timestamp is the press, everything else with
 * that timestamp is its repeat. A press whose first packets were lost is
 * still reported, by whichever of its packets arrives first.
 */
export class TelephoneEvents {
  private readonly seen: number[] = [];

  constructor(
    private readonly payloadType: number,
    private readonly onKey: (key: string) => void,
  ) {}

  /** Feeds one packet of the leg; anything but a telephone-event is ignored. */
  receive(packet: RtpPacket): void {
    if (packet.payloadType !== this.payloadType || packet.payload.length < 4) return;
    const key = DTMF_KEYS[packet.payload[0]];
    if (key === undefined) return; // not a DTMF event (a fax tone, say)
    if (this.seen.includes(packet.timestamp)) return;
    this.seen.push(packet.timestamp);
    if (this.seen.length > REMEMBERED) this.seen.shift();
    this.onKey(key);
  }
}
