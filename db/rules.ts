import type { BusinessRulesInput, RulesSnapshot } from '../domain/rules';
import { currentOfEach, versionedConfig } from './config-versions';
import type { Db } from './pool';
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
      // The store's own rules and the shared ones in one statement.
      const [own, shared] = await currentOfEach(db, store ? [stored(store), stored()] : [stored()]);
      if (store && own!.version > 0) return { version: own!.version, rules: own!.value, store };
      const inForce = store ? shared! : own!;
      return { version: inForce.version, rules: inForce.value };
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
