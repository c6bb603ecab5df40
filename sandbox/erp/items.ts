import { z } from 'zod';
import type { DbClient } from '../../db/pool';
import { RestError } from './errors';

/**
 * The sandbox ERP's item master, edited as a merchandiser edits it in NetSuite: `PUT /admin/items/:itemId`
 * creates or changes one item (a matrix parent or child, a kit with its members, a drop-ship item …).
 * Fields left out keep their value; `null` clears one. The REST record API and SuiteQL read the result.
 */

const Num = z.number().nonnegative();
const Text = z.string().trim().min(1);

export const ItemEdit = z
  .object({
    displayName: Text,
    type: z.enum(['InvtPart', 'Kit', 'Assembly', 'NonInvtPart', 'Group']),
    basePrice: Num,
    /** The item name of the parent: a matrix parent for a CHILD, else a plain sub-item parent. */
    parent: Text.nullable(),
    matrixType: z.enum(['PARENT', 'CHILD']).nullable(),
    /** Matrix option values of a CHILD (custitem_quayside_color/size/finish). */
    options: z
      .object({ color: Text.nullable(), size: Text.nullable(), finish: Text.nullable() })
      .partial()
      .strict(),
    salesDescription: z.string().nullable(),
    storeDescription: z.string().nullable(),
    weight: Num.nullable(),
    weightUnit: z.enum(['lb', 'oz', 'kg', 'g']).nullable(),
    length: Num.nullable(),
    width: Num.nullable(),
    height: Num.nullable(),
    dimensionUnit: z.enum(['in', 'ft', 'mm', 'cm', 'm']).nullable(),
    category: Text.nullable(),
    searchKeywords: z.string().nullable(),
    hazmat: z.boolean(),
    hazmatId: Text.nullable(),
    hazmatClass: Text.nullable(),
    serialized: z.boolean(),
    inactive: z.boolean(),
    discontinued: z.boolean(),
    dropShip: z.boolean(),
    specialOrder: z.boolean(),
    leadTime: z.number().int().nonnegative().nullable(),
    /** A kit's or group's members (replaces them): item names with the quantity per kit. */
    members: z.array(z.object({ item: Text, quantity: z.number().int().positive() })),
    /** On-hand quantities per location id (stocked types only). */
    stock: z.array(z.object({ location: Text, onHand: z.number().int().nonnegative() })),
  })
  .partial()
  .strict();
export type ItemEdit = z.infer<typeof ItemEdit>;

const COLUMNS: Record<string, string> = {
  displayName: 'display_name',
  type: 'item_type',
  basePrice: 'base_price',
  matrixType: 'matrix_type',
  salesDescription: 'sales_description',
  storeDescription: 'store_description',
  weight: 'weight',
  weightUnit: 'weight_unit',
  length: 'length',
  width: 'width',
  height: 'height',
  dimensionUnit: 'dimension_unit',
  category: 'category',
  searchKeywords: 'search_keywords',
  hazmat: 'hazmat',
  hazmatId: 'hazmat_id',
  hazmatClass: 'hazmat_class',
  serialized: 'serialized',
  inactive: 'inactive',
  discontinued: 'discontinued',
  dropShip: 'drop_ship',
  specialOrder: 'special_order',
  leadTime: 'lead_time',
};

const itemIdOf = async (q: DbClient, name: string, path: string): Promise<number> => {
  const r = await q.query<{ id: number }>('SELECT id FROM item WHERE item_id = $1', [name]);
  if (!r.rows[0])
    throw RestError.of(400, 'INVALID_KEY_OR_REF', `Invalid ${path} reference key ${name}.`, path);
  return r.rows[0].id;
};

/** Creates or changes item `itemId`; returns its internal id. */
export async function upsertItem(q: DbClient, itemId: string, edit: ItemEdit): Promise<{ id: number }> {
  const existing = (
    await q.query<{ id: number; item_type: string }>('SELECT id, item_type FROM item WHERE item_id = $1', [
      itemId,
    ])
  ).rows[0];
  const values: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(COLUMNS)) {
    const v = (edit as Record<string, unknown>)[key];
    if (v !== undefined) values[column] = v;
  }
  if (edit.parent !== undefined)
    values.parent_id = edit.parent === null ? null : await itemIdOf(q, edit.parent, 'parent');
  if (edit.options) {
    for (const [k, v] of Object.entries(edit.options)) if (v !== undefined) values[`option_${k}`] = v;
  }
  let id: number;
  if (existing) {
    id = existing.id;
    const cols = Object.keys(values);
    // An edit that changes nothing still saves the record, as NetSuite does: its modification date moves.
    const set = cols.length
      ? cols.map((c, i) => `${c} = $${i + 2}`).join(', ')
      : 'display_name = display_name';
    await q.query(`UPDATE item SET ${set} WHERE id = $1`, [id, ...cols.map((c) => values[c])]);
  } else {
    if (!edit.displayName || !edit.type || edit.basePrice === undefined)
      throw RestError.of(
        400,
        'USER_ERROR',
        'Please enter value(s) for: Display Name, Type, Base Price.',
        edit.displayName ? (edit.type ? 'basePrice' : 'type') : 'displayName',
      );
    const cols = Object.keys(values);
    const r = await q.query<{ id: number }>(
      `INSERT INTO item (item_id, ${cols.join(', ')}) VALUES ($1, ${cols.map((_, i) => `$${i + 2}`).join(', ')}) RETURNING id`,
      [itemId, ...cols.map((c) => values[c])],
    );
    id = r.rows[0]!.id;
  }
  if (edit.members) {
    await q.query('DELETE FROM kit_member WHERE kit_id = $1', [id]);
    for (const [i, m] of edit.members.entries())
      await q.query('INSERT INTO kit_member (kit_id, member_id, quantity) VALUES ($1, $2, $3)', [
        id,
        await itemIdOf(q, m.item, `members[${i}].item`),
        m.quantity,
      ]);
  }
  for (const s of edit.stock ?? [])
    await q.query(
      `INSERT INTO inventory (item_id, location_id, on_hand) VALUES ($1, $2, $3)
       ON CONFLICT (item_id, location_id) DO UPDATE SET on_hand = EXCLUDED.on_hand`,
      [id, Number(s.location), s.onHand],
    );
  return { id };
}
