import type { BusinessRulesInput, RulesSnapshot } from '../domain/rules';
import { versionedConfig } from './config-versions';
import { prepared, type Db } from './pool';
import { BusinessRules } from '../domain/schemas/rules';

/** The shared business rules: every store's, until a store saves its own. */
export const ORDER_RULES = 'orders';

/** The config name of one store's own business rules (its versions are numbered on their own). */
export const storeRulesName = (store: string) => `${ORDER_RULES}:${store}`;

export interface RulesVersion extends RulesSnapshot {
  createdAt: string;
  createdBy: string;
  comment: string | null;
}

/**
 * The newest saved version of each named config, in one statement (a name nobody saved is left
 * out): the store's own rules and the shared ones are read together, once per order. Versions are
 * never changed once saved, but a cache of them would still need this round trip to learn of a
 * newer one, so none is kept.
 */
const newestOf = prepared<{ name: string; version: number; rules: unknown }>(
  'business-rules.newest',
  `SELECT n.name, b.version, b.rules FROM unnest($1::text[]) AS n(name)
     CROSS JOIN LATERAL (SELECT version, rules FROM business_rules r WHERE r.name = n.name
                          ORDER BY version DESC LIMIT 1) AS b`,
);

/**
 * Business rules as data: validated with zod, every save a new version with who and why (a
 * `versionedConfig`). Each store may have its own rules (`orders:<store>`); a store that has saved
 * none runs by the shared rules (`orders`). A snapshot names the store whose own rules it is.
 */
export function rulesRepository(db: Db) {
  const stored = (store?: string) =>
    versionedConfig(store ? storeRulesName(store) : ORDER_RULES, BusinessRules);
  const scoped = (store?: string) => (store ? { store } : {});
  return {
    /**
     * The rules in force for this store: its own newest version when it has saved any, else the
     * shared rules' newest (version 0, the built-in defaults, when nobody has saved any). Without a
     * store: the shared rules.
     */
    async current(store?: string): Promise<RulesSnapshot> {
      const own = store ? storeRulesName(store) : undefined;
      const { rows } = await newestOf(db, [own ? [own, ORDER_RULES] : [ORDER_RULES]]);
      const newest = (name: string) => rows.find((r) => r.name === name);
      const mine = own ? newest(own) : undefined;
      if (store && mine && mine.version > 0)
        return { version: mine.version, rules: BusinessRules.parse(mine.rules), store };
      const shared = newest(ORDER_RULES);
      return shared
        ? { version: shared.version, rules: BusinessRules.parse(shared.rules) }
        : { version: 0, rules: BusinessRules.parse({}) };
    },
    /** Validates (throws a ZodError naming the bad field) and stores the rules as the next version of the store's own rules (without a store: the shared ones). */
    async save(
      input: BusinessRulesInput,
      by: string,
      comment?: string,
      store?: string,
    ): Promise<RulesSnapshot> {
      const { version, value } = await stored(store).save(db, input, by, comment);
      return { version, rules: value, ...scoped(store) };
    },
    /** The saved versions of the store's own rules (without a store: of the shared ones), newest first. */
    async history(store?: string, limit = 50): Promise<RulesVersion[]> {
      const versions = await stored(store).versions(db, limit);
      return versions.map(({ version, value, ...saved }) => ({
        version,
        rules: value,
        ...scoped(store),
        ...saved,
      }));
    },
  };
}

export type RulesRepository = ReturnType<typeof rulesRepository>;
