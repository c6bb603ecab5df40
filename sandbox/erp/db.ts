import path from 'node:path';
import pg from 'pg';
import { migrate } from '../../db/migrate';
import type { Db } from '../../db/pool';
import type { Logger } from '../../platform/logger';

export const SANDBOX_ERP_SCHEMA = 'sandbox_erp';
export const SANDBOX_ERP_MIGRATIONS = path.join(__dirname, 'migrations');

const validSchema = (schema: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name: ${schema}`);
  return schema;
};

const validTimeZone = (zone: string) => {
  if (!/^[A-Za-z0-9_+\-/:.]+$/.test(zone)) throw new Error(`invalid time zone: ${zone}`);
  return zone;
};

/** The session time zone of the pools made here (a pool from elsewhere: unknown). */
const poolTimeZones = new WeakMap<Db, string>();

/**
 * A pool whose sessions see only the sandbox schema, in `timeZone` (UTC unless given): the ERP
 * opens it in the account's time zone, so its sessions have it from their start and no request
 * needs to set it.
 */
export function createSandboxPool(
  databaseUrl: string,
  schema = SANDBOX_ERP_SCHEMA,
  max = 10,
  log?: Logger,
  timeZone = 'UTC',
): Db {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max,
    application_name: 'sandbox-erp',
    options: `-c search_path=${validSchema(schema)} -c timezone=${validTimeZone(timeZone)}`,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', (err) => log?.warn({ err }, 'idle PostgreSQL client error'));
  poolTimeZones.set(pool, timeZone);
  return pool;
}

/** The time zone a pool's sessions start in, where createSandboxPool made it. */
export const sandboxPoolTimeZone = (db: Db): string | undefined => poolTimeZones.get(db);

export async function migrateSandboxErp(
  databaseUrl: string,
  schema = SANDBOX_ERP_SCHEMA,
  log?: Logger,
): Promise<string[]> {
  return migrate(databaseUrl, { dir: SANDBOX_ERP_MIGRATIONS, schema: validSchema(schema), log });
}
