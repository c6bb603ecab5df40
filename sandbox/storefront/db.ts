import path from 'node:path';
import pg from 'pg';
import { migrate } from '../../db/migrate';
import type { Logger } from '../../platform/logger';

export const SANDBOX_STORE_SCHEMA = 'sandbox_store';
export const SANDBOX_STORE_MIGRATIONS = path.join(__dirname, 'migrations');

export type StoreDb = pg.Pool;

/** What the store's resolvers read rows as and take arguments as (GraphQL has checked them). */
export type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export type Args = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
/** The pool, or a transaction's client. */
export type Q = Pick<pg.PoolClient, 'query'> | StoreDb;
/** A mutation's `userErrors` entry, as Shopify answers one. */
export interface UserError {
  field: string[] | null;
  message: string;
  code?: string;
}

export const rows = async (db: Q, sql: string, params: unknown[] = []) =>
  (await db.query(sql, params)).rows as Row[];
export const one = async (db: Q, sql: string, params: unknown[] = []) => (await rows(db, sql, params))[0];

/** The sandbox store's own pool: its schema on the search path, and int8 ids kept as exact strings. */
export function createStorePool(databaseUrl: string, max = 5, schema = SANDBOX_STORE_SCHEMA): StoreDb {
  return new pg.Pool({
    connectionString: databaseUrl,
    max,
    application_name: 'quayside-sandbox-store',
    options: `-c search_path=${schema}`,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === pg.types.builtins.INT8
          ? (v: string) => v
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
}

/** Applies the sandbox store's migrations; another `schema` gives a separate store in the same database. */
export function migrateStore(
  databaseUrl: string,
  log?: Logger,
  schema = SANDBOX_STORE_SCHEMA,
): Promise<string[]> {
  return migrate(databaseUrl, { dir: SANDBOX_STORE_MIGRATIONS, schema, log });
}

/** `gid://shopify/<Type>/<id>` */
export const gid = (type: string, id: string | number | bigint) => `gid://shopify/${type}/${id}`;

/** The numeric id inside a gid (or a bare numeric id); undefined when it is neither, or of another type. */
export function idOf(value: string | null | undefined, type?: string): string | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return value;
  const m = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)$/.exec(value);
  if (!m || (type && m[1] !== type)) return undefined;
  return m[2];
}
