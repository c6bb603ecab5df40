import type { z } from 'zod';
import { withTransaction, type Db, type DbClient } from './pool';

export interface ConfigVersion<T> {
  version: number;
  value: T;
  createdAt?: string;
  createdBy?: string;
  comment?: string | null;
}

/** A saved version: who saved it, when and why. */
export type SavedVersion<T> = Required<ConfigVersion<T>>;

interface VersionRow {
  version: number;
  created_at: Date;
  created_by: string;
  comment: string | null;
}

const savedBy = (r: VersionRow) => ({
  createdAt: r.created_at.toISOString(),
  createdBy: r.created_by,
  comment: r.comment,
});

/**
 * One named piece of configuration as data, kept like the business rules (same table): validated
 * by its zod schema on save and on read, each save a new version with who and why.
 */
export function versionedConfig<S extends z.ZodType>(name: string, schema: S) {
  type T = z.infer<S>;
  /** The newest `limit` versions with their values, newest first. */
  const newest = async (db: Db | DbClient, limit: number): Promise<SavedVersion<T>[]> => {
    const res = await db.query<VersionRow & { rules: unknown }>(
      'SELECT version, rules, created_at, created_by, comment FROM business_rules WHERE name = $1 ORDER BY version DESC LIMIT $2',
      [name, limit],
    );
    return res.rows.map((r) => ({ version: r.version, value: schema.parse(r.rules), ...savedBy(r) }));
  };
  return {
    name,
    /** The newest version; version 0 (the built-in defaults) when nobody has saved one. */
    async current(db: Db | DbClient): Promise<ConfigVersion<T>> {
      const [last] = await newest(db, 1);
      return last ?? { version: 0, value: schema.parse({}) };
    },
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
    versions: (db: Db, limit = 50) => newest(db, limit),
    async history(db: Db, limit = 50): Promise<Omit<ConfigVersion<T>, 'value'>[]> {
      const res = await db.query<VersionRow>(
        'SELECT version, created_at, created_by, comment FROM business_rules WHERE name = $1 ORDER BY version DESC LIMIT $2',
        [name, limit],
      );
      return res.rows.map((r) => ({ version: r.version, ...savedBy(r) }));
    },
  };
}
