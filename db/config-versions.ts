import type { z } from 'zod';
import { prepared, withTransaction, type Db, type DbClient } from './pool';

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
 * The newest saved version of each named config, in one statement (a name nobody saved is left out).
 * Versions are never changed once saved, but a cache of them would still need this round trip to
 * learn of a newer one, so none is kept.
 */
const newestOfEach = prepared<{ name: string; version: number; rules: unknown }>(
  'business-rules.newest',
  `SELECT n.name, b.version, b.rules FROM unnest($1::text[]) AS n(name)
     CROSS JOIN LATERAL (SELECT version, rules FROM business_rules r WHERE r.name = n.name
                          ORDER BY version DESC LIMIT 1) AS b`,
);

/** The current version of each of these configs, read together (each as its own `current` reads it). */
export async function currentOfEach<T>(
  db: Db | DbClient,
  configs: { name: string; valueOf(row?: { version: number; rules: unknown }): ConfigVersion<T> }[],
): Promise<ConfigVersion<T>[]> {
  const { rows } = await newestOfEach(db, [configs.map((c) => c.name)]);
  return configs.map((c) => c.valueOf(rows.find((r) => r.name === c.name)));
}

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
  /** A saved row's version and value; version 0 (the built-in defaults) when there is none. */
  const valueOf = (row?: { version: number; rules: unknown }): ConfigVersion<T> =>
    row ? { version: row.version, value: schema.parse(row.rules) } : { version: 0, value: schema.parse({}) };
  return {
    name,
    valueOf,
    /** The newest version; version 0 (the built-in defaults) when nobody has saved one. */
    async current(db: Db | DbClient): Promise<ConfigVersion<T>> {
      const [last] = await newest(db, 1);
      return last ?? valueOf();
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
