import { Agent, request } from 'node:http';

/**
 * Bots for the overload bench. Each bot call runs Graph's usual mix one
 * request after another: create the call, two playPrompts, a cancel, a
 * hang-up. `openLoop` starts calls at a constant rate whatever the service
 * does (arrivals do not slow down when the service does, as a closed loop of
 * connections would); `closedLoop` keeps a number of bots busy back to back.
 * A client either takes its first answer, or retries as the Graph SDKs'
 * RetryHandler does (@microsoft/kiota-http-fetchlibrary,
 * middlewares/retryHandler.js and options/retryHandlerOptions.js): on 429,
 * 503 and 504, up to 3 times, after the answer's Retry-After in seconds
 * (3 s without one), with a Retry-Attempt header.
 */
export type Step = 'create' | 'playPrompt' | 'cancel' | 'hangUp';

export interface Answer {
  readonly step: Step;
  /** 0 for a timeout or a connection error. */
  readonly status: number;
  readonly ms: number;
  /** When the request was sent (ms since the phase began). */
  readonly sentAt: number;
}

export interface Bots {
  readonly url: string;
  readonly tokens: readonly string[];
  readonly retry: boolean;
  readonly createBody: object;
  readonly promptBody: object;
}

const TIMEOUT_MS = 10_000;
const MAX_RETRIES = 3;
const DEFAULT_DELAY_S = 3;

/** The RetryHandler's rule: how long to wait before trying again (s), or nothing when it does not retry. */
function sdkRetryDelayS(status: number, retryAfter: string | null | undefined, attempt: number): number | undefined {
  const retryable = status === 429 || status === 503 || status === 504;
  if (!retryable || attempt >= MAX_RETRIES) return undefined;
  return retryAfter !== null && retryAfter !== undefined ? Number(retryAfter) : DEFAULT_DELAY_S;
}
const agent = new Agent({ keepAlive: true, maxSockets: 2048 });

function send(
  url: string,
  method: string,
  path: string,
  token: string,
  body: string | undefined,
  attempt: number,
): Promise<{ status: number; body: string; retryAfter: string | undefined }> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    if (attempt > 0) headers['retry-attempt'] = String(attempt);
    const req = request(`${url}${path}`, { method, headers, agent, timeout: TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString(),
          retryAfter: res.headers['retry-after'],
        }),
      );
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, body: '', retryAfter: undefined }));
    req.end(body);
  });
}

/** One request of a bot's call: every attempt is recorded; answers the last attempt's status and body. */
async function step(
  bots: Bots,
  record: (answer: Answer) => void,
  origin: number,
  kind: Step,
  method: string,
  path: string,
  token: string,
  body?: string,
): Promise<{ status: number; body: string }> {
  for (let attempt = 0; ; attempt++) {
    const sent = performance.now();
    const answer = await send(bots.url, method, path, token, body, attempt);
    record({ step: kind, status: answer.status, ms: performance.now() - sent, sentAt: sent - origin });
    const delayS = bots.retry ? sdkRetryDelayS(answer.status, answer.retryAfter, attempt) : undefined;
    if (delayS === undefined) return answer;
    await new Promise((resolve) => setTimeout(resolve, delayS * 1000));
  }
}

/** One call of the mix, as tenant `index % tokens`. */
async function oneCall(bots: Bots, index: number, record: (answer: Answer) => void, origin: number): Promise<void> {
  const token = bots.tokens[index % bots.tokens.length];
  const created = await step(
    bots,
    record,
    origin,
    'create',
    'POST',
    '/communications/calls',
    token,
    JSON.stringify(bots.createBody),
  );
  if (created.status !== 201) return;
  const path = `/communications/calls/${(JSON.parse(created.body) as { id: string }).id}`;
  const prompt = JSON.stringify(bots.promptBody);
  await step(bots, record, origin, 'playPrompt', 'POST', `${path}/playPrompt`, token, prompt);
  await step(bots, record, origin, 'playPrompt', 'POST', `${path}/playPrompt`, token, prompt);
  await step(bots, record, origin, 'cancel', 'POST', `${path}/cancelMediaProcessing`, token, '{}');
  await step(bots, record, origin, 'hangUp', 'DELETE', path, token);
}

/** Requests per call in the mix. */
export const REQUESTS_PER_CALL = 5;

/** Calls started at `requestsPerSecond / 5` a second for `seconds`; answers every attempt, once all calls have ended. */
export async function openLoop(bots: Bots, requestsPerSecond: number, seconds: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  const record = (answer: Answer) => answers.push(answer);
  const callsPerMs = requestsPerSecond / REQUESTS_PER_CALL / 1000;
  const origin = performance.now();
  const running: Promise<void>[] = [];
  let started = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = performance.now() - origin;
      const due = Math.floor(Math.min(elapsed, seconds * 1000) * callsPerMs);
      while (started < due) running.push(oneCall(bots, started++, record, origin));
      if (elapsed >= seconds * 1000) {
        clearInterval(tick);
        resolve();
      }
    }, 2);
  });
  await Promise.all(running);
  return answers;
}

/** `bots` calls at a time back to back for `seconds`. */
export async function closedLoop(bots: Bots, concurrency: number, seconds: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  const record = (answer: Answer) => answers.push(answer);
  const origin = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() - origin < seconds * 1000) await oneCall(bots, next++, record, origin);
    }),
  );
  return answers;
}

/**
 * fetch as a Graph SDK client sends a request: a 429, 503 or 504 is retried
 * up to 3 times after its Retry-After (the RetryHandler's rule above), so a
 * bench that sets up calls under load is not stopped by the door's refusals.
 */
export async function fetchRetryingAsSdk(url: string, init: RequestInit): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(
      url,
      attempt === 0
        ? init
        : { ...init, headers: { ...(init.headers as Record<string, string>), 'retry-attempt': String(attempt) } },
    );
    const delayS = sdkRetryDelayS(response.status, response.headers.get('retry-after'), attempt);
    if (delayS === undefined) return response;
    await response.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, delayS * 1000));
  }
}

/**
 * `work` on every item, at most `limit` at a time. A bench that sets up
 * hundreds of calls sends their requests as a fleet of bots would, spread
 * out, rather than all at once: at once they would all be refused together
 * and, retried after the same Retry-After, refused together again.
 */
export async function atMost<T>(
  limit: number,
  items: readonly T[],
  work: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
