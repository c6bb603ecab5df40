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

/** A pool whose sessions see only the sandbox schema, in UTC. */
export function createSandboxPool(
  databaseUrl: string,
  schema = SANDBOX_ERP_SCHEMA,
  max = 10,
  log?: Logger,
): Db {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max,
    application_name: 'sandbox-erp',
    options: `-c search_path=${validSchema(schema)} -c timezone=UTC`,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', (err) => log?.warn({ err }, 'idle PostgreSQL client error'));
  return pool;
}

export async function migrateSandboxErp(
  databaseUrl: string,
  schema = SANDBOX_ERP_SCHEMA,
  log?: Logger,
): Promise<string[]> {
  return migrate(databaseUrl, { dir: SANDBOX_ERP_MIGRATIONS, schema: validSchema(schema), log });
}
