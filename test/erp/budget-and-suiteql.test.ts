import { describe, expect, it } from 'vitest';
import { ConcurrencyBudget } from '../../connectors/netsuite';
import { compileSuiteQl, SuiteQlError } from '../../sandbox/erp/suiteql';

describe('ConcurrencyBudget', () => {
  it('serves waiting order calls before bulk calls and keeps a slot free of bulk work', async () => {
    const budget = new ConcurrencyBudget(2);
    const order: string[] = [];
    const first = await budget.acquire('bulk');
    // A second bulk call may not take the last slot.
    const bulk = budget.acquire('bulk').then((release) => (order.push('bulk'), release));
    const interactive = budget.acquire('interactive').then((release) => (order.push('interactive'), release));
    (await interactive)();
    first();
    (await bulk)();
    expect(order).toEqual(['interactive', 'bulk']);
    expect(budget.stats().peak).toBeLessThanOrEqual(2);
  });
});

describe('sandbox SuiteQL subset', () => {
  it('binds literals as parameters and resolves NetSuite column names', () => {
    const q = compileSuiteQl(
      "SELECT id, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS.FF3') AS lm FROM transaction t WHERE t.type = 'ItemShip' AND (lastmodifieddate > TO_TIMESTAMP('2024-01-01 00:00:00.000', 'YYYY-MM-DD HH24:MI:SS.FF3') OR id IN (1, 2)) ORDER BY lastmodifieddate, id",
    );
    expect(q.sql).not.toContain('ItemShip');
    expect(q.params).toContain('ItemShip');
    expect(q.columns.map((c) => c.name)).toEqual(['id', 'lm']);
    expect(q.countParams).toHaveLength(5);
  });

  it('refuses unknown tables, unknown fields and anything outside the subset', () => {
    expect(() => compileSuiteQl('SELECT id FROM employee')).toThrow(SuiteQlError);
    expect(() => compileSuiteQl('SELECT password FROM customer')).toThrow(/Unknown field/);
    expect(() => compileSuiteQl('SELECT id FROM item WHERE id = 1; DROP TABLE item')).toThrow(SuiteQlError);
  });
});
