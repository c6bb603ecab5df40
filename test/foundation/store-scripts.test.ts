import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, sandboxStoreSchemaOf, storeNamed } from '../../platform/config';
import { privateTestDatabase } from '../support/env';

const root = path.resolve(__dirname, '../..');

const DTC = {
  name: 'dtc',
  shopDomain: 'acme-dtc.myshopify.com',
  adminUrl: 'http://127.0.0.1:1',
  accessToken: 'shpat_dtc',
  apiSecret: 'dtc-secret',
};
const stores = { QUAYSIDE_STORE: 'b2b', QUAYSIDE_MORE_STORES: JSON.stringify([DTC]) };

/** Runs one of the scripts with this environment; its exit code and everything it printed. */
function script(
  file: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('scripts', file), ...args], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'warn', LOG_PRETTY: 'false', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => resolve({ code, out }));
  });
}

describe('scripts of one store (--store)', () => {
  it('names the primary store by default, a configured one by --store, and refuses any other with the names there are', () => {
    const config = loadConfig(stores);
    expect(storeNamed(config).name).toBe('b2b');
    expect(storeNamed(config, 'dtc').shopDomain).toBe('acme-dtc.myshopify.com');
    expect(() => storeNamed(config, 'eu')).toThrow(
      '--store eu: no such store; the configured stores are b2b, dtc (QUAYSIDE_STORE and QUAYSIDE_MORE_STORES)',
    );
    expect(sandboxStoreSchemaOf(config, 'b2b')).toBe('sandbox_store');
    expect(sandboxStoreSchemaOf(config, 'dtc')).toBe('sandbox_store_dtc');
    expect(sandboxStoreSchemaOf(loadConfig({ ...stores, QUAYSIDE_STORE: 'b2b-eu' }), 'b2b-eu')).toBe(
      'sandbox_store',
    );
  });

  it('catalog:resync and price:resync refuse a store that is not configured before they start anything', async () => {
    for (const file of ['catalog-resync.ts', 'price-resync.ts']) {
      const { code, out } = await script(file, ['--store', 'eu'], {
        ...stores,
        TEMPORAL_ADDRESS: '127.0.0.1:1',
      });
      expect(code, out).toBe(1);
      expect(out).toContain('--store eu: no such store; the configured stores are b2b, dtc');
    }
  }, 60_000);

  describe('the seed', () => {
    let own: Awaited<ReturnType<typeof privateTestDatabase>>;
    beforeAll(async () => {
      own = await privateTestDatabase();
    });
    afterAll(async () => own?.drop());

    it('seeds the second store’s sandbox shop in its own schema and maps it for that store only', async () => {
      const env = {
        ...stores,
        DATABASE_URL: own.url,
        SANDBOX_ERP_SCHEMA: 'sandbox_erp',
        SANDBOX_ERP_SKUS: '30',
        SANDBOX_ERP_CUSTOMERS: '6',
      };
      const erp = await script('seed-erp.ts', ['--no-mappings'], env);
      expect(erp.code, erp.out).toBe(0);
      const shop = await script('seed-store.ts', ['--store', 'dtc'], env);
      expect(shop.code, shop.out).toBe(0);
      expect(shop.out).toContain('mapped 30 SKUs, 6 customers');
      expect(shop.out).toContain('for store dtc');
      const mapped = await own.db.query<{ store: string; n: number }>(
        'SELECT store, count(*)::int AS n FROM sku_map GROUP BY store ORDER BY store',
      );
      expect(mapped.rows).toEqual([{ store: 'dtc', n: 30 }]);
      const schemas = await own.db.query<{ shop: boolean; primary: boolean }>(
        `SELECT to_regclass('sandbox_store_dtc.customers') IS NOT NULL AS shop,
                to_regclass('sandbox_store.customers') IS NOT NULL AS primary`,
      );
      expect(schemas.rows[0]).toEqual({ shop: true, primary: false });

      const refused = await script('seed-store.ts', ['--store', 'eu'], env);
      expect(refused.code).toBe(1);
      expect(refused.out).toContain('seed-store: --store eu: no such store');
    }, 120_000);
  });
});
