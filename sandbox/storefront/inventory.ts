import { gid, idOf, type Args, type Q, type Row, type UserError } from './db';

/**
 * `inventorySetQuantities` as Shopify answers it: every quantity is checked (an unknown inventory item
 * or location, a quantity above Shopify's ceiling, a missing or stale compare quantity each refuse that
 * quantity, naming its index); one refusal and nothing is set, else every quantity is set at once.
 * A quantity given twice for the same item and location is set to the later one; both report their
 * change from the quantity the call found.
 */

/** Shopify's own ceiling on a quantity. */
const MAX_QUANTITY = 1_000_000_000;
const MAX_QUANTITIES = 250;

/**
 * One statement for the whole call: it locks and reads the current quantities, checks every item and
 * location, and — only when `$5` allows it and no quantity is unknown or stale — writes them all (the
 * later of two for the same level). It answers each quantity's checks, in input order.
 */
const SET_QUANTITIES = `
  WITH q AS (
    SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::int[])
      WITH ORDINALITY AS q(item, location, quantity, expected, n)
  ), cur AS MATERIALIZED (
    SELECT il.inventory_item_id, il.location_id, il.available FROM inventory_levels il
     WHERE (il.inventory_item_id, il.location_id) IN (SELECT item, location FROM q)
       FOR UPDATE
  ), checked AS MATERIALIZED (
    SELECT q.n, q.item, q.location, q.quantity, q.expected,
           EXISTS (SELECT 1 FROM variants v WHERE v.inventory_item_id = q.item) AS item_found,
           EXISTS (SELECT 1 FROM locations l WHERE l.id = q.location) AS location_found,
           COALESCE(cur.available, 0) AS current
      FROM q LEFT JOIN cur ON cur.inventory_item_id = q.item AND cur.location_id = q.location
  ), written AS (
    INSERT INTO inventory_levels (inventory_item_id, location_id, available)
    SELECT DISTINCT ON (item, location) item, location, quantity FROM checked
     WHERE $5 AND NOT EXISTS (
             SELECT 1 FROM checked x
              WHERE NOT x.item_found OR NOT x.location_found OR (x.expected IS NOT NULL AND x.expected <> x.current))
     ORDER BY item, location, n DESC
    ON CONFLICT (inventory_item_id, location_id) DO UPDATE SET available = EXCLUDED.available, updated_at = now()
  )
  SELECT n::int AS n, item_found, location_found, current FROM checked ORDER BY n`;

const userError = (field: string[], message: string, code: string): UserError => ({ field, message, code });

/** Checks and sets the quantities of one call: its userErrors (nothing was set), or its adjustment group. */
export async function setQuantities(
  c: Q,
  input: Args,
  apiVersion: string,
): Promise<{ userErrors: UserError[]; group?: Row }> {
  const quantities = input.quantities as Args[];
  const errors: UserError[] = [];
  if (!['available', 'on_hand'].includes(input.name))
    errors.push(
      userError(['input', 'name'], `The quantity name must be available or on_hand.`, 'INVALID_NAME'),
    );
  if (quantities.length > MAX_QUANTITIES)
    errors.push(
      userError(['input', 'quantities'], 'The quantities can not exceed 250 items.', 'TOO_MANY_QUANTITIES'),
    );
  // What each quantity is compared with (null: no check), and whether it is refused before any lookup.
  const expected: (number | null)[] = [];
  const missingChangeFrom: boolean[] = [];
  for (const q of quantities) {
    const hasChangeFrom = Object.prototype.hasOwnProperty.call(q, 'changeFromQuantity');
    const missing = !hasChangeFrom && apiVersion >= '2026-04';
    missingChangeFrom.push(missing);
    expected.push(
      (hasChangeFrom
        ? (q.changeFromQuantity as number | null)
        : missing || input.ignoreCompareQuantity
          ? null
          : (q.compareQuantity as number | undefined)) ?? null,
    );
  }
  const refusedAnyway =
    errors.length > 0 || quantities.some((q, i) => Number(q.quantity) > MAX_QUANTITY || missingChangeFrom[i]);
  const checked = quantities.length
    ? (
        await c.query<{ n: number; item_found: boolean; location_found: boolean; current: number }>(
          SET_QUANTITIES,
          [
            quantities.map((q) => idOf(q.inventoryItemId, 'InventoryItem') ?? null),
            quantities.map((q) => idOf(q.locationId, 'Location') ?? null),
            quantities.map((q) => q.quantity as number),
            expected,
            !refusedAnyway,
          ],
        )
      ).rows
    : [];
  const changes: Row[] = [];
  for (const [i, q] of quantities.entries()) {
    const at = ['input', 'quantities', String(i)];
    const row = checked[i]!;
    if (!row.item_found) {
      errors.push(
        userError(
          [...at, 'inventoryItemId'],
          'The specified inventory item could not be found.',
          'INVALID_INVENTORY_ITEM',
        ),
      );
      continue;
    }
    if (!row.location_found) {
      errors.push(
        userError([...at, 'locationId'], 'The specified location could not be found.', 'INVALID_LOCATION'),
      );
      continue;
    }
    if (Number(q.quantity) > MAX_QUANTITY) {
      errors.push(
        userError(
          [...at, 'quantity'],
          "The quantity can't be higher than 1,000,000,000.",
          'INVALID_QUANTITY_TOO_HIGH',
        ),
      );
      continue;
    }
    if (missingChangeFrom[i]) {
      errors.push(
        userError(
          [...at, 'changeFromQuantity'],
          'changeFromQuantity must be given (null to skip the check).',
          'CHANGE_FROM_QUANTITY_REQUIRED',
        ),
      );
      continue;
    }
    if (expected[i] !== null && expected[i] !== row.current) {
      errors.push(
        userError(
          [...at, 'changeFromQuantity'],
          'The specified compare quantity does not match the current quantity.',
          'CHANGE_FROM_QUANTITY_STALE',
        ),
      );
      continue;
    }
    changes.push({
      name: input.name,
      delta: (q.quantity as number) - row.current,
      quantityAfterChange: q.quantity,
    });
  }
  if (errors.length) return { userErrors: errors };
  return {
    userErrors: [],
    group: { id: gid('InventoryAdjustmentGroup', String(Date.now())), reason: input.reason, changes },
  };
}
