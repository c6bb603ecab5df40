import { GraphQLError } from 'graphql';
import type pg from 'pg';
import { withTransaction } from '../../db/pool';
import { Money } from '../../domain/money';
import { connection, searchedConnection, type SearchField } from './connections';
import { gid, idOf, type Row, type Args, type Q, type UserError, rows, one, type StoreDb } from './db';

const CATALOG_SEARCH: Record<string, SearchField> = {
  id: { column: 'id', type: 'id' },
  title: { column: 'title', type: 'text' },
  status: { column: 'status', type: 'text' },
};

/**
 * The sandbox store's B2B pricing, after Shopify's model: catalogs assigned to company locations, each
 * with a price list; a price list gives a variant its fixed price (and volume pricing on top of it),
 * else its percentage adjustment of the variant's base price. A company location with several catalogs
 * is shown the lowest of their prices; one with none pays the base price.
 */

/** Shopify's limit on every input array: 250 items, refused as a top-level error before anything runs. */
export const MAX_INPUT_SIZE = 250;

/** Which of `ids` one query finds (`sql` takes them as $1, then `more`): a whole input checked at once. */
async function existingIds(db: Q, sql: string, ids: (string | null | undefined)[], ...more: unknown[]) {
  const wanted = ids.filter((id): id is string => !!id);
  if (wanted.length === 0) return new Set<string>();
  return new Set((await rows(db, sql, [wanted, ...more])).map((r) => String(r.id)));
}
const err = (field: string[] | null, message: string, code?: string): UserError => ({ field, message, code });

function checkSize(name: string, list: unknown[] | undefined | null): void {
  const n = list?.length ?? 0;
  if (n > MAX_INPUT_SIZE)
    throw new GraphQLError(
      `The input array size of ${n} is greater than the maximum allowed of ${MAX_INPUT_SIZE}.`,
      {
        extensions: { code: 'MAX_INPUT_SIZE_EXCEEDED', argumentName: name },
      },
    );
}

/** A percentage-adjusted price, rounded half up to the currency's minor unit. */
export function adjustPrice(base: string, type: string, value: string, currency: string): string {
  const m = Money.of(base, currency, 'halfUp');
  const [whole = '0', frac = ''] = value.split('.');
  // Ten-thousandths of a percent: 100% is 1,000,000.
  const v = BigInt(whole + frac.padEnd(4, '0').slice(0, 4));
  if (v === 0n) return m.toString();
  const factor = type === 'PERCENTAGE_INCREASE' ? 1_000_000n + v : 1_000_000n - v;
  return m.share(factor, 1_000_000n).toString();
}

/**
 * What Shopify shows a company location for each line: per assigned active catalog, the price list's
 * quantity break (highest minimum at or below the quantity) or fixed price, else its adjusted base;
 * the lowest of those; the base price when the location has no catalog with a price list.
 */
export async function buyerUnitPrices(
  db: Q,
  companyLocationId: string | null,
  lines: { variantId: string; basePrice: string; quantity: number }[],
  currency: string,
): Promise<string[]> {
  if (!companyLocationId || lines.length === 0)
    return lines.map((l) => Money.of(l.basePrice, currency).toString());
  const lists = await rows(
    db,
    `SELECT pl.id, pl.adjustment_type, pl.adjustment_value::text FROM catalog_company_locations cc
       JOIN catalogs c ON c.id = cc.catalog_id AND c.status = 'ACTIVE'
       JOIN price_lists pl ON pl.id = c.price_list_id AND pl.currency = $2
      WHERE cc.company_location_id = $1`,
    [companyLocationId, currency],
  );
  if (lists.length === 0) return lines.map((l) => Money.of(l.basePrice, currency).toString());
  const fixed = await rows(
    db,
    `SELECT q.n, p.price_list_id, p.price::text,
            (SELECT b.price::text FROM quantity_price_breaks b
              WHERE b.price_list_id = p.price_list_id AND b.variant_id = p.variant_id AND b.minimum_quantity <= q.quantity
              ORDER BY b.minimum_quantity DESC LIMIT 1) AS break_price
       FROM unnest($2::bigint[], $3::int[]) WITH ORDINALITY AS q(variant_id, quantity, n)
       JOIN price_list_prices p ON p.variant_id = q.variant_id AND p.price_list_id = ANY($1::bigint[])`,
    [lists.map((l) => l.id), lines.map((l) => l.variantId), lines.map((l) => l.quantity)],
  );
  const at = new Map(fixed.map((f) => [`${f.price_list_id}|${f.n}`, (f.break_price ?? f.price) as string]));
  return lines.map((line, i) => {
    let best: Money | undefined;
    for (const l of lists) {
      const price =
        at.get(`${l.id}|${i + 1}`) ??
        adjustPrice(line.basePrice, l.adjustment_type, l.adjustment_value, currency);
      const m = Money.of(price, currency, 'halfUp');
      if (!best || m.lessThan(best)) best = m;
    }
    return best!.toString();
  });
}

export interface PricingHelpers {
  variantNode: (v: Row) => Row;
}

/** Catalog and price list resolvers, merged into the Admin API root value. */
export function createPricingRoot(db: StoreDb, { variantNode }: PricingHelpers) {
  const moneyV2 = (amount: string, currencyCode: string) => ({ amount, currencyCode });
  const variantById = async (id: string) => {
    const v = await one(db, 'SELECT * FROM variants WHERE id = $1', [id]);
    return v ? variantNode(v) : null;
  };
  const priceNode = (p: Row, currency: string) => ({
    variant: () => variantById(p.variant_id),
    price: moneyV2(p.price, currency),
    originType: 'FIXED',
    quantityPriceBreaks: async ({ first }: Args) =>
      connection(
        (
          await rows(
            db,
            'SELECT * FROM quantity_price_breaks WHERE price_list_id = $1 AND variant_id = $2 ORDER BY minimum_quantity',
            [p.price_list_id, p.variant_id],
          )
        ).map((b) => ({
          id: gid('QuantityPriceBreak', b.id),
          minimumQuantity: b.minimum_quantity,
          price: moneyV2(b.price, currency),
          variant: () => variantById(b.variant_id),
        })),
        first,
      ),
  });
  const priceListNode = (p: Row): Row => ({
    id: gid('PriceList', p.id),
    name: p.name,
    currency: p.currency,
    parent: {
      adjustment: { type: p.adjustment_type, value: Number(p.adjustment_value) },
    },
    catalog: async () => {
      const c = await one(db, 'SELECT * FROM catalogs WHERE price_list_id = $1', [p.id]);
      return c ? catalogNode(c) : null;
    },
    prices: async ({ originType }: Args) => {
      if (originType === 'RELATIVE') return connection([]);
      const list = await rows(
        db,
        'SELECT * FROM price_list_prices WHERE price_list_id = $1 ORDER BY variant_id',
        [p.id],
      );
      return connection(
        list.map((r) => ({ id: gid('PriceListPrice', r.variant_id), ...priceNode(r, p.currency) })),
      );
    },
  });
  const catalogNode = (c: Row): Row => ({
    id: gid('CompanyLocationCatalog', c.id),
    title: c.title,
    status: c.status,
    priceList: async () => {
      if (!c.price_list_id) return null;
      const p = await one(db, 'SELECT * FROM price_lists WHERE id = $1', [c.price_list_id]);
      return p ? priceListNode(p) : null;
    },
  });
  const priceListOf = async (c: Q, id: string | undefined) =>
    id ? await one(c, 'SELECT * FROM price_lists WHERE id = $1', [idOf(id, 'PriceList') ?? '0']) : undefined;

  /** Validates and writes fixed prices (upsert), inside a transaction; returns user errors. */
  async function addPrices(
    c: Q,
    list: Row,
    prices: Args[],
    path: string[],
    codes: { notFound: string; currency: string; duplicate: string },
  ) {
    const errors: UserError[] = [];
    const seen = new Set<string>();
    const valid: { variantId: string; price: string }[] = [];
    const known = await existingIds(
      c,
      'SELECT id::text AS id FROM variants WHERE id = ANY($1::bigint[])',
      prices.map((p) => idOf(p.variantId, 'ProductVariant')),
    );
    for (const [i, p] of prices.entries()) {
      const variantId = idOf(p.variantId, 'ProductVariant');
      if (!variantId || !known.has(variantId)) {
        errors.push(
          err([...path, String(i), 'variantId'], "Fixed price's variant not found.", codes.notFound),
        );
        continue;
      }
      if (String(p.price.currencyCode).toUpperCase() !== list.currency) {
        errors.push(
          err(
            [...path, String(i), 'price', 'currencyCode'],
            'Price list and fixed price currency mismatch.',
            codes.currency,
          ),
        );
        continue;
      }
      if (seen.has(variantId)) {
        errors.push(
          err(
            [...path, String(i), 'variantId'],
            'Prices to add inputs must be unique by variant id.',
            codes.duplicate,
          ),
        );
        continue;
      }
      seen.add(variantId);
      valid.push({ variantId, price: Money.of(String(p.price.amount), list.currency, 'halfUp').toString() });
    }
    if (!errors.length && valid.length)
      await c.query(
        `INSERT INTO price_list_prices (price_list_id, variant_id, price)
         SELECT $1, * FROM unnest($2::bigint[], $3::numeric[])
         ON CONFLICT (price_list_id, variant_id) DO UPDATE SET price = EXCLUDED.price, updated_at = now()`,
        [list.id, valid.map((v) => v.variantId), valid.map((v) => v.price)],
      );
    return { errors, added: valid };
  }

  const deletePrices = async (c: Q, list: Row, variantIds: string[]) => {
    const ids = variantIds.map((v) => idOf(v, 'ProductVariant')).filter((v): v is string => !!v);
    const res = await rows(
      c,
      'DELETE FROM price_list_prices WHERE price_list_id = $1 AND variant_id = ANY($2::bigint[]) RETURNING variant_id',
      [list.id, ids],
    );
    return res.map((r) => gid('ProductVariant', r.variant_id));
  };

  const addedNodes = async (listId: string, currency: string, variantIds: string[]) =>
    (
      await rows(
        db,
        'SELECT * FROM price_list_prices WHERE price_list_id = $1 AND variant_id = ANY($2::bigint[]) ORDER BY variant_id',
        [listId, variantIds],
      )
    ).map((r) => priceNode(r, currency));

  /** Runs `fn` in a transaction that rolls back when it reports user errors. */
  async function atomically<T extends { userErrors: UserError[] }>(
    fn: (c: pg.PoolClient) => Promise<T>,
  ): Promise<T> {
    let out: T | undefined;
    await withTransaction(db, async (c) => {
      out = await fn(c);
      if (out.userErrors.length) throw Object.assign(new Error('rollback'), { rollback: true });
    }).catch((e: { rollback?: boolean }) => {
      if (!e.rollback) throw e;
    });
    return out!;
  }

  const adjustmentOf = (input: Args | undefined) => {
    const a = input?.adjustment as Args | undefined;
    if (!a) return undefined;
    return { type: String(a.type), value: Number(a.value) };
  };

  return {
    locationCatalogs: async (locationId: string, first?: number) =>
      connection(
        (
          await rows(
            db,
            'SELECT c.* FROM catalogs c JOIN catalog_company_locations cc ON cc.catalog_id = c.id WHERE cc.company_location_id = $1 ORDER BY c.id',
            [locationId],
          )
        ).map(catalogNode),
        first,
      ),
    root: {
      priceList: async ({ id }: Args) => {
        const p = await priceListOf(db, id);
        return p ? priceListNode(p) : null;
      },
      catalog: async ({ id }: Args) => {
        const c = await one(db, 'SELECT * FROM catalogs WHERE id = $1', [idOf(id) ?? '0']);
        return c ? catalogNode(c) : null;
      },
      catalogs: searchedConnection(
        db,
        { fields: CATALOG_SEARCH, defaultField: 'title' },
        { from: 'catalogs', map: catalogNode },
      ),

      priceListCreate: async ({ input }: Args) => {
        const adjustment = adjustmentOf(input.parent);
        const errors: UserError[] = [];
        if (!String(input.name ?? '').trim())
          errors.push(err(['input', 'name'], 'Name can\u2019t be blank', 'BLANK'));
        if (!/^[A-Z]{3}$/.test(String(input.currency)))
          errors.push(err(['input', 'currency'], 'Currency is invalid', 'INVALID'));
        if (
          !adjustment ||
          !(adjustment.value >= 0) ||
          (adjustment.type === 'PERCENTAGE_DECREASE' && adjustment.value > 100)
        )
          errors.push(
            err(
              ['input', 'parent', 'adjustment', 'value'],
              'Adjustment value must be between 0 and 100',
              'INVALID_ADJUSTMENT_VALUE',
            ),
          );
        if (errors.length) return { priceList: null, userErrors: errors };
        if (await one(db, 'SELECT 1 FROM price_lists WHERE name = $1', [input.name]))
          return {
            priceList: null,
            userErrors: [err(['input', 'name'], 'Name has already been taken', 'TAKEN')],
          };
        const catalogId = input.catalogId ? idOf(input.catalogId) : undefined;
        if (
          input.catalogId &&
          !(catalogId && (await one(db, 'SELECT 1 FROM catalogs WHERE id = $1', [catalogId])))
        )
          return {
            priceList: null,
            userErrors: [err(['input', 'catalogId'], 'Catalog does not exist.', 'CATALOG_DOES_NOT_EXIST')],
          };
        const p = await withTransaction(db, async (c) => {
          const row = (await one(
            c,
            'INSERT INTO price_lists (name, currency, adjustment_type, adjustment_value) VALUES ($1, $2, $3, $4) RETURNING *',
            [input.name, input.currency, adjustment!.type, adjustment!.value],
          ))!;
          if (catalogId)
            await c.query('UPDATE catalogs SET price_list_id = $2 WHERE id = $1', [catalogId, row.id]);
          return row;
        });
        return { priceList: priceListNode(p), userErrors: [] };
      },

      // As on Shopify: the list and its prices go; its catalog stays, without a price list.
      priceListDelete: async ({ id }: Args) => {
        const list = await priceListOf(db, id);
        if (!list)
          return {
            deletedId: null,
            userErrors: [err(['id'], 'Price list does not exist.', 'PRICE_LIST_NOT_FOUND')],
          };
        await withTransaction(db, async (c) => {
          await c.query('UPDATE catalogs SET price_list_id = NULL WHERE price_list_id = $1', [list.id]);
          await c.query('UPDATE company_locations SET price_list_id = NULL WHERE price_list_id = $1', [
            list.id,
          ]);
          await c.query('DELETE FROM price_list_prices WHERE price_list_id = $1', [list.id]);
          await c.query('DELETE FROM price_lists WHERE id = $1', [list.id]);
        });
        return { deletedId: gid('PriceList', list.id), userErrors: [] };
      },

      priceListUpdate: async ({ id, input }: Args) => {
        const list = await priceListOf(db, id);
        if (!list)
          return {
            priceList: null,
            userErrors: [err(['id'], 'Price list does not exist.', 'PRICE_LIST_NOT_FOUND')],
          };
        const adjustment = adjustmentOf(input.parent);
        if (
          adjustment &&
          (!(adjustment.value >= 0) || (adjustment.type === 'PERCENTAGE_DECREASE' && adjustment.value > 100))
        )
          return {
            priceList: null,
            userErrors: [
              err(
                ['input', 'parent', 'adjustment', 'value'],
                'Adjustment value must be between 0 and 100',
                'INVALID_ADJUSTMENT_VALUE',
              ),
            ],
          };
        const row = await one(
          db,
          `UPDATE price_lists SET name = COALESCE($2, name), adjustment_type = COALESCE($3, adjustment_type),
             adjustment_value = COALESCE($4, adjustment_value) WHERE id = $1 RETURNING *`,
          [list.id, input.name ?? null, adjustment?.type ?? null, adjustment?.value ?? null],
        );
        return { priceList: priceListNode(row!), userErrors: [] };
      },

      priceListFixedPricesAdd: async ({ priceListId, prices }: Args) => {
        checkSize('prices', prices);
        const out = await atomically(async (c) => {
          const list = await priceListOf(c, priceListId);
          if (!list)
            return {
              prices: null,
              userErrors: [err(['priceListId'], 'Price list does not exist.', 'PRICE_LIST_NOT_FOUND')],
            };
          const { errors, added } = await addPrices(c, list, prices, ['prices'], {
            notFound: 'VARIANT_NOT_FOUND',
            currency: 'PRICES_TO_ADD_CURRENCY_MISMATCH',
            duplicate: 'DUPLICATE_ID_IN_INPUT',
          });
          return { list, added, prices: null as unknown, userErrors: errors };
        });
        if (out.userErrors.length) return { prices: null, userErrors: out.userErrors };
        const o = out as { list: Row; added: { variantId: string }[] };
        return {
          prices: await addedNodes(
            o.list.id,
            o.list.currency,
            o.added.map((a) => a.variantId),
          ),
          userErrors: [],
        };
      },

      priceListFixedPricesDelete: async ({ priceListId, variantIds }: Args) => {
        checkSize('variantIds', variantIds);
        const list = await priceListOf(db, priceListId);
        if (!list)
          return {
            deletedFixedPriceVariantIds: null,
            userErrors: [err(['priceListId'], 'Price list does not exist.', 'PRICE_LIST_NOT_FOUND')],
          };
        return { deletedFixedPriceVariantIds: await deletePrices(db, list, variantIds), userErrors: [] };
      },

      priceListFixedPricesUpdate: async ({ priceListId, pricesToAdd, variantIdsToDelete }: Args) => {
        checkSize('pricesToAdd', pricesToAdd);
        checkSize('variantIdsToDelete', variantIdsToDelete);
        const out = await atomically(async (c) => {
          const list = await priceListOf(c, priceListId);
          if (!list)
            return {
              userErrors: [err(['priceListId'], 'Price list does not exist.', 'PRICE_LIST_NOT_FOUND')],
            };
          const deleted = await deletePrices(c, list, variantIdsToDelete);
          const { errors, added } = await addPrices(c, list, pricesToAdd, ['pricesToAdd'], {
            notFound: 'VARIANT_NOT_FOUND',
            currency: 'PRICES_TO_ADD_CURRENCY_MISMATCH',
            duplicate: 'DUPLICATE_ID_IN_INPUT',
          });
          return { list, deleted, added, userErrors: errors };
        });
        if (out.userErrors.length)
          return {
            priceList: null,
            pricesAdded: null,
            deletedFixedPriceVariantIds: null,
            userErrors: out.userErrors,
          };
        const o = out as unknown as { list: Row; deleted: string[]; added: { variantId: string }[] };
        return {
          priceList: priceListNode(o.list),
          pricesAdded: await addedNodes(
            o.list.id,
            o.list.currency,
            o.added.map((a) => a.variantId),
          ),
          deletedFixedPriceVariantIds: o.deleted,
          userErrors: [],
        };
      },

      quantityPricingByVariantUpdate: async ({ priceListId, input }: Args) => {
        for (const k of [
          'pricesToAdd',
          'pricesToDeleteByVariantId',
          'quantityPriceBreaksToAdd',
          'quantityPriceBreaksToDelete',
          'quantityPriceBreaksToDeleteByVariantId',
          'quantityRulesToAdd',
          'quantityRulesToDeleteByVariantId',
        ])
          checkSize(`input.${k}`, input[k]);
        const out = await atomically(async (c) => {
          const list = await priceListOf(c, priceListId);
          if (!list)
            return {
              userErrors: [err(['priceListId'], 'Price List does not exist.', 'PRICE_LIST_NOT_FOUND')],
            };
          const vid = (v: string) => idOf(v, 'ProductVariant') ?? '0';
          await c.query(
            'DELETE FROM quantity_price_breaks WHERE price_list_id = $1 AND id = ANY($2::bigint[])',
            [
              list.id,
              (input.quantityPriceBreaksToDelete as string[]).map(
                (b) => idOf(b, 'QuantityPriceBreak') ?? '0',
              ),
            ],
          );
          await c.query(
            'DELETE FROM quantity_price_breaks WHERE price_list_id = $1 AND variant_id = ANY($2::bigint[])',
            [list.id, ((input.quantityPriceBreaksToDeleteByVariantId ?? []) as string[]).map(vid)],
          );
          await deletePrices(c, list, input.pricesToDeleteByVariantId as string[]);
          const { errors, added } = await addPrices(
            c,
            list,
            input.pricesToAdd as Args[],
            ['input', 'pricesToAdd'],
            {
              notFound: 'PRICE_ADD_VARIANT_NOT_FOUND',
              currency: 'PRICE_ADD_CURRENCY_MISMATCH',
              duplicate: 'PRICE_ADD_DUPLICATE_INPUT_FOR_VARIANT',
            },
          );
          if (errors.length) return { userErrors: errors };
          const breaks = input.quantityPriceBreaksToAdd as Args[];
          const seen = new Set<string>();
          const toAdd: { variantId: string; minimumQuantity: number; price: string }[] = [];
          const breakVariants = breaks.map((b) => idOf(b.variantId, 'ProductVariant'));
          const variantsKnown = await existingIds(
            c,
            'SELECT id::text AS id FROM variants WHERE id = ANY($1::bigint[])',
            breakVariants,
          );
          const withFixed = await existingIds(
            c,
            'SELECT variant_id::text AS id FROM price_list_prices WHERE price_list_id = $2 AND variant_id = ANY($1::bigint[])',
            breakVariants,
            list.id,
          );
          for (const [i, b] of breaks.entries()) {
            const path = ['input', 'quantityPriceBreaksToAdd', String(i)];
            const variantId = idOf(b.variantId, 'ProductVariant');
            const fixed = variantId ? withFixed.has(variantId) : false;
            const key = `${variantId}|${b.minimumQuantity}`;
            if (!variantId || !variantsKnown.has(variantId))
              errors.push(
                err(
                  [...path, 'variantId'],
                  'Quantity price break variant not found.',
                  'QUANTITY_PRICE_BREAK_ADD_VARIANT_NOT_FOUND',
                ),
              );
            else if (!fixed)
              errors.push(
                err(
                  [...path, 'variantId'],
                  "Quantity price break's fixed price not found.",
                  'QUANTITY_PRICE_BREAK_ADD_PRICE_LIST_PRICE_NOT_FOUND',
                ),
              );
            else if (String(b.price.currencyCode).toUpperCase() !== list.currency)
              errors.push(
                err(
                  [...path, 'price'],
                  'Price list and quantity price break currency mismatch.',
                  'QUANTITY_PRICE_BREAK_ADD_CURRENCY_MISMATCH',
                ),
              );
            else if (!(Number(b.minimumQuantity) > 1))
              errors.push(
                err(
                  [...path, 'minimumQuantity'],
                  'Invalid quantity price break.',
                  'QUANTITY_PRICE_BREAK_ADD_INVALID',
                ),
              );
            else if (seen.has(key))
              errors.push(
                err(
                  [...path],
                  'Quantity price breaks to add inputs must be unique by variant id and minimum quantity.',
                  'QUANTITY_PRICE_BREAK_ADD_DUPLICATE_INPUT_FOR_VARIANT_AND_MIN',
                ),
              );
            else {
              seen.add(key);
              toAdd.push({
                variantId,
                minimumQuantity: Number(b.minimumQuantity),
                price: Money.of(String(b.price.amount), list.currency, 'halfUp').toString(),
              });
            }
          }
          // Any error rolls the whole call back (atomically), so the valid breaks go in at once.
          if (errors.length === 0 && toAdd.length)
            await c.query(
              `INSERT INTO quantity_price_breaks (price_list_id, variant_id, minimum_quantity, price)
               SELECT $1, * FROM unnest($2::bigint[], $3::int[], $4::numeric[])
               ON CONFLICT (price_list_id, variant_id, minimum_quantity) DO UPDATE SET price = EXCLUDED.price`,
              [
                list.id,
                toAdd.map((b) => b.variantId),
                toAdd.map((b) => b.minimumQuantity),
                toAdd.map((b) => b.price),
              ],
            );
          return { added, userErrors: errors };
        });
        if (out.userErrors.length) return { productVariants: null, userErrors: out.userErrors };
        const ids = [
          ...new Set(
            [...(input.pricesToAdd as Args[]), ...(input.quantityPriceBreaksToAdd as Args[])].map((p) =>
              idOf(p.variantId, 'ProductVariant')!,
            ),
          ),
        ];
        return {
          productVariants: (
            await rows(db, 'SELECT * FROM variants WHERE id = ANY($1::bigint[]) ORDER BY id', [ids])
          ).map(variantNode),
          userErrors: [],
        };
      },

      catalogCreate: async ({ input }: Args) => {
        checkSize('input.context.companyLocationIds', input.context?.companyLocationIds);
        const out = await atomically(async (c) => {
          if (!String(input.title ?? '').trim())
            return { userErrors: [err(['input', 'title'], 'Title can\u2019t be blank', 'BLANK')] };
          const locations = ((input.context?.companyLocationIds ?? []) as string[]).map((l) =>
            idOf(l, 'CompanyLocation'),
          );
          if (locations.length === 0)
            return {
              userErrors: [
                err(
                  ['input', 'context'],
                  'A catalog needs a context: company locations.',
                  'REQUIRES_CONTEXTS_TO_ADD_OR_REMOVE',
                ),
              ],
            };
          const found = await rows(c, 'SELECT id FROM company_locations WHERE id = ANY($1::bigint[])', [
            locations.map((l) => l ?? '0'),
          ]);
          if (found.length !== new Set(locations).size || locations.some((l) => !l))
            return {
              userErrors: [
                err(
                  ['input', 'context', 'companyLocationIds'],
                  'Company location does not exist.',
                  'COMPANY_LOCATION_NOT_FOUND',
                ),
              ],
            };
          let priceListId: string | null = null;
          if (input.priceListId) {
            const list = await priceListOf(c, input.priceListId);
            if (!list)
              return {
                userErrors: [
                  err(['input', 'priceListId'], 'Price list does not exist.', 'PRICE_LIST_NOT_FOUND'),
                ],
              };
            if (await one(c, 'SELECT 1 FROM catalogs WHERE price_list_id = $1', [list.id]))
              return {
                userErrors: [
                  err(
                    ['input', 'priceListId'],
                    'Price list is already associated with another catalog.',
                    'PRICE_LIST_LOCKED',
                  ),
                ],
              };
            priceListId = list.id;
          }
          const catalog = (await one(
            c,
            'INSERT INTO catalogs (title, status, price_list_id) VALUES ($1, $2, $3) RETURNING *',
            [input.title, input.status, priceListId],
          ))!;
          await c.query(
            'INSERT INTO catalog_company_locations (catalog_id, company_location_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING',
            [catalog.id, locations],
          );
          return { catalog, userErrors: [] as UserError[] };
        });
        if (out.userErrors.length) return { catalog: null, userErrors: out.userErrors };
        return { catalog: catalogNode((out as { catalog: Row }).catalog), userErrors: [] };
      },

      metafieldsDelete: async ({ metafields }: Args) => {
        checkSize('metafields', metafields);
        const deleted: Row[] = [];
        for (const m of metafields as Args[]) {
          const owner = idOf(m.ownerId);
          const r = owner
            ? await db.query('DELETE FROM metafields WHERE owner_id = $1 AND namespace = $2 AND key = $3', [
                owner,
                m.namespace,
                m.key,
              ])
            : undefined;
          // Shopify answers null for an identifier that named no metafield.
          deleted.push(r?.rowCount ? { ownerId: m.ownerId, namespace: m.namespace, key: m.key } : null!);
        }
        return { deletedMetafields: deleted, userErrors: [] };
      },

      catalogContextUpdate: async ({ catalogId, contextsToAdd, contextsToRemove }: Args) => {
        checkSize('contextsToAdd.companyLocationIds', contextsToAdd?.companyLocationIds);
        checkSize('contextsToRemove.companyLocationIds', contextsToRemove?.companyLocationIds);
        const catalog = await one(db, 'SELECT * FROM catalogs WHERE id = $1', [idOf(catalogId) ?? '0']);
        if (!catalog)
          return {
            catalog: null,
            userErrors: [err(['catalogId'], 'Catalog does not exist.', 'CATALOG_NOT_FOUND')],
          };
        const ids = (list: unknown) => ((list ?? []) as string[]).map((i) => idOf(i, 'CompanyLocation'));
        const add = ids(contextsToAdd?.companyLocationIds);
        const remove = ids(contextsToRemove?.companyLocationIds);
        if (add.length === 0 && remove.length === 0)
          return {
            catalog: null,
            userErrors: [
              err(null, 'Must specify contexts to add or remove.', 'REQUIRES_CONTEXTS_TO_ADD_OR_REMOVE'),
            ],
          };
        if (add.length) {
          const found = await rows(db, 'SELECT id FROM company_locations WHERE id = ANY($1::bigint[])', [
            add.map((a) => a ?? '0'),
          ]);
          if (add.some((a) => !a) || found.length !== new Set(add).size)
            return {
              catalog: null,
              userErrors: [
                err(
                  ['contextsToAdd', 'companyLocationIds'],
                  'Company location does not exist.',
                  'COMPANY_LOCATION_NOT_FOUND',
                ),
              ],
            };
        }
        await withTransaction(db, async (c) => {
          if (add.length)
            await c.query(
              'INSERT INTO catalog_company_locations (catalog_id, company_location_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING',
              [catalog.id, add],
            );
          if (remove.length)
            await c.query(
              'DELETE FROM catalog_company_locations WHERE catalog_id = $1 AND company_location_id = ANY($2::bigint[])',
              [catalog.id, remove.map((r) => r ?? '0')],
            );
        });
        return { catalog: catalogNode(catalog), userErrors: [] };
      },
    },
  };
}
