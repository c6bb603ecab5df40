import type { BusinessRules, BusinessRulesInput } from './schemas/rules';

/** Rule durations are read with the one duration parser (domain/duration.ts). */
export { durationMs, type DurationText } from './duration';

/**
 * The order process's business rules (schemas/rules.ts holds their zod schema, which validates
 * them where they are edited and loaded). Integrators edit them as data (versioned and audited in
 * Postgres); each order workflow snapshots the version it started with, so a change never alters
 * an order already in flight.
 */
export type { BusinessRules, BusinessRulesInput } from './schemas/rules';

export interface RulesSnapshot {
  /** The version of these rules: of the store's own when `store` is set, else of the shared rules. */
  version: number;
  rules: BusinessRules;
  /** The store whose own rules these are; absent: the shared rules, every store's default. */
  store?: string;
}

/**
 * Every rule's default: what `BusinessRules.parse({})` gives (test/orders/rule-defaults.test.ts
 * holds the two equal). A plain constant, so workflow code can use it without the schema.
 */
export const RULE_DEFAULTS: BusinessRules = {
  credit: { checkEnabled: true, overLimitAllowance: '0' },
  firstOrder: { approvalAmount: '5000.00' },
  approval: { remindAfter: '4h', escalateAfter: '24h' },
  backorder: { notifyBuyer: true, recheckEvery: '1h', escalateAfter: '7d' },
  price: { tolerancePercent: 1 },
  warehouses: { priority: ['1', '2', '3'] },
  fulfillment: { refreshEvery: '15m', notifyCustomer: true },
  inventory: {
    safetyStock: { default: 0, items: {}, categories: {} },
    hideBelow: { default: 0, items: {}, categories: {} },
  },
  catalog: { discontinuedStatus: 'ARCHIVED' },
};

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function withDefaults(given: unknown, defaults: unknown): unknown {
  if (isRecord(defaults)) {
    const fields = given === undefined ? {} : given;
    if (!isRecord(fields)) return given;
    // An object with named fields keeps only those (as the schema strips unknown keys); a record
    // (defaults {}) keeps every key it is given.
    const keys = Object.keys(defaults).length > 0 ? Object.keys(defaults) : Object.keys(fields);
    return Object.fromEntries(keys.map((k) => [k, withDefaults(fields[k], defaults[k])]));
  }
  if (given !== undefined) return given;
  return Array.isArray(defaults) ? [...(defaults as unknown[])] : defaults;
}

/**
 * Rules given as input (already validated by whoever gave them), with every rule they leave out
 * at its default: the same value `BusinessRules.parse` gives for valid input, without zod, for
 * workflow code (an order started with its own rules).
 */
export function withRuleDefaults(input: BusinessRulesInput): BusinessRules {
  return withDefaults(input, RULE_DEFAULTS) as BusinessRules;
}
