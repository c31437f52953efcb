import fc from 'fast-check';
import request from 'supertest';
import { createPostgresDatabase } from '../support/test-databases';
import { CREATE_CALL_BODY, establishedCall, PROMPT, serviceForSuite } from '../support/test-app';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Step = string | number;

/** Every path into a JSON value, as the steps to reach it. */
function pathsOf(value: Json, prefix: Step[] = []): Step[][] {
  if (Array.isArray(value)) return value.flatMap((item, i) => [[...prefix, i], ...pathsOf(item, [...prefix, i])]);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => [[...prefix, key], ...pathsOf(item, [...prefix, key])]);
  }
  return [];
}

/** `prompts[0].mediaInfo`, as the service names a property in its 400. */
const written = (path: Step[]) =>
  path.map((step, i) => (typeof step === 'number' ? `[${step}]` : i === 0 ? step : `.${step}`)).join('');

function valueAt(body: Json, path: Step[]): Json {
  let value = body as Record<string | number, Json>;
  for (const step of path) value = value[step] as Record<string | number, Json>;
  return value as Json;
}

const REMOVE = Symbol('remove');
type Mutation = Json | typeof REMOVE;

/** The body with the value at `path` replaced (or removed). */
function mutate(body: Json, path: Step[], replacement: Mutation): Json {
  const copy = structuredClone(body) as Record<string | number, Json>;
  let parent = copy as Record<string | number, Json>;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, Json>;
  const last = path[path.length - 1];
  if (replacement !== REMOVE) parent[last] = replacement;
  else if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
  return copy;
}

/** A missing, null or wrongly typed value: the class of bug the TypeScript SDK's prompt serializer hits. */
const replacement = fc.constantFrom<Mutation>(REMOVE, null, 0, 1.5, -1, '', 'x', true, [], {}, [null], { a: 1 });

const FULL_PROMPT = PROMPT as unknown as Json;
const RECORD_BODY: Json = {
  prompts: [FULL_PROMPT],
  bargeInAllowed: false,
  initialSilenceTimeoutInSeconds: 5,
  maxSilenceTimeoutInSeconds: 5,
  maxRecordDurationInSeconds: 5,
  playBeep: true,
  stopTones: ['#', '1'],
  clientContext: 'r',
};

/**
 * Every request body, mutated at every depth: the answer is the action's
 * success or a 400 `invalidRequest` that names the path it is about, never
 * a 500 (HTTP, PostgreSQL).
 */
describe('request bodies with a value missing, null or of the wrong type at any depth (HTTP, PostgreSQL)', () => {
  const suite = serviceForSuite(createPostgresDatabase, { THROTTLE_LIMIT: '1000000' });
  let callId: string;

  beforeAll(async () => {
    callId = await establishedCall(suite.service);
  });

  const routes: [string, () => string, Json, number][] = [
    ['create call', () => '/communications/calls', CREATE_CALL_BODY as unknown as Json, 201],
    [
      'playPrompt',
      () => `/communications/calls/${callId}/playPrompt`,
      { prompts: [structuredClone(FULL_PROMPT), structuredClone(FULL_PROMPT)], clientContext: 'p' },
      200,
    ],
    ['recordResponse', () => `/communications/calls/${callId}/recordResponse`, RECORD_BODY, 200],
    ['subscribeToTone', () => `/communications/calls/${callId}/subscribeToTone`, { clientContext: 't' }, 200],
    [
      'cancelMediaProcessing',
      () => `/communications/calls/${callId}/cancelMediaProcessing`,
      { clientContext: 'c' },
      200,
    ],
  ];

  it.each(routes)('%s: success or a 400 naming the mutated path, never a 5xx', async (_name, url, body, success) => {
    const paths = pathsOf(body);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), replacement, async (path, value) => {
        const sent = mutate(body, path, value);
        const res = await request(suite.service.url)
          .post(url())
          .set('Authorization', suite.auth)
          .send(sent as object);
        const outcome = { path: written(path), value: value === REMOVE ? 'removed' : value, status: res.status };
        if (res.status !== success && res.status !== 400) {
          throw new Error(`expected ${success} or 400: ${JSON.stringify({ ...outcome, body: res.body })}`);
        }
        if (res.status === 400) {
          expect(res.body.error.code).toBe('invalidRequest');
          // The mutated property or element itself (or something inside it); a removed element
          // shortens its array, which is then what the answer is about.
          const removedElement = value === REMOVE && typeof path[path.length - 1] === 'number';
          const named = removedElement ? written(path.slice(0, -1)) : written(path);
          expect({ ...outcome, message: res.body.error.message }).toEqual({
            ...outcome,
            message: expect.stringContaining(named),
          });
        }
      }),
      { numRuns: Math.min(300, paths.length * 12) },
    );
  });

  /** Every string in a body, as a path, and the objects where a property name could go wrong. */
  const stringPaths = (body: Json) => pathsOf(body).filter((path) => typeof valueAt(body, path) === 'string');
  const objectPaths = (body: Json) => [
    [] as Step[],
    ...pathsOf(body).filter((path) => {
      const value = valueAt(body, path);
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    }),
  ];
  const unstorable = fc.constantFrom('\u0000', '\uD800', '\uDFFF', '\uDBFF\u0041');

  it.each(routes)(
    '%s: a NUL or an unpaired surrogate in any string or property name is a 400 naming it, on PostgreSQL',
    async (_name, url, body) => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.record({ path: fc.constantFrom(...stringPaths(body)), key: fc.constant(false) }),
            fc.record({ path: fc.constantFrom(...objectPaths(body)), key: fc.constant(true) }),
          ),
          unstorable,
          fc.nat(),
          async ({ path, key }, bad, at) => {
            let sent: Json;
            if (key) {
              sent = structuredClone(body);
              const target = (path.length ? valueAt(sent, path) : sent) as Record<string, Json>;
              target[`na${bad}me`] = 'x';
            } else {
              const text = valueAt(body, path) as string;
              const i = at % (text.length + 1);
              sent = mutate(body, path, `${text.slice(0, i)}${bad}${text.slice(i)}`);
            }
            const res = await request(suite.service.url)
              .post(url())
              .set('Authorization', suite.auth)
              .send(sent as object);
            const expected = key ? `${path.length ? `${written(path)}: ` : ''}a property name` : written(path);
            expect({ path: written(path), key, status: res.status, message: res.body.error?.message }).toEqual({
              path: written(path),
              key,
              status: 400,
              message: `${expected} holds a NUL character or an unpaired UTF-16 surrogate, which cannot be stored.`,
            });
          },
        ),
        { numRuns: 60 },
      );
    },
  );

  it('names a bad array element by its index: targets[0], operationIds[1], prompts[1], stopTones[0]', async () => {
    const cases: [string, string, object, string][] = [
      [
        'create call',
        '/communications/calls',
        { ...CREATE_CALL_BODY, targets: [null] },
        'targets[0] must be an object',
      ],
      [
        'cancel',
        `/communications/calls/${callId}/cancelMediaProcessing`,
        { operationIds: ['7b7c3c1e-3c1a-4a55-9bd4-2f6a0e0c1a11', 'abc'] },
        'operationIds[1] must be a UUID',
      ],
      [
        'playPrompt',
        `/communications/calls/${callId}/playPrompt`,
        { prompts: [PROMPT, 5] },
        'prompts[1] must be an object',
      ],
      [
        'recordResponse',
        `/communications/calls/${callId}/recordResponse`,
        { stopTones: ['x'] },
        'stopTones[0] must be one of the following values',
      ],
    ];
    for (const [name, url, body, message] of cases) {
      const res = await request(suite.service.url).post(url).set('Authorization', suite.auth).send(body);
      expect({ name, status: res.status, code: res.body.error?.code, message: res.body.error?.message }).toEqual({
        name,
        status: 400,
        code: 'invalidRequest',
        message: expect.stringMatching(new RegExp(`^${message.replace(/[[\]]/g, '\\$&')}`)),
      });
    }
  });

  it('answers the bare prompt the TypeScript SDK sends with a 400 naming prompts[0].mediaInfo', async () => {
    const res = await request(suite.service.url)
      .post(`/communications/calls/${callId}/playPrompt`)
      .set('Authorization', suite.auth)
      .send({ prompts: [{ '@odata.type': '#microsoft.graph.mediaPrompt' }] });
    expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 400, code: 'invalidRequest' });
    expect(res.body.error.message).toMatch(/^prompts\[0\]\.mediaInfo must be an object/);
  });
});
