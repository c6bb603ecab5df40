import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { principalRepository } from '../../db/principals';
import { startApi, type TestApi } from './api';

/**
 * Tables that record attempts by design (refused decisions, failed sign-ins, sessions), and the quote
 * cache's change log, which logs each failed sign-in counted so that the next quote sees it: not
 * business rows (a business row changed would show in its own table).
 */
const AUDIT_TABLES = new Set([
  'approval_decisions',
  'auth_failures',
  'web_sessions',
  'pgmigrations',
  'quote_cache_changes',
]);

/**
 * The bad-input campaign: for every operation in /openapi.json, fast-check generates malformed JSON,
 * wrong types, huge strings, unknown fields (mass assignment), missing and forged keys and other
 * stores' ids. Every answer must be a 4xx with a stable code, the server must stay up, and no
 * business row may change.
 */
describe('bad-input campaign generated from the OpenAPI document', () => {
  let api: TestApi;
  const STORE = `camp-${randomUUID().slice(0, 8)}`;
  let outsider: string;
  let operator: string;

  beforeAll(async () => {
    api = await startApi({
      store: STORE,
      taskQueuePrefix: `camp${Date.now().toString(36)}`,
      authFailureLimits: {
        perKey: 1_000_000,
        perAddress: 1_000_000,
        windowSeconds: 60,
        namespace: `camp-${randomUUID()}`,
      },
    });
    const principals = principalRepository(api.db);
    outsider = (await principals.create({ name: 'Out Sider', role: 'admin', stores: ['another-store'] }))
      .apiKey;
    operator = (await principals.create({ name: 'Op Erator', role: 'operator', stores: [STORE] })).apiKey;
  });
  afterAll(async () => api?.close());

  async function snapshot(): Promise<Record<string, string>> {
    const tables = await api.db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    const out: Record<string, string> = {};
    for (const { table_name: t } of tables.rows) {
      if (AUDIT_TABLES.has(t)) continue;
      const r = await api.db.query<{ h: string | null }>(
        // A key's last-used time is bookkeeping of a successful sign-in, not a business row.
        `SELECT md5(string_agg((to_jsonb(x) - 'last_used_at')::text, '|' ORDER BY (to_jsonb(x) - 'last_used_at')::text)) AS h FROM "${t}" x`,
      );
      out[t] = r.rows[0]?.h ?? 'empty';
    }
    return out;
  }

  it('answers every generated case with a 4xx and a stable code, and changes no row', async () => {
    const doc = (await api.call('GET', '/openapi.json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({ path, method: method.toUpperCase() })),
    );
    // Webhooks are signed, not keyed; the sign-in pages answer HTML: both have tests of their own.
    const targets = operations.filter(
      (o) =>
        !['/health', '/openapi.json', '/webhooks/shopify'].includes(o.path) &&
        !/login|logout|dashboard/.test(o.path),
    );
    expect(targets.length).toBeGreaterThan(15);

    const huge = 'x'.repeat(3 * 1024 * 1024);
    const forged = `qk_${'0'.repeat(16)}_${'A'.repeat(43)}`;
    const massAssignment = fc.record(
      {
        decidedBy: fc.constant({ userId: 'u_root', name: 'Root', role: 'admin', approvalLimit: null }),
        role: fc.constant('admin'),
        approvalLimit: fc.constant('99999999.00'),
        stores: fc.constant(null),
        outcome: fc.constant('approve'),
      },
      { requiredKeys: [] },
    );
    const badBody = fc.oneof(
      fc.constantFrom('{"a":', '{', 'nul', '[1,2', '{"outcome":"approve",}', '\u0000'),
      fc
        .jsonValue()
        .filter((v) => typeof v !== 'object' || v === null || Array.isArray(v))
        .map((v) => JSON.stringify(v)),
      fc
        .record({
          outcome: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null)),
          amount: fc.oneof(fc.integer(), fc.constant('1e9'), fc.constant('NaN')),
        })
        .map((v) => JSON.stringify(v)),
    );
    const idArb = fc.oneof(
      fc.constantFrom(
        "%00%ff'--",
        '..%2f..%2fetc',
        `order:another-store:1`,
        '9'.repeat(400),
        'o-1',
        '%E0%A4%A',
      ),
      fc
        .string({ maxLength: 30 })
        .map((s) => encodeURIComponent(s))
        .filter((s) => s !== '' && s !== '.' && s !== '..'),
    );
    const keyed = fc.constantFrom<'none' | 'forged' | 'malformed' | 'outsider'>(
      'none',
      'forged',
      'malformed',
      'outsider',
    );

    const before = await snapshot();
    let cases = 0;
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...targets),
        idArb,
        keyed,
        fc.oneof(
          { weight: 3, arbitrary: badBody.map((b) => ({ kind: 'bad', text: b, key: 'valid' as const })) },
          {
            weight: 2,
            arbitrary: massAssignment.map((m) => ({
              kind: 'mass',
              text: JSON.stringify(m),
              key: 'any' as const,
            })),
          },
          {
            weight: 1,
            arbitrary: fc.constant({
              kind: 'huge',
              text: JSON.stringify({ reason: huge }),
              key: 'valid' as const,
            }),
          },
        ),
        async (op, id, who, payload) => {
          cases++;
          const path = op.path.replace(/\{[^}]+\}/g, id);
          // A valid in-scope key only ever sends input that cannot be valid; anything else goes with no key,
          // a forged or malformed one, or another store's admin.
          // Input that cannot be valid goes with a valid in-scope key; anything else goes with no key, a
          // forged or malformed one, or another store's admin (for a GET, which has no body: never the valid
          // key, and another store's admin only where the path names an object).
          const isGet = op.method === 'GET';
          const hasId = /\{/.test(op.path);
          const anyKey = { none: undefined, forged, malformed: 'Bearer-nonsense', outsider }[who];
          const key = isGet
            ? who === 'outsider' && !hasId
              ? forged
              : anyKey
            : payload.key === 'valid'
              ? operator
              : anyKey;
          const withBody = op.method !== 'GET';
          const r = await api.call(
            op.method,
            path,
            key,
            withBody ? payload.text : undefined,
            withBody ? { 'content-type': 'application/json' } : {},
          );
          const ok =
            r.status >= 400 &&
            r.status < 500 &&
            typeof r.body.code === 'string' &&
            /^[A-Z_]+\.[A-Z_]+$/.test(r.body.code) &&
            typeof r.body.requestId === 'string';
          if (!ok)
            failures.push(
              `${op.method} ${path} [${payload.kind}, ${key === operator ? 'operator' : who}] → ${r.status} ${r.text.slice(0, 200)}`,
            );
          return true;
        },
      ),
      { numRuns: 400, seed: 20261201 },
    );
    const health = await api.call('GET', '/health');
    expect(health.status).toBeLessThan(500);
    expect(failures).toEqual([]);
    expect(await snapshot()).toEqual(before);
    console.log(
      `bad-input campaign: ${cases} cases over ${targets.length} operations, all 4xx, no row changed`,
    );
  });
});
