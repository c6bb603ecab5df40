import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Money } from '../../domain/money';
import { LOCATIONS, seedCustomer, seedItem, storeSku } from '../erp/scenario';
import type { StoreDb } from './db';

/**
 * The sandbox store's side of the acceptance scenario, generated from the same index functions as the
 * sandbox ERP (sandbox/erp/scenario.ts): the ERP's warehouses as store locations, every ERP customer as
 * a store customer with its B2B company and company location, and one product per ERP item
 * (`PROD-n` for ERP item `Pn`) carrying the ERP base price, stocked at every location. Ids come from
 * the store's own sequence, so they stay above 2^53 like every other sandbox store id.
 */

export interface StoreSeedOptions {
  skus: number;
  customers: number;
  /** Called as rows are written: rows done so far, rows in all. */
  onProgress?: (done: number, total: number) => void;
}

export interface StoreSeedResult {
  locations: number;
  products: number;
  inventoryLevels: number;
  customers: number;
  companies: number;
  ms: number;
}

const cell = (v: string | number | boolean | null) =>
  v === null ? '\\N' : typeof v === 'boolean' ? (v ? 't' : 'f') : String(v).replace(/[\\\t\n]/g, ' ');
const row = (...cells: (string | number | boolean | null)[]) => `${cells.map(cell).join('\t')}\n`;
const COPY_CHUNK = 5_000;

async function copyRows(
  c: pg.PoolClient,
  table: string,
  columns: string[],
  rows: Iterable<string>,
  tick: (n: number) => void,
): Promise<void> {
  function* chunks() {
    let buf = '';
    let n = 0;
    for (const r of rows) {
      buf += r;
      if (++n === COPY_CHUNK) {
        tick(n);
        yield buf;
        buf = '';
        n = 0;
      }
    }
    if (n) {
      tick(n);
      yield buf;
    }
  }
  await pipeline(
    Readable.from(chunks()),
    c.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`)),
  );
}

/** True once the scenario's products are in the store (the first scenario SKU exists). */
export async function isStoreSeeded(db: StoreDb): Promise<boolean> {
  const r = await db.query<{ seeded: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM variants WHERE sku = $1) AS seeded',
    [storeSku(1)],
  );
  return r.rows[0]!.seeded;
}

/**
 * Writes the scenario into the store schema on the pool's search path, in one transaction. Rows
 * the store already has (a SKU or an email taken, e.g. by the buyer simulator) are left as they are.
 */
export async function seedSandboxStore(db: StoreDb, opts: StoreSeedOptions): Promise<StoreSeedResult> {
  const started = Date.now();
  const { skus, customers } = opts;
  // Staging rows (items, customers), then the store rows built from them in SQL.
  const total = skus + customers + skus * (3 + LOCATIONS.length) + customers * 4;
  let done = 0;
  const tick = (n: number) => {
    done = Math.min(total, done + n);
    opts.onProgress?.(done, total);
  };

  const c = await db.connect();
  try {
    await c.query('BEGIN');
    await c.query('LOCK TABLE variants, customers IN EXCLUSIVE MODE');

    // The ERP's warehouses, by name: the store's first locations take the ERP names, the rest are added.
    const existing = (
      await c.query<{ id: string; name: string }>('SELECT id, name FROM locations ORDER BY id')
    ).rows;
    const missing = LOCATIONS.filter((l) => !existing.some((e) => e.name === l.name));
    const spare = existing.filter((e) => !LOCATIONS.some((l) => l.name === e.name));
    for (const l of missing) {
      const reuse = spare.shift();
      if (reuse) await c.query('UPDATE locations SET name = $2 WHERE id = $1', [reuse.id, l.name]);
      else await c.query('INSERT INTO locations (name) VALUES ($1)', [l.name]);
    }

    // Ids come from the store's sequence as the staging rows are copied in.
    await c.query(`CREATE TEMP TABLE seed_item (
      i int PRIMARY KEY, sku text NOT NULL, title text NOT NULL, price numeric(12, 2) NOT NULL, published boolean NOT NULL,
      product_id bigint NOT NULL DEFAULT nextval('object_id'), variant_id bigint NOT NULL DEFAULT nextval('object_id'),
      inventory_item_id bigint NOT NULL DEFAULT nextval('object_id')) ON COMMIT DROP`);
    await c.query(`CREATE TEMP TABLE seed_customer (
      n int PRIMARY KEY, email text NOT NULL, company text NOT NULL, tax_exempt boolean NOT NULL, terms text NOT NULL, note text,
      customer_id bigint NOT NULL DEFAULT nextval('object_id'), company_id bigint NOT NULL DEFAULT nextval('object_id'),
      location_id bigint NOT NULL DEFAULT nextval('object_id')) ON COMMIT DROP`);

    const itemRows = function* () {
      for (let i = 1; i <= skus; i++) {
        const it = seedItem(i);
        yield row(i, storeSku(i), it.name, Money.ofMinor(it.basePriceCents, 'USD').toString(), !it.inactive);
      }
    };
    await copyRows(c, 'seed_item', ['i', 'sku', 'title', 'price', 'published'], itemRows(), tick);
    await c.query('DELETE FROM seed_item s USING variants v WHERE v.sku = s.sku');

    const customerRows = function* () {
      for (let n = 1; n <= customers; n++) {
        const cu = seedCustomer(n);
        const parent = cu.parentId ? seedCustomer(cu.parentId).companyName : null;
        yield row(n, cu.email, cu.companyName, cu.taxExempt, cu.terms, parent ? `Branch of ${parent}` : null);
      }
    };
    await copyRows(
      c,
      'seed_customer',
      ['n', 'email', 'company', 'tax_exempt', 'terms', 'note'],
      customerRows(),
      tick,
    );
    await c.query('DELETE FROM seed_customer s USING customers cu WHERE lower(cu.email) = lower(s.email)');
    await c.query('DELETE FROM seed_customer s USING companies co WHERE co.external_id = s.n::text');

    const step = async (sql: string, rows: number, params: unknown[] = []) => {
      await c.query(sql, params);
      tick(rows);
    };
    await step('INSERT INTO products (id, title) SELECT product_id, title FROM seed_item ORDER BY i', skus);
    await step(
      'INSERT INTO variants (id, product_id, sku, price, inventory_item_id) SELECT variant_id, product_id, sku, price, inventory_item_id FROM seed_item ORDER BY i',
      skus,
    );
    await step(
      'INSERT INTO product_publications (product_id, publication_id) SELECT s.product_id, p.id FROM seed_item s CROSS JOIN publications p WHERE s.published',
      skus,
    );
    await step(
      `INSERT INTO inventory_levels (inventory_item_id, location_id, available)
       SELECT s.inventory_item_id, l.id, 0 FROM seed_item s JOIN locations l ON l.name = ANY($1::text[])`,
      skus * LOCATIONS.length,
      [LOCATIONS.map((l) => l.name)],
    );

    await step(
      `INSERT INTO customers (id, email, first_name, last_name, company, tax_exempt, tags, note)
       SELECT customer_id, email, 'Accounts', 'Payable', company, tax_exempt, ARRAY['b2b'], note FROM seed_customer ORDER BY n`,
      customers,
    );
    await step(
      'INSERT INTO companies (id, name, external_id, note) SELECT company_id, company, n::text, note FROM seed_customer ORDER BY n',
      customers,
    );
    await step(
      'INSERT INTO company_contacts (company_id, customer_id) SELECT company_id, customer_id FROM seed_customer ORDER BY n',
      customers,
    );
    // Payment terms the store knows by the ERP's name (Net 15/30/60, Due on receipt); other terms stay unset.
    await step(
      `INSERT INTO company_locations (id, company_id, name, payment_terms_template_id)
       SELECT s.location_id, s.company_id, s.company, t.id FROM seed_customer s LEFT JOIN payment_terms_templates t ON lower(t.name) = lower(s.terms) ORDER BY s.n`,
      customers,
    );

    const counts = (
      await c.query<{ products: number; customers: number }>(
        'SELECT (SELECT count(*) FROM seed_item)::int AS products, (SELECT count(*) FROM seed_customer)::int AS customers',
      )
    ).rows[0]!;
    await c.query('COMMIT');
    await c.query(
      'ANALYZE products; ANALYZE variants; ANALYZE inventory_levels; ANALYZE customers; ANALYZE companies',
    );
    opts.onProgress?.(total, total);
    return {
      locations: LOCATIONS.length,
      products: counts.products,
      inventoryLevels: counts.products * LOCATIONS.length,
      customers: counts.customers,
      companies: counts.customers,
      ms: Date.now() - started,
    };
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}
