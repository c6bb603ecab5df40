import type { z } from 'zod';
import { withTransaction, type Db, type DbClient } from './pool';

export interface ConfigVersion<T> {
  version: number;
  value: T;
  createdAt?: string;
  createdBy?: string;
  comment?: string | null;
}

/**
 * One named piece of configuration as data, kept like the business rules (same table): validated
 * by its zod schema on save and on read, each save a new version with who and why.
 */
export function versionedConfig<S extends z.ZodType>(name: string, schema: S) {
  type T = z.infer<S>;
  const read = async (db: Db | DbClient): Promise<ConfigVersion<T>> => {
    const res = await db.query<{
      version: number;
      rules: unknown;
      created_at: Date;
      created_by: string;
      comment: string | null;
    }>(
      'SELECT version, rules, created_at, created_by, comment FROM business_rules WHERE name = $1 ORDER BY version DESC LIMIT 1',
      [name],
    );
    const row = res.rows[0];
    if (!row) return { version: 0, value: schema.parse({}) };
    return {
      version: row.version,
      value: schema.parse(row.rules),
      createdAt: row.created_at.toISOString(),
      createdBy: row.created_by,
      comment: row.comment,
    };
  };
  return {
    name,
    /** The newest version; version 0 (the built-in defaults) when nobody has saved one. */
    current: read,
    /** Validates (throws a ZodError naming the bad field) and stores the value as the next version. */
    async save(db: Db, input: unknown, by: string, comment?: string): Promise<ConfigVersion<T>> {
      const value = schema.parse(input);
      return withTransaction(db, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`business_rules:${name}`]);
        const next = await client.query<{ version: number }>(
          'SELECT COALESCE(MAX(version), 0) + 1 AS version FROM business_rules WHERE name = $1',
          [name],
        );
        const version = next.rows[0]?.version ?? 1;
        await client.query(
          'INSERT INTO business_rules (name, version, rules, created_by, comment) VALUES ($1, $2, $3, $4, $5)',
          [name, version, value, by, comment ?? null],
        );
        return { version, value, createdBy: by, comment: comment ?? null };
      });
    },
    /** Every version with its value, newest first. */
    async versions(db: Db, limit = 50): Promise<ConfigVersion<T>[]> {
      const res = await db.query<{
        version: number;
        rules: unknown;
        created_at: Date;
        created_by: string;
        comment: string | null;
      }>(
        'SELECT version, rules, created_at, created_by, comment FROM business_rules WHERE name = $1 ORDER BY version DESC LIMIT $2',
        [name, limit],
      );
      return res.rows.map((r) => ({
        version: r.version,
        value: schema.parse(r.rules),
        createdAt: r.created_at.toISOString(),
        createdBy: r.created_by,
        comment: r.comment,
      }));
    },
    async history(db: Db, limit = 50): Promise<Omit<ConfigVersion<T>, 'value'>[]> {
      const res = await db.query<{
        version: number;
        created_at: Date;
        created_by: string;
        comment: string | null;
      }>(
        'SELECT version, created_at, created_by, comment FROM business_rules WHERE name = $1 ORDER BY version DESC LIMIT $2',
        [name, limit],
      );
      return res.rows.map((r) => ({
        version: r.version,
        createdAt: r.created_at.toISOString(),
        createdBy: r.created_by,
        comment: r.comment,
      }));
    },
  };
}
