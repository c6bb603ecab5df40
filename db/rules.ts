import type { BusinessRulesInput, RulesSnapshot } from '../domain/rules';
import { versionedConfig } from './config-versions';
import type { Db } from './pool';
import { BusinessRules } from '../domain/schemas/rules';

export const ORDER_RULES = 'orders';

export interface RulesVersion extends RulesSnapshot {
  createdAt: string;
  createdBy: string;
  comment: string | null;
}

/** Business rules as data: validated with zod, every save a new version with who and why (a `versionedConfig`). */
export function rulesRepository(db: Db) {
  const stored = (name: string) => versionedConfig(name, BusinessRules);
  return {
    /** The newest version; version 0 (the built-in defaults) when nobody has saved any. */
    async current(name = ORDER_RULES): Promise<RulesSnapshot> {
      const { version, value } = await stored(name).current(db);
      return { version, rules: value };
    },
    /** Validates (throws a ZodError naming the bad field) and stores the rules as the next version. */
    async save(
      input: BusinessRulesInput,
      by: string,
      comment?: string,
      name = ORDER_RULES,
    ): Promise<RulesSnapshot> {
      const { version, value } = await stored(name).save(db, input, by, comment);
      return { version, rules: value };
    },
    async history(name = ORDER_RULES, limit = 50): Promise<RulesVersion[]> {
      const versions = await stored(name).versions(db, limit);
      return versions.map(({ version, value, ...saved }) => ({ version, rules: value, ...saved }));
    },
  };
}

export type RulesRepository = ReturnType<typeof rulesRepository>;
