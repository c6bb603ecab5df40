import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { createApp, type ApiDeps } from '../../api/app';
import type { Db } from '../../db/pool';
import { testClient, testDb, testLog } from '../support/env';

export const WEBHOOK_SECRET = 'security-test-webhook-secret';

/** The real API on a free port, with the test run's database and Temporal server. */
export async function startApi(overrides: Partial<ApiDeps> & { store: string; taskQueuePrefix: string }) {
  const db: Db = testDb();
  const temporal: Client = await testClient();
  const server: Server = createApp({
    temporal,
    db,
    log: testLog,
    shopifySecret: WEBHOOK_SECRET,
    ...overrides,
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    db,
    temporal,
    server,
    base,
    port: (server.address() as AddressInfo).port,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await temporal.connection.close();
      await db.end();
    },
    async call(
      method: string,
      path: string,
      key?: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let json: Record<string, unknown> & { code?: string; message?: string; requestId?: string } = {};
      try {
        json = JSON.parse(text) as typeof json;
      } catch {
        // not JSON: left empty, and the caller's assertions on it fail
      }
      return { status: res.status, headers: res.headers, body: json, text };
    },
  };
}

export type TestApi = Awaited<ReturnType<typeof startApi>>;
