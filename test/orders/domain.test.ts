import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allocate } from '../../domain/allocation';
import { assessCredit, findPriceMismatches } from '../../domain/credit';
import { rulesRepository } from '../../db/rules';
import type { Db } from '../../db/pool';
import { testDb } from '../support/env';
import { BusinessRules, DEFAULT_RULES } from '../../domain/schemas/rules';

describe('warehouse allocation', () => {
  const priority = ['MAIN', 'EAST', 'WEST'];
  it('ships the whole order from one location when one can, by priority', () => {
    const a = allocate(
      [
        { lineId: '1', sku: 'A', quantity: 5 },
        { lineId: '2', sku: 'B', quantity: 1 },
      ],
      { MAIN: { A: 2, B: 9 }, EAST: { A: 9, B: 9 }, WEST: { A: 9, B: 9 } },
      priority,
    );
    expect(a.split).toBe(false);
    expect(a.lines.map((l) => [l.lineKey, l.location])).toEqual([
      ['1', 'EAST'],
      ['2', 'EAST'],
    ]);
  });
  it('splits the order by line when no single location has everything', () => {
    const a = allocate(
      [
        { lineId: '1', sku: 'A', quantity: 5 },
        { lineId: '2', sku: 'B', quantity: 3 },
      ],
      { MAIN: { A: 5, B: 0 }, WEST: { A: 0, B: 3 } },
      priority,
    );
    expect(a.split).toBe(true);
    expect(a.lines.map((l) => [l.lineKey, l.location, l.quantity])).toEqual([
      ['1', 'MAIN', 5],
      ['2', 'WEST', 3],
    ]);
  });
  it('splits a line across locations by most stock, leaving the shortfall on the first-priority location', () => {
    const a = allocate(
      [{ lineId: '1', sku: 'A', quantity: 10 }],
      { MAIN: { A: 2 }, EAST: { A: 3 }, WEST: { A: 4 } },
      priority,
    );
    expect(a.lines.map((l) => [l.lineKey, l.location, l.quantity, l.shortQuantity])).toEqual([
      ['1', 'WEST', 4, 0],
      ['1#2', 'EAST', 3, 0],
      ['1#3', 'MAIN', 3, 1],
    ]);
    expect(a.short).toEqual([{ lineId: '1', sku: 'A', quantity: 1 }]);
  });
});

describe('credit check', () => {
  it('holds an order that takes the balance over the limit, and names the numbers', () => {
    const r = assessCredit(
      { creditLimit: '1000.00', balance: '900.00', firstOrder: false },
      '150.00',
      DEFAULT_RULES,
      'USD',
    );
    expect(r).toMatchObject({ outcome: 'creditHold', exposure: '1050.00', overBy: '50.00' });
  });
  it('asks for approval of a large first order and clears a small one', () => {
    expect(
      assessCredit({ creditLimit: null, balance: '0', firstOrder: true }, '6000.00', DEFAULT_RULES, 'USD')
        .outcome,
    ).toBe('firstOrder');
    expect(
      assessCredit({ creditLimit: null, balance: '0', firstOrder: true }, '60.00', DEFAULT_RULES, 'USD')
        .outcome,
    ).toBe('clear');
  });
  it('flags prices beyond the tolerance only', () => {
    const m = findPriceMismatches(
      [
        { lineId: '1', sku: 'A', unitPrice: '10.05' },
        { lineId: '2', sku: 'B', unitPrice: '12.00' },
      ],
      { A: '10.00', B: '10.00' },
      1,
      'USD',
    );
    expect(m.map((x) => x.sku)).toEqual(['B']);
  });
});

describe('business rules as data', () => {
  let db: Db;
  beforeAll(() => {
    db = testDb();
  });
  afterAll(async () => {
    await db.end();
  });
  it('validates, versions and audits every save', async () => {
    const repo = rulesRepository(db);
    const name = `rules-${Date.now()}`;
    // A store that has saved no rules of its own runs by the shared ones.
    expect(await repo.current(name)).toEqual(await repo.current());
    await expect(
      repo.save({ approval: { remindAfter: 'soon' } } as never, 'ann', undefined, name),
    ).rejects.toThrow(/duration/);
    const v1 = await repo.save({ price: { tolerancePercent: 2 } }, 'ann', 'wider tolerance', name);
    const v2 = await repo.save({ warehouses: { priority: ['EAST', 'MAIN'] } }, 'bob', undefined, name);
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect((await repo.current(name)).rules.warehouses.priority).toEqual(['EAST', 'MAIN']);
    const history = await repo.history(name);
    expect(history.map((h) => [h.version, h.createdBy, h.comment])).toEqual([
      [2, 'bob', null],
      [1, 'ann', 'wider tolerance'],
    ]);
    expect(BusinessRules.safeParse({ price: { tolerancePercent: -1 } }).success).toBe(false);
  });
});
