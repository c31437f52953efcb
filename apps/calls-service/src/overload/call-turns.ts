import type { AdmissionClass, Refusal, Ticket } from './admission';

/**
 * Commands on one call run one after another on a replica. Many commands at
 * once on one call all want the same row: in parallel they hold database
 * connections while they wait for its lock, and the losers of the version
 * check retry and give up with 409, so one bot's burst slows every other
 * tenant. Here they wait in line instead, holding nothing, critical ones
 * (cancel, hang-up) first; past `maxWaiting` a call's request is refused
 * with a 429 and Retry-After. Replicas are not coordinated: across them the
 * row's version check still orders the commands.
 */
/** A call with a command running: who waits behind it, by class. */
interface Line {
  readonly critical: ((ticket: Ticket) => void)[];
  readonly normal: ((ticket: Ticket) => void)[];
}

export class CallTurns {
  private readonly lines = new Map<string, Line>();

  constructor(private readonly maxWaiting: number) {}

  /** Calls with a command running or waiting (for the metrics and tests). */
  get activeCalls(): number {
    return this.lines.size;
  }

  take(callId: string, cls: AdmissionClass): Ticket | Refusal | Promise<Ticket> {
    const line = this.lines.get(callId);
    if (!line) {
      this.lines.set(callId, { critical: [], normal: [] });
      return this.ticketFor(callId);
    }
    const full = this.refuseIfFull(callId);
    if (full) return full;
    return new Promise((resolve) => line[cls].push(resolve));
  }

  /** A refusal when the call's line holds as many waiting as it may, else nothing (checked as a request arrives). */
  refuseIfFull(callId: string): Refusal | undefined {
    const line = this.lines.get(callId);
    if (!line || line.critical.length + line.normal.length < this.maxWaiting) return undefined;
    return { refused: `Too many requests are waiting on this call (${this.maxWaiting}).`, reason: 'call_queue_full' };
  }

  private ticketFor(callId: string): Ticket {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const line = this.lines.get(callId)!;
        const next = line.critical.shift() ?? line.normal.shift();
        if (next) next(this.ticketFor(callId));
        else this.lines.delete(callId);
      },
    };
  }
}
