import type { BusinessRulesInput, RulesSnapshot } from '../domain/rules';
import { withTransaction, type Db } from './pool';
import { BusinessRules, DEFAULT_RULES } from '../domain/schemas/rules';

export const ORDER_RULES = 'orders';

export interface RulesVersion extends RulesSnapshot {
  createdAt: string;
  createdBy: string;
  comment: string | null;
}

/** Business rules as data: validated with zod, every save a new version with who and why. */
export function rulesRepository(db: Db) {
  return {
    /** The newest version; version 0 (the built-in defaults) when nobody has saved any. */
    async current(name = ORDER_RULES): Promise<RulesSnapshot> {
      const res = await db.query<{ version: number; rules: unknown }>(
        'SELECT version, rules FROM business_rules WHERE name = $1 ORDER BY version DESC LIMIT 1',
        [name],
      );
      const row = res.rows[0];
      if (!row) return { version: 0, rules: DEFAULT_RULES };
      return { version: row.version, rules: BusinessRules.parse(row.rules) };
    },
    /** Validates (throws a ZodError naming the bad field) and stores the rules as the next version. */
    async save(
      input: BusinessRulesInput,
      by: string,
      comment?: string,
      name = ORDER_RULES,
    ): Promise<RulesSnapshot> {
      const rules = BusinessRules.parse(input);
      return withTransaction(db, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`business_rules:${name}`]);
        const next = await client.query<{ version: number }>(
          'SELECT COALESCE(MAX(version), 0) + 1 AS version FROM business_rules WHERE name = $1',
          [name],
        );
        const version = next.rows[0]?.version ?? 1;
        await client.query(
          'INSERT INTO business_rules (name, version, rules, created_by, comment) VALUES ($1, $2, $3, $4, $5)',
          [name, version, rules, by, comment ?? null],
        );
        return { version, rules };
      });
    },
    async history(name = ORDER_RULES, limit = 50): Promise<RulesVersion[]> {
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
        rules: BusinessRules.parse(r.rules),
        createdAt: r.created_at.toISOString(),
        createdBy: r.created_by,
        comment: r.comment,
      }));
    },
  };
}

export type RulesRepository = ReturnType<typeof rulesRepository>;
