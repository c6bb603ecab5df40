import type { Args, Q } from './db';

/**
 * Metafield writes, each one statement however many metafields it sets. A metafield named twice (same
 * owner, namespace and key) ends with the later value, as setting them one after the other would.
 */

/** Owners a metafield may belong to. */
const OWNER_EXISTS = ['products', 'variants', 'orders', 'customers', 'companies', 'company_locations']
  .map((t) => `EXISTS (SELECT 1 FROM ${t} WHERE id = m.owner_id)`)
  .join(' OR ');

/**
 * `metafieldsSet`'s write: every owner checked, and the metafields upserted only when all owners
 * exist. Answers, in input order, whether each metafield's owner exists.
 */
const SET_CHECKED = `
  WITH m AS (
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])
      WITH ORDINALITY AS m(owner_id, namespace, key, type, value, n)
  ), checked AS MATERIALIZED (
    SELECT m.*, (${OWNER_EXISTS}) AS owner_found FROM m
  ), written AS (
    INSERT INTO metafields (owner_id, namespace, key, type, value)
    SELECT DISTINCT ON (owner_id, namespace, key) owner_id, namespace, key, type, value FROM checked
     WHERE NOT EXISTS (SELECT 1 FROM checked x WHERE NOT x.owner_found)
     ORDER BY owner_id, namespace, key, n DESC
    ON CONFLICT (owner_id, namespace, key) DO UPDATE SET type = EXCLUDED.type, value = EXCLUDED.value, updated_at = now()
  )
  SELECT owner_found FROM checked ORDER BY n`;

const UPSERT_ONE = `INSERT INTO metafields (owner_id, namespace, key, type, value) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (owner_id, namespace, key) DO UPDATE SET type = EXCLUDED.type, value = EXCLUDED.value, updated_at = now()`;

const UPSERT_MANY = `INSERT INTO metafields (owner_id, namespace, key, type, value)
  SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])
  ON CONFLICT (owner_id, namespace, key) DO UPDATE SET type = EXCLUDED.type, value = EXCLUDED.value, updated_at = now()`;

/**
 * Sets `metafieldsSet`'s metafields (owner ids already parsed; null for one that is no id) when every
 * owner exists, else none. Returns the indexes whose owner does not exist.
 */
export async function setMetafieldsOfOwners(
  c: Q,
  list: { ownerId: string | null; namespace: string; key: string; type: string; value: string }[],
): Promise<number[]> {
  if (list.length === 0) return [];
  const { rows } = await c.query<{ owner_found: boolean }>(SET_CHECKED, [
    list.map((m) => m.ownerId),
    list.map((m) => m.namespace),
    list.map((m) => m.key),
    list.map((m) => m.type),
    list.map((m) => m.value),
  ]);
  return rows.flatMap((r, i) => (r.owner_found ? [] : [i]));
}

/**
 * Upserts an owner's metafields from a resource mutation's `metafields` input (namespace `custom` and
 * type single_line_text_field when left out). A list with a metafield missing its key or value, or
 * naming one twice, is written one metafield after the other, so it fails (or ends) exactly there.
 */
export async function upsertMetafields(c: Q, ownerId: string, fields: Args[] | undefined): Promise<void> {
  const list = (fields ?? []).map((m) => ({
    namespace: (m.namespace ?? 'custom') as string,
    key: m.key as string | null | undefined,
    type: (m.type ?? 'single_line_text_field') as string,
    value: m.value as string | null | undefined,
  }));
  if (list.length === 0) return;
  const names = new Set(list.map((m) => JSON.stringify([m.namespace, m.key])));
  const complete = list.every((m) => m.key != null && m.value != null);
  if (list.length > 1 && complete && names.size === list.length) {
    await c.query(UPSERT_MANY, [
      ownerId,
      list.map((m) => m.namespace),
      list.map((m) => m.key),
      list.map((m) => m.type),
      list.map((m) => m.value),
    ]);
    return;
  }
  for (const m of list) await c.query(UPSERT_ONE, [ownerId, m.namespace, m.key, m.type, m.value]);
}
