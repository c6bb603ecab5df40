import path from 'node:path';
import pg from 'pg';
import { runner, type RunnerOption } from 'node-pg-migrate';
import type { Logger } from '../platform/logger';

export const MIGRATIONS_DIR = path.join(__dirname, 'migrations');

/** Creates the database named in `databaseUrl` when it does not exist yet. */
export async function ensureDatabase(databaseUrl: string): Promise<{ created: boolean }> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name) throw new Error('DATABASE_URL names no database');
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount) return { created: false };
    try {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    } catch (err) {
      // Another process created it at the same time.
      if ((err as { code?: string }).code !== '42P04') throw err;
      return { created: false };
    }
    return { created: true };
  } finally {
    await client.end();
  }
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/**
 * Applies the ordered plain-SQL migrations in `dir` (default: db/migrations) with node-pg-migrate.
 * `schema` keeps a component's tables (and its migration ledger) in its own schema.
 */
export async function migrate(
  databaseUrl: string,
  opts: { dir?: string; schema?: string; log?: Logger } = {},
): Promise<string[]> {
  const schema = opts.schema ?? 'public';
  const options: RunnerOption = {
    databaseUrl,
    // Processes starting together (API, worker, sandboxes) take turns instead of failing.
    advisoryLockMode: 'wait',
    dir: opts.dir ?? MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'schema_migrations',
    schema,
    createSchema: schema !== 'public',
    createMigrationsSchema: schema !== 'public',
    checkOrder: true,
    count: Infinity,
    logger: {
      info: (msg: string) => opts.log?.debug(msg),
      warn: (msg: string) => opts.log?.warn(msg),
      error: (msg: string) => opts.log?.error(msg),
      debug: () => undefined,
    },
  };
  const applied = await runner(options);
  return applied.map((m) => m.name);
}
