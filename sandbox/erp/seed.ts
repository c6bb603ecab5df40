import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { withTransaction, type Db, type DbClient } from '../../db/pool';
import { Money } from '../../domain/money';
import {
  contractItems,
  LOCATIONS,
  PRICE_LEVELS,
  seedCustomer,
  seedItem,
  seedOnHand,
  stockedType,
  TERMS,
} from './scenario';

export interface SeedOptions {
  skus: number;
  customers: number;
  /** Called as rows are written: rows done so far, rows in all. */
  onProgress?: (done: number, total: number) => void;
}

export interface SeedResult {
  items: number;
  customers: number;
  inventory: number;
  prices: number;
  ms: number;
}

const cell = (v: string | number | boolean | null) =>
  v === null ? '\\N' : typeof v === 'boolean' ? (v ? 't' : 'f') : String(v).replace(/[\\\t\n]/g, ' ');
const row = (...cells: (string | number | boolean | null)[]) => `${cells.map(cell).join('\t')}\n`;
const cents = (c: number) => Money.ofMinor(c, 'USD').toString();
/** `percent` % of a price in cents, exactly and rounded half up to the cent. */
const pct = (c: number, percent: number) => Money.ofMinor(c, 'USD').percent(String(percent)).toString();

async function copyRows(
  q: DbClient,
  table: string,
  columns: string[],
  rows: Iterable<string>,
  tick: (n: number) => void,
): Promise<number> {
  let count = 0;
  function* batches() {
    let buf = '';
    let n = 0;
    for (const r of rows) {
      buf += r;
      n++;
      if (n === 5_000) {
        count += n;
        tick(n);
        yield buf;
        buf = '';
        n = 0;
      }
    }
    if (n) {
      count += n;
      tick(n);
      yield buf;
    }
  }
  await pipeline(
    Readable.from(batches()),
    q.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`)),
  );
  return count;
}

export async function isSeeded(db: Db): Promise<boolean> {
  const r = await db.query<{ seeded: boolean }>('SELECT EXISTS (SELECT 1 FROM item) AS seeded');
  return r.rows[0]!.seeded;
}

/**
 * Writes the acceptance scenario into an empty sandbox schema with COPY: 3 warehouses, price
 * levels, terms, customers (contract prices, credit limits, tax-exempt and parent/child accounts)
 * and `skus` items (variants, kits, assemblies, serialized and hazmat items) with stock per warehouse.
 */
export async function seedSandboxErp(db: Db, opts: SeedOptions): Promise<SeedResult> {
  const started = Date.now();
  const { skus, customers } = opts;
  const items = Array.from({ length: skus }, (_, k) => seedItem(k + 1));
  const stocked = items.filter((it) => stockedType(it.type));
  const breaks = items.filter((it) => it.id % 10 === 0).length * 2;
  const total = customers + skus + stocked.length * LOCATIONS.length + skus * 3 + breaks + customers * 20;
  let done = 0;
  const tick = (n: number) => {
    done += n;
    opts.onProgress?.(Math.min(done, total), total);
  };

  return withTransaction(db, async (q) => {
    await q.query('LOCK TABLE item IN EXCLUSIVE MODE');
    if ((await q.query('SELECT 1 FROM item LIMIT 1')).rowCount)
      throw new Error('the sandbox ERP schema is already seeded');

    for (const l of LOCATIONS)
      await q.query('INSERT INTO location (id, name) VALUES ($1, $2)', [l.id, l.name]);
    for (const p of PRICE_LEVELS)
      await q.query('INSERT INTO price_level (id, name, discount_pct) VALUES ($1, $2, $3)', [
        p.id,
        p.name,
        p.discountPct,
      ]);
    for (const t of TERMS)
      await q.query('INSERT INTO term (id, name, days_until_due) VALUES ($1, $2, $3)', [
        t.id,
        t.name,
        t.days,
      ]);

    const custRows = function* () {
      for (let n = 1; n <= customers; n++) {
        const c = seedCustomer(n);
        yield row(
          c.id,
          `CUST${c.id}`,
          c.companyName,
          c.email,
          c.creditLimit,
          cents(c.balanceCents),
          c.terms,
          c.priceLevel,
          c.taxExempt,
          c.taxId,
          c.parentId,
        );
      }
    };
    const nCustomers = await copyRows(
      q,
      'customer',
      [
        'id',
        'entity_id',
        'company_name',
        'email',
        'credit_limit',
        'balance',
        'terms',
        'price_level',
        'tax_exempt',
        'tax_id',
        'parent_id',
      ],
      custRows(),
      tick,
    );

    const itemRows = function* () {
      for (const it of items)
        yield row(
          it.id,
          it.itemId,
          it.name,
          it.type,
          it.parentId,
          it.serialized,
          it.hazmat,
          cents(it.basePriceCents),
          it.inactive,
          it.category,
          it.weightLb,
          'lb',
        );
    };
    const nItems = await copyRows(
      q,
      'item',
      [
        'id',
        'item_id',
        'display_name',
        'item_type',
        'parent_id',
        'serialized',
        'hazmat',
        'base_price',
        'inactive',
        'category',
        'weight',
        'weight_unit',
      ],
      itemRows(),
      tick,
    );
    const kits = items.filter((it) => it.type === 'Kit' && it.id > 2).map((it) => it.id);
    await q.query(
      `INSERT INTO kit_member (kit_id, member_id, quantity)
       SELECT k, k - 1, 1 FROM unnest($1::int[]) AS k UNION ALL SELECT k, k - 2, 2 FROM unnest($1::int[]) AS k`,
      [kits],
    );

    const invRows = function* () {
      for (const it of stocked) for (const l of LOCATIONS) yield row(it.id, l.id, seedOnHand(it.id, l.id), 0);
    };
    const nInventory = await copyRows(
      q,
      'inventory',
      ['item_id', 'location_id', 'on_hand', 'committed'],
      invRows(),
      tick,
    );

    const priceRows = function* () {
      for (const it of items) {
        for (const p of PRICE_LEVELS.slice(1, 4))
          yield row(it.id, p.name, null, 1, pct(it.basePriceCents, 100 - p.discountPct));
        if (it.id % 10 === 0) {
          yield row(it.id, 'Base Price', null, 10, pct(it.basePriceCents, 97));
          yield row(it.id, 'Base Price', null, 100, pct(it.basePriceCents, 93));
        }
      }
      for (let n = 1; n <= customers; n++) {
        for (const i of new Set(contractItems(n, skus)))
          yield row(i, null, n, 1, pct(seedItem(i).basePriceCents, 80));
      }
    };
    const nPrices = await copyRows(
      q,
      'item_price',
      ['item_id', 'price_level', 'customer_id', 'min_quantity', 'unit_price'],
      priceRows(),
      tick,
    );

    for (const [table, col] of [
      ['location', 'id'],
      ['price_level', 'id'],
      ['term', 'id'],
      ['customer', 'id'],
      ['item', 'id'],
    ] as const) {
      await q.query(
        `SELECT setval(pg_get_serial_sequence('${table}', '${col}'), (SELECT COALESCE(max(${col}), 0) + 1 FROM ${table}), false)`,
      );
    }
    opts.onProgress?.(total, total);
    await q.query('ANALYZE item; ANALYZE inventory; ANALYZE item_price; ANALYZE customer');
    return {
      items: nItems,
      customers: nCustomers,
      inventory: nInventory,
      prices: nPrices,
      ms: Date.now() - started,
    };
  });
}
