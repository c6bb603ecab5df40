import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import type { Db } from '../../db/pool';
import { testDb, testLog } from '../support/env';

interface Operation {
  security?: unknown[];
  parameters: { name: string; in: string; required: boolean }[];
  requestBody?: {
    content: {
      'application/json': { schema: { properties?: Record<string, unknown>; required?: string[] } };
    };
  };
  responses: Record<string, unknown>;
  'x-roles'?: string[];
}

describe('OpenAPI document', () => {
  let db: Db;
  let server: Server;
  let base: string;
  let doc: { openapi: string; paths: Record<string, Record<string, Operation>> };

  beforeAll(async () => {
    db = testDb();
    const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    server = createApp({ temporal, db, log: testLog, store: 'doc', taskQueuePrefix: 'doc' }).listen(0);
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    doc = (await (await fetch(`${base}/openapi.json`)).json()) as typeof doc;
  });
  afterAll(async () => {
    server?.close();
    await db?.end();
  });

  it('describes each route from the schemas that validate it and the roles that guard it', () => {
    expect(doc.openapi).toBe('3.1.0');
    const fix = doc.paths['/orders/{id}/fix']!.post!;
    expect(fix.security).toEqual([{ apiKey: [] }]);
    expect(fix['x-roles']).toEqual(['operator', 'admin']);
    // The order's id in the path, and which of the served stores it belongs to (the primary when absent).
    expect(fix.parameters).toEqual([
      expect.objectContaining({ name: 'id', in: 'path', required: true }),
      expect.objectContaining({ name: 'store', in: 'query', required: false }),
    ]);
    expect(Object.keys(fix.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403']));

    const quote = doc.paths['/quote']!.get!;
    expect(quote.parameters.map((p) => [p.name, p.in, p.required])).toEqual([
      ['sku', 'query', true],
      ['quantity', 'query', true],
      ['customer', 'query', false],
      ['store', 'query', false],
    ]);

    const decision = doc.paths['/approvals/{id}/decision']!.post!;
    expect(decision.requestBody!.content['application/json'].schema.required).toContain('outcome');
    expect(doc.paths['/config/rules']!.put!['x-roles']).toContain('admin');
    expect(doc.paths['/webhooks/shopify']!.post!.security).toBeUndefined();
  });

  it('documents only routes that exist', async () => {
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => ({ method, path: path.replace(/\{\w+\}/g, '1') })),
    );
    expect(operations.length).toBeGreaterThan(25);
    for (const op of operations.filter((o) => o.path !== '/health')) {
      const res = await fetch(`${base}${op.path}`, {
        method: op.method.toUpperCase(),
        headers: { 'content-type': 'application/json' },
        body: op.method === 'get' ? undefined : '{}',
      });
      const body = res.headers.get('content-type')?.includes('json')
        ? ((await res.json()) as { code?: string })
        : {};
      expect(body.code, `${op.method} ${op.path}`).not.toBe('ROUTE.NOT_FOUND');
    }
  });
});
