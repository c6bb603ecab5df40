import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporal } from '@temporalio/proto';
import { RULE_DEFAULTS, withRuleDefaults, type BusinessRulesInput } from '../../domain/rules';
import { BusinessRules, DEFAULT_RULES } from '../../domain/schemas/rules';
import { HISTORIES_ROOT } from '../support/histories';
import { TEST_RULES } from './harness';

/** The rules every recorded order history was started with (input.rules), where it had its own. */
function recordedRules(): { file: string; rules: BusinessRulesInput }[] {
  const found: { file: string; rules: BusinessRulesInput }[] = [];
  for (const version of fs.readdirSync(HISTORIES_ROOT)) {
    const dir = path.join(HISTORIES_ROOT, version);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const file of fs.readdirSync(dir).filter((f) => f.startsWith('orderToInvoice-'))) {
      const history = temporal.api.history.v1.History.fromObject(
        JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')),
      );
      const payload = history.events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      const input = JSON.parse(Buffer.from(payload?.data ?? []).toString('utf8')) as {
        rules?: BusinessRulesInput;
      };
      if (input.rules) found.push({ file: `${version}/${file}`, rules: input.rules });
    }
  }
  return found;
}

// The order workflow fills in the rules an order was started with using withRuleDefaults, not the
// zod schema (workflow code does not import zod); both must give the same rules.
describe('rule defaults without the schema', () => {
  it('are the schema defaults', () => {
    expect(RULE_DEFAULTS).toEqual(DEFAULT_RULES);
    expect(withRuleDefaults({})).toEqual(BusinessRules.parse({}));
  });

  it('fill in what partial rules leave out, as the schema does', () => {
    const partial: BusinessRulesInput[] = [
      TEST_RULES,
      { credit: { checkEnabled: false } },
      { price: { tolerancePercent: 5 }, catalog: { discontinuedStatus: 'DRAFT' } },
      { inventory: { safetyStock: { default: 2, items: { 'PROD-1': 5 } } } },
      { inventory: { hideBelow: { categories: { Fasteners: 10 } } } },
      { warehouses: { priority: ['EAST'] } },
    ];
    for (const rules of partial) expect(withRuleDefaults(rules)).toEqual(BusinessRules.parse(rules));
  });

  it('give every recorded order history the rules the schema gave it', () => {
    const recorded = recordedRules();
    expect(recorded.length).toBeGreaterThan(0);
    for (const { file, rules } of recorded)
      expect(withRuleDefaults(rules), file).toEqual(BusinessRules.parse(rules));
  });

  it('do not share the defaults between orders', () => {
    const a = withRuleDefaults({});
    a.warehouses.priority.push('X');
    a.inventory.safetyStock.items['PROD-1'] = 3;
    expect(withRuleDefaults({})).toEqual(DEFAULT_RULES);
    expect(RULE_DEFAULTS.warehouses.priority).toEqual(['1', '2', '3']);
  });
});
