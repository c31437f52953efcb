import { readFileSync } from 'node:fs';

/*
 * Where a server's CPU goes per request, by stage of the request pipeline,
 * from a V8 CPU profile (node --cpu-prof). Each sample is charged to the
 * nearest frame on its stack that belongs to a known stage: time inside
 * node:crypto under jsonwebtoken is JWT, time in a socket write under pg is
 * the database driver. What no stage claims is Node itself (sockets, timers,
 * the event loop).
 */

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Stages, each claimed by packages under node_modules or by the service's own folders. */
const STAGES: readonly [stage: string, owners: RegExp][] = [
  [
    'HTTP (Fastify, Nest adapter)',
    /node_modules\/(fastify|@fastify|find-my-way|avvio|light-my-request|fast-json-stringify|secure-json-parse|fast-querystring|@nestjs\/platform-fastify)\//,
  ],
  [
    'JWT (passport-jwt, jsonwebtoken)',
    /node_modules\/(jsonwebtoken|jws|jwa|passport|passport-jwt|passport-strategy|jwks-rsa|jose|@nestjs\/passport)\/|dist\/libs\/auth\//,
  ],
  [
    'throttling (Redis)',
    /node_modules\/(ioredis|@ioredis|redis-parser|denque|@nestjs\/throttler|@nest-lab)\/|src\/throttling\//,
  ],
  ['idempotency', /src\/idempotency\//],
  ['validation (class-validator)', /node_modules\/(class-validator|class-transformer|validator|libphonenumber-js)\//],
  ['persistence (TypeORM, own SQL)', /node_modules\/typeorm\/|dist\/libs\/persistence\//],
  [
    'database driver (pg)',
    /node_modules\/(pg|pg-protocol|pg-pool|pg-types|postgres-[a-z]+|buffer-writer|packet-reader)\//,
  ],
  ['use case and domain', /dist\/libs\/(application|domain)\//],
  [
    'Graph mapping and errors',
    /dist\/libs\/graph\/|dist\/apps\/calls-service\/src\/(cancel-media-processing|calls|shared)\//,
  ],
  [
    'logging (pino)',
    /node_modules\/(pino|pino-std-serializers|sonic-boom|nestjs-pino|pino-http|thread-stream|fast-redact|quick-format-unescaped|on-exit-leak-free|atomic-sleep)\/|dist\/libs\/runtime\//,
  ],
  ['metrics (prom-client)', /node_modules\/(prom-client|tdigest|bintrees)\/|src\/metrics\//],
  [
    'outbox relay (RabbitMQ, CloudEvents)',
    /node_modules\/(amqplib|cloudevents|ajv|ajv-formats|uuid)\/|dist\/libs\/messaging\//,
  ],
  ['tracing (OpenTelemetry)', /node_modules\/@opentelemetry\//],
  // Each promise's AsyncLocalStorage propagation (on Node 20 a hook), charged here rather than to its creator.
  [
    'request context (AsyncLocalStorage)',
    /^node:(internal\/)?async_hooks|^node:internal\/async_local_storage|node_modules\/@fastify\/request-context\//,
  ],
  [
    'Nest dispatch (core, CQRS, RxJS)',
    /node_modules\/(@nestjs\/core|@nestjs\/common|@nestjs\/cqrs|rxjs|reflect-metadata|tslib)\//,
  ],
];
const NODE = 'Node (sockets, timers, event loop)';
const GC = 'garbage collection';
/** Samples V8 took outside any JavaScript stack: native work such as libuv, TLS-free socket I/O, the parser. */
const NATIVE = 'native, outside JavaScript';
const SOCKETS = 'socket writes (system calls)';
const SOCKET_WRITES = new Set(['writev', 'writeBuffer', 'writeUtf8String', 'writeLatin1String', 'writeAsciiString']);

function stageOf(url: string, functionName: string): string | null {
  if (functionName === '(garbage collector)') return GC;
  if (functionName === '(program)') return NATIVE;
  // A socket write's system call: its samples include the kernel's loopback work and waits for a core.
  if (url === '' && SOCKET_WRITES.has(functionName)) return SOCKETS;
  for (const [stage, owners] of STAGES) if (owners.test(url)) return stage;
  return null;
}

export interface StageShare {
  readonly stage: string;
  /** Share of the busy samples in the window. */
  readonly share: number;
}

/**
 * Shares of busy CPU per stage, over the samples taken between two readings
 * of the monotonic clock (µs, as process.hrtime gives them; V8's profile uses
 * the same clock), so start-up and idle waits are left out.
 */
export function stageShares(profilePath: string, fromUs: number, toUs: number): StageShare[] {
  const profile = JSON.parse(readFileSync(profilePath, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  // A node's stage: its own, or else the nearest ancestor's.
  const stage = new Map<number, string>();
  const assign = (node: ProfileNode, inherited: string): void => {
    const own = stageOf(node.callFrame.url, node.callFrame.functionName) ?? inherited;
    stage.set(node.id, own);
    for (const child of node.children ?? []) assign(byId.get(child)!, own);
  };
  assign(profile.nodes[0], NODE);
  const idle = new Set(profile.nodes.filter((node) => node.callFrame.functionName === '(idle)').map((n) => n.id));
  const totals = new Map<string, number>();
  let busy = 0;
  let time = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i];
    const delta = profile.timeDeltas[i + 1] ?? 0;
    if (time < fromUs || time > toUs || idle.has(profile.samples[i])) continue;
    const name = stage.get(profile.samples[i])!;
    totals.set(name, (totals.get(name) ?? 0) + delta);
    busy += delta;
  }
  return [...totals]
    .map(([name, us]) => ({ stage: name, share: us / Math.max(busy, 1) }))
    .sort((a, b) => b.share - a.share);
}
