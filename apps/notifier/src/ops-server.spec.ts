import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { startOpsServer } from './ops-server';

describe('the notifier ops server', () => {
  let server: Server;
  let bound = false;
  let databaseUp = true;
  const dataSource = {
    query: async () => {
      if (!databaseUp) throw new Error('connection refused');
      return [{ '?column?': 1 }];
    },
  } as unknown as DataSource;
  const ready = async () => {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/health/ready`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    server = await startOpsServer({ dataSource, queueBound: () => bound }, 0, '127.0.0.1');
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('is not ready until its queue is bound: events published before would reach no queue', async () => {
    expect(await ready()).toEqual({
      status: 503,
      body: { status: 'error', broker: 'queue not bound yet', database: 'unknown' },
    });
    bound = true;
    expect(await ready()).toEqual({ status: 200, body: { status: 'ok', broker: 'queue bound', database: 'up' } });
  });

  it('is not ready while its database does not answer', async () => {
    bound = true;
    databaseUp = false;
    expect(await ready()).toMatchObject({ status: 503, body: { database: 'down', message: 'connection refused' } });
    databaseUp = true;
  });
});
