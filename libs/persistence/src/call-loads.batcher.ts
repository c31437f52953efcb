/** The most ids one statement asks for; a larger turn's loads go as several statements. */
const MOST_PER_STATEMENT = 100;

interface Waiting {
  readonly id: string;
  resolve(loaded: string | null): void;
  reject(error: unknown): void;
}

/**
 * The call loads that start in one turn of the event loop, sent as one
 * statement (`WHERE id = ANY(...)`) when the turn ends, each caller then
 * given its own call. Under load the requests a turn reads all reach their
 * load in that turn (their pipeline up to the load is synchronous or
 * microtasks), so a turn's cancels cost one round trip for their loads
 * instead of one each: one pool checkout, one socket write and one result
 * for several, which the CPU profile of `npm run bench` puts among the
 * largest costs of a command. Alone, a load waits only for the end of the
 * current turn.
 *
 * Each caller gets the JSON text of its call, to parse on its own: two loads
 * of one call in a turn must not share objects their aggregates mutate.
 * A failed statement fails every load it carried, as their own statements
 * would have.
 */
export class CallLoadsBatcher {
  private waiting: Waiting[] = [];
  private scheduled: NodeJS.Immediate | null = null;

  /** `ids` in, `[id, loaded JSON]` out for those that exist; ids are lowercase canonical UUIDs. */
  constructor(private readonly run: (ids: string[]) => Promise<readonly { id: string; loaded: string }[]>) {}

  /** The call's JSON text, or null when there is no such call; `id` must be a lowercase canonical UUID. */
  load(id: string): Promise<string | null> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ id, resolve, reject });
      this.scheduled ??= setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    this.scheduled = null;
    const waiting = this.waiting;
    this.waiting = [];
    for (let start = 0; start < waiting.length; start += MOST_PER_STATEMENT) {
      void this.send(waiting.slice(start, start + MOST_PER_STATEMENT));
    }
  }

  private async send(waiting: readonly Waiting[]): Promise<void> {
    try {
      const rows = await this.run([...new Set(waiting.map((w) => w.id))]);
      const loaded = new Map(rows.map((row) => [row.id, row.loaded]));
      for (const w of waiting) w.resolve(loaded.get(w.id) ?? null);
    } catch (error) {
      for (const w of waiting) w.reject(error);
    }
  }
}
