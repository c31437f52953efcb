import request from 'supertest';
import { CALLS_ROUTE_PREFIXES } from '@calls/graph';
import { createSqliteDatabase, TestDatabase } from '../support/test-databases';
import { startTestApp, TestApp } from '../support/test-app';

describe('OpenAPI document (HTTP)', () => {
  let database: TestDatabase;
  let service: TestApp;

  beforeAll(async () => {
    database = await createSqliteDatabase();
    service = await startTestApp(database);
  });

  afterAll(async () => {
    await service?.close();
    await database?.drop();
  });

  it('describes every route under every prefix, with the roles it needs and the Graph shapes', async () => {
    const res = await request(service.url).get('/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body as {
      openapi: string;
      paths: Record<string, Record<string, { description?: string; responses: Record<string, { content?: unknown }> }>>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    const routes: [string, string][] = [
      ['post', ''],
      ['get', '/{callId}'],
      ['delete', '/{callId}'],
      ['post', '/{callId}/playPrompt'],
      ['post', '/{callId}/recordResponse'],
      ['post', '/{callId}/subscribeToTone'],
      ['post', '/{callId}/cancelMediaProcessing'],
      ['post', '/{callId}/keepAlive'],
      ['post', '/{callId}/sendDtmfTones'],
      ['post', '/{callId}/updateRecordingStatus'],
      ['get', '/{callId}/operations'],
      ['get', '/{callId}/operations/{operationId}'],
    ];
    // Each action is also described under its namespace-qualified name.
    for (const [method, suffix] of [...routes]) {
      const action = /^\/\{callId\}\/(\w+)$/.exec(suffix)?.[1];
      if (method === 'post' && action) routes.push([method, `/{callId}/microsoft.graph.${action}`]);
    }
    expect(routes.length).toBe(19);
    for (const prefix of CALLS_ROUTE_PREFIXES) {
      for (const [method, suffix] of routes) {
        const operation = doc.paths[`/${prefix}${suffix}`]?.[method];
        expect({ route: `${method} /${prefix}${suffix}`, described: Boolean(operation) }).toEqual({
          route: `${method} /${prefix}${suffix}`,
          described: true,
        });
        expect(operation.description).toMatch(/Application permissions \(any of\): Calls\./);
        expect(operation.responses['404']).toBeDefined();
      }
    }
    const cancel = doc.paths['/communications/calls/{callId}/cancelMediaProcessing'].post;
    expect(cancel.description).toContain('Calls.Initiate.All, Calls.AccessMedia.All');
    expect(JSON.stringify(cancel.responses['200'])).toContain('#microsoft.graph.cancelMediaProcessingOperation');
    expect(JSON.stringify(cancel.responses['400'])).toContain('innerError');
    // The cancel's extensions are documented: the body's scope and operationIds, and what the answer adds.
    const cancelDoc = JSON.stringify(cancel);
    for (const name of [
      'scope',
      'current',
      'queued',
      'operationIds',
      'recordings',
      'keep',
      'playedDuration',
      'notCancelledOperations',
    ])
      expect({ name, documented: cancelDoc.includes(`"${name}"`) }).toEqual({ name, documented: true });
    const list = doc.paths['/communications/calls/{callId}/operations'].get;
    expect(JSON.stringify(list.responses['200'])).toContain('@odata.nextLink');
    for (const path of [
      '/health/live',
      '/health/ready',
      '/metrics',
      '/.well-known/jwks.json',
      '/.well-known/openid-configuration',
    ])
      expect(doc.paths[path]).toBeDefined();
  });
});
