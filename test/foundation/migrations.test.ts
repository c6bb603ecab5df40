import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '..', '..');
const DIRS = ['db/migrations', 'sandbox/erp/migrations', 'sandbox/storefront/migrations'];

/**
 * The migrator refuses a migration that sorts before one a database has already run, so two files
 * with one number (landed side by side) would stop an existing database from starting: every
 * folder numbers its migrations 0001, 0002, … once each.
 */
describe('migrations', () => {
  it.each(DIRS)('%s numbers each migration once, in sequence', (dir) => {
    const numbers = fs
      .readdirSync(path.join(ROOT, dir))
      .filter((f) => f.endsWith('.sql'))
      .sort()
      .map((f) => Number(/^(\d{4})_/.exec(f)?.[1] ?? NaN));
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
  });
});
