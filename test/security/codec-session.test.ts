import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { createApp } from '../../api/app';
import type { Db } from '../../db/pool';
import { principalRepository, type Role } from '../../db/principals';
import { EncryptionCodec } from '../../platform/codec';
import { testDb, testLog } from '../support/env';

const UI = 'http://127.0.0.1:8233';

describe('the codec endpoint for a signed-in operator in the Temporal UI', () => {
  let db: Db;
  let connection: Connection;
  let server: Server;
  let base: string;
  const codec = new EncryptionCodec([randomBytes(32)]);
  let sealedBody: string;

  beforeAll(async () => {
    db = testDb();
    connection = await Connection.connect({ address: inject('temporalAddress') });
    server = createApp({
      temporal: new Client({ connection }),
      db,
      log: testLog,
      store: 'codec-session',
      taskQueuePrefix: 'codec-session',
      payloadCodec: codec,
      temporalUiUrl: `${UI}/namespaces/default`,
      namespace: 'default',
    }).listen(0);
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload({ orderNumber: '#1001' })]);
    sealedBody = JSON.stringify({
      payloads: [
        {
          metadata: Object.fromEntries(
            Object.entries(sealed!.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')]),
          ),
          data: Buffer.from(sealed!.data!).toString('base64'),
        },
      ],
    });
  });
  afterAll(async () => {
    server?.close();
    await connection?.close();
    await db?.end();
  });

  /** Signs in through the dashboard's form; returns the session cookie. */
  async function sessionOf(role: Role): Promise<string> {
    const { apiKey } = await principalRepository(db).create({ name: `Codec ${role}`, role });
    const form = await fetch(`${base}/login`);
    const pre = (form.headers.get('set-cookie') ?? '').split(';')[0]!;
    const csrf = /name="_csrf" value="([0-9a-f]+)"/.exec(await form.text())?.[1] ?? '';
    const signedIn = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: pre, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, apiKey }).toString(),
    });
    expect(signedIn.status).toBe(303);
    return (signedIn.headers.get('set-cookie') ?? '').split(';')[0]!;
  }

  const decode = (headers: Record<string, string>) =>
    fetch(`${base}/codec/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
      body: sealedBody,
    });

  it('answers the UI origin’s preflight with credentials allowed, and no other origin’s', async () => {
    const preflight = await fetch(`${base}/codec/decode`, {
      method: 'OPTIONS',
      headers: {
        origin: UI,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-namespace',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(UI);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/X-Namespace/);
    const foreign = await fetch(`${base}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('decodes for an operator’s dashboard session from the Temporal UI, without a CSRF token', async () => {
    const cookie = await sessionOf('operator');
    const res = await decode({ cookie, origin: UI });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
    const [plain] = ((await res.json()) as { payloads: { data: string }[] }).payloads;
    expect(JSON.parse(Buffer.from(plain!.data, 'base64').toString())).toEqual({ orderNumber: '#1001' });
  });

  it('refuses the same session cookie from a foreign Origin, or with no Origin at all', async () => {
    const cookie = await sessionOf('operator');
    const foreign = await decode({ cookie, origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { code: string }).code).toBe('CODEC.ORIGIN_NOT_ALLOWED');
    // Another port of the same host is another origin too.
    expect((await decode({ cookie, origin: 'http://127.0.0.1:9999' })).status).toBe(403);
    expect((await decode({ cookie })).status).toBe(401);
  });

  it('refuses an approver’s session, no session, and namespaces the deployment does not serve', async () => {
    expect((await decode({ origin: UI })).status).toBe(401);
    const approver = await sessionOf('approver');
    expect((await decode({ cookie: approver, origin: UI })).status).toBe(403);
    const cookie = await sessionOf('operator');
    const other = await decode({ cookie, origin: UI, 'x-namespace': 'someone-else' });
    expect(other.status).toBe(403);
    expect(((await other.json()) as { code: string }).code).toBe('CODEC.NAMESPACE_NOT_SERVED');
  });
});
