import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { withTransaction, type Db } from '../../db/pool';
import { createSandboxPool } from '../../sandbox/erp/db';
import { startErpSandbox, type RunningErpSandbox } from './harness';
import type { InventoryLevel } from '../../domain/erp';

/**
 * A NetSuite account answers SuiteQL in its own time zone. These tests place stock changes at
 * chosen instants — across a fall-back overlap, where one wall time names two instants, and across a
 * spring-forward gap — and read them through the connector's change cursor page by page: every
 * change must come exactly once, in order, with its real instant.
 */

interface Case {
  zone: string;
  /** Instants of the changes, in order (ISO, UTC). */
  changes: string[];
}

const CASES: Case[] = [
  {
    // 2026-11-01 02:00 PDT → 01:00 PST: 01:00–01:59 happens twice (08:00–08:59Z and 09:00–09:59Z).
    zone: 'America/Los_Angeles',
    changes: [
      '2026-11-01T07:50:00.000Z', // 00:50 PDT
      '2026-11-01T08:10:00.000Z', // 01:10 PDT
      '2026-11-01T08:40:00.250Z', // 01:40 PDT
      '2026-11-01T09:05:00.000Z', // 01:05 PST, an earlier wall time than the change before it
      '2026-11-01T09:30:00.000Z', // 01:30 PST
      '2026-11-01T09:30:00.000Z', // the same instant, another record
      '2026-11-01T10:10:00.000Z', // 02:10 PST
      // 2027-03-14 02:00 PST → 03:00 PDT: no wall time from 02:00 to 02:59.
      '2027-03-14T09:59:00.000Z', // 01:59 PST
      '2027-03-14T10:01:00.000Z', // 03:01 PDT
    ],
  },
  {
    // 2026-04-05 03:00 AEDT → 02:00 AEST: 02:00–02:59 happens twice (15:00–15:59Z and 16:00–16:59Z).
    zone: 'Australia/Sydney',
    changes: [
      '2026-04-04T15:20:00.000Z', // 02:20 AEDT
      '2026-04-04T16:10:00.000Z', // 02:10 AEST
      '2026-04-04T16:50:00.000Z', // 02:50 AEST
      '2026-04-04T17:00:00.000Z', // 03:00 AEST
    ],
  },
];

async function placeChanges(db: Db, changes: string[]): Promise<{ sku: string; location: string }[]> {
  return withTransaction(db, async (q) => {
    // Set the clock of chosen rows, as if they had changed then (the touch trigger would overwrite it).
    await q.query('SET LOCAL session_replication_role = replica');
    await q.query(`UPDATE inventory SET last_modified = '2026-01-01T00:00:00Z'`);
    const rows = (
      await q.query<{ id: number; sku: string; location_id: number }>(
        `SELECT v.id, i.item_id AS sku, v.location_id FROM inventory v JOIN item i ON i.id = v.item_id
          ORDER BY v.id LIMIT $1`,
        [changes.length],
      )
    ).rows;
    // Same-instant changes are delivered by id, so ids go in order.
    for (const [k, at] of changes.entries())
      await q.query('UPDATE inventory SET last_modified = $2 WHERE id = $1', [rows[k]!.id, at]);
    return rows.map((r) => ({ sku: r.sku, location: String(r.location_id) }));
  });
}

describe.each(CASES)('change cursors in an account in $zone', ({ zone, changes }) => {
  let erp: RunningErpSandbox;
  let db: Db;
  let expected: { sku: string; location: string; lastModified: string }[];

  beforeAll(async () => {
    erp = await startErpSandbox({ skus: 10, customers: 3, preferences: { timeZone: zone } });
    db = createSandboxPool(inject('databaseUrl'), erp.schema, 1);
    const rows = await placeChanges(db, changes);
    expected = rows.map((r, k) => ({ ...r, lastModified: changes[k]! }));
  });
  afterAll(async () => {
    await db?.end();
    await erp?.close();
  });

  it.each([1, 2, 3, 100])(
    'delivers every change once, in order, at its real instant (pages of %i)',
    async (size) => {
      const client = erp.client();
      let cursor: string | null = client.cursorAt(new Date('2026-01-02T00:00:00Z'));
      const seen: InventoryLevel[] = [];
      for (let pages = 0; pages < 50; pages++) {
        const page = await client.inventoryChangedSince(cursor, size);
        seen.push(...page.items);
        cursor = page.nextCursor;
        if (!page.hasMore) break;
      }
      expect(seen.map((l) => ({ sku: l.sku, location: l.location, lastModified: l.lastModified }))).toEqual(
        expected,
      );
      // Nothing more once caught up: the cursor holds.
      const idle = await client.inventoryChangedSince(cursor, size);
      expect(idle.items).toEqual([]);
      expect(idle.nextCursor).toBe(cursor);
    },
  );

  it('resumes from a cursor inside the repeated hour without missing or repeating a change', async () => {
    const client = erp.client();
    for (let k = 0; k < changes.length - 1; k++) {
      const from = client.cursorAt(new Date('2026-01-02T00:00:00Z'));
      // Walk to change k, then read the rest in one page from the cursor it left.
      let cursor: string | null = from;
      for (let i = 0; i <= k; i++) cursor = (await client.inventoryChangedSince(cursor, 1)).nextCursor;
      const rest = await client.inventoryChangedSince(cursor, 100);
      expect(rest.items.map((l) => l.lastModified)).toEqual(changes.slice(k + 1));
    }
  });
});

describe('change cursors and the account time zone', () => {
  let erp: RunningErpSandbox;
  beforeAll(async () => {
    erp = await startErpSandbox({ skus: 10, customers: 3, preferences: { timeZone: 'Asia/Kolkata' } });
  });
  afterAll(async () => {
    await erp?.close();
  });

  it('reports a change made now at now, not hours off, in a zone with a half-hour offset', async () => {
    const client = erp.client();
    const cursor = client.cursorAt(new Date(Date.now() - 60_000));
    const before = Date.now();
    await erp.admin('POST', '/inventory/receive', { sku: 'P1', location: '1', quantity: 3 });
    const page = await client.inventoryChangedSince(cursor, 100);
    const mine = page.items.find((l) => l.sku === 'P1' && l.location === '1');
    expect(mine).toBeDefined();
    const at = Date.parse(mine!.lastModified);
    expect(at).toBeGreaterThanOrEqual(before - 1_000);
    expect(at).toBeLessThanOrEqual(Date.now() + 1_000);
  });

  it('reads a cursor saved in the earlier UTC format as UTC', async () => {
    const client = erp.client();
    const now = new Date(Date.now() - 60_000);
    const legacy = `${now.toISOString().replace('T', ' ').replace('Z', '')}|0`;
    await erp.admin('POST', '/inventory/receive', { sku: 'P2', location: '1', quantity: 1 });
    const page = await client.inventoryChangedSince(legacy, 100);
    expect(page.items.some((l) => l.sku === 'P2' && l.location === '1')).toBe(true);
    const old = await client.inventoryChangedSince(
      `${new Date(Date.now() + 3_600_000).toISOString().replace('T', ' ').replace('Z', '')}|0`,
      100,
    );
    expect(old.items).toEqual([]);
  });
});
