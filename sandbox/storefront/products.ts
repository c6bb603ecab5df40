import { withTransaction } from '../../db/pool';
import { gid, idOf, type Row, type Args, type Q, rows, one, type StoreDb } from './db';

/**
 * The sandbox store's product model as `productSet` writes it: the idempotent upsert of a whole product
 * (by `identifier`: id, handle or a custom id metafield) with its options, variants, metafields, status
 * and tags. As on Shopify, list fields given (options, variants, metafields, tags) replace what the
 * product had — an existing variant left out is deleted — and scalar fields left out keep their value.
 * Variants are matched by `id`, else by their option values. `synchronous: false` answers with a
 * ProductSetOperation that `productOperation` reads back.
 *
 * Known difference: the sandbox keeps SKUs unique across the shop (Shopify does not); a SKU another
 * product's variant holds is refused with INVALID_VARIANT.
 */

export const PRODUCTS_SDL = /* GraphQL */ `
  scalar Money
  enum ProductStatus {
    ACTIVE
    ARCHIVED
    DRAFT
  }
  enum WeightUnit {
    GRAMS
    KILOGRAMS
    OUNCES
    POUNDS
  }
  enum ProductVariantInventoryPolicy {
    DENY
    CONTINUE
  }
  enum ProductOperationStatus {
    CREATED
    ACTIVE
    COMPLETE
  }
  enum ProductSetUserErrorCode {
    DUPLICATED_OPTION_NAME
    DUPLICATED_OPTION_VALUE
    GENERIC_ERROR
    HANDLE_NOT_UNIQUE
    ID_NOT_ALLOWED
    INPUT_MISMATCH
    INVALID_INPUT
    INVALID_METAFIELD
    INVALID_PRODUCT
    INVALID_VARIANT
    METAFIELD_MISMATCH
    MISSING_FIELD_REQUIRED
    NOT_FOUND
    OPTIONS_OVER_LIMIT
    OPTION_DOES_NOT_EXIST
    OPTION_VALUES_MISSING
    OPTION_VALUES_OVER_LIMIT
    OPTION_VALUE_DOES_NOT_EXIST
    PRODUCT_DOES_NOT_EXIST
    PRODUCT_OPTIONS_INPUT_MISSING
    PRODUCT_VARIANT_DOES_NOT_EXIST
    VARIANTS_INPUT_MISSING
    VARIANTS_OVER_LIMIT
  }
  type Weight {
    unit: WeightUnit!
    value: Float!
  }
  type InventoryItemMeasurement {
    id: ID!
    weight: Weight
  }
  type ProductOptionValue {
    id: ID!
    name: String!
    hasVariants: Boolean!
  }
  type ProductOption {
    id: ID!
    name: String!
    position: Int!
    values: [String!]!
    optionValues: [ProductOptionValue!]!
  }
  type SelectedOption {
    name: String!
    value: String!
  }
  type Count {
    count: Int!
    precision: String!
  }
  extend type Product {
    handle: String!
    status: ProductStatus!
    descriptionHtml: String!
    description: String!
    productType: String!
    vendor: String!
    tags: [String!]!
    options(first: Int): [ProductOption!]!
    variantsCount: Count
    metafield(namespace: String, key: String!): Metafield
    metafields(first: Int, after: String, namespace: String): MetafieldConnection!
  }
  extend type ProductVariant {
    displayName: String!
    position: Int!
    compareAtPrice: Money
    barcode: String
    inventoryPolicy: ProductVariantInventoryPolicy!
    taxable: Boolean!
    selectedOptions: [SelectedOption!]!
    metafield(namespace: String, key: String!): Metafield
    metafields(first: Int, after: String, namespace: String): MetafieldConnection!
  }
  extend type InventoryItem {
    requiresShipping: Boolean!
    measurement: InventoryItemMeasurement!
  }

  input UniqueMetafieldValueInput {
    namespace: String
    key: String!
    value: String!
  }
  input ProductSetIdentifiers {
    id: ID
    handle: String
    customId: UniqueMetafieldValueInput
  }
  input ProductIdentifierInput {
    id: ID
    handle: String
    customId: UniqueMetafieldValueInput
  }
  input OptionValueSetInput {
    id: ID
    name: String
  }
  input OptionSetInput {
    id: ID
    name: String
    position: Int
    values: [OptionValueSetInput!]
  }
  input VariantOptionValueInput {
    id: ID
    name: String
    optionId: ID
    optionName: String
  }
  input WeightInput {
    unit: WeightUnit!
    value: Float!
  }
  input InventoryItemMeasurementInput {
    weight: WeightInput
  }
  input InventoryItemInput {
    sku: String
    tracked: Boolean
    requiresShipping: Boolean
    cost: Decimal
    harmonizedSystemCode: String
    countryCodeOfOrigin: String
    measurement: InventoryItemMeasurementInput
  }
  input ProductVariantSetInput {
    id: ID
    optionValues: [VariantOptionValueInput!]!
    position: Int
    price: Money
    compareAtPrice: Money
    barcode: String
    sku: String
    taxable: Boolean
    inventoryPolicy: ProductVariantInventoryPolicy
    inventoryItem: InventoryItemInput
    metafields: [MetafieldInput!]
  }
  input ProductSetInput {
    id: ID
    title: String
    handle: String
    descriptionHtml: String
    productType: String
    vendor: String
    status: ProductStatus
    tags: [String!]
    redirectNewHandle: Boolean
    productOptions: [OptionSetInput!]
    variants: [ProductVariantSetInput!]
    metafields: [MetafieldInput!]
  }
  type ProductSetUserError {
    field: [String!]
    message: String!
    code: ProductSetUserErrorCode
  }
  interface ProductOperation {
    id: ID!
    status: ProductOperationStatus!
    product: Product
  }
  type ProductSetOperation implements ProductOperation {
    id: ID!
    status: ProductOperationStatus!
    product: Product
    userErrors: [ProductSetUserError!]!
  }
  type ProductSetPayload {
    product: Product
    productSetOperation: ProductSetOperation
    userErrors: [ProductSetUserError!]!
  }
  extend type Query {
    productByIdentifier(identifier: ProductIdentifierInput!): Product
    productOperation(id: ID!): ProductOperation
  }
  extend type Mutation {
    productSet(
      input: ProductSetInput!
      synchronous: Boolean = true
      identifier: ProductSetIdentifiers
    ): ProductSetPayload
  }
`;

/** Shopify's limits on a product: options, values per option, variants in a synchronous productSet. */
export const PRODUCT_LIMITS = { options: 3, optionValues: 100, syncVariants: 100, variants: 2048, tags: 250 };

const DEFAULT_OPTION = { name: 'Title', values: ['Default Title'] };

interface SetError {
  field: string[] | null;
  message: string;
  code: string;
}
const problem = (field: string[] | null, message: string, code: string): SetError => ({
  field,
  message,
  code,
});
class Refused extends Error {
  constructor(readonly errors: SetError[]) {
    super('productSet refused');
  }
}

/** A product's options: its own, or Shopify's implicit Title / Default Title. */
async function optionsOf(
  db: Q,
  productId: string,
): Promise<{ id: string | null; name: string; values: string[] }[]> {
  const list = await rows(db, 'SELECT * FROM product_options WHERE product_id = $1 ORDER BY position', [
    productId,
  ]);
  return list.length
    ? list.map((o) => ({ id: o.id as string, name: o.name as string, values: o.values as string[] }))
    : [{ id: null, ...DEFAULT_OPTION }];
}

/** A variant's option values: its own, or its title for a product with the implicit option. */
const valuesOf = (v: Row): string[] => (v.option_values as string[] | null) ?? [v.title ?? 'Default Title'];

const stripHtml = (html: string) =>
  html
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/** Fields resolvers.ts spreads into its Product node. */
export function productExtras(
  db: StoreDb,
  p: Row,
  metafields: { metafield: (a: Args) => unknown; metafields: (a: Args) => unknown },
): Row {
  return {
    handle: p.handle,
    status: p.status ?? 'ACTIVE',
    descriptionHtml: p.description_html ?? '',
    description: stripHtml(String(p.description_html ?? '')),
    productType: p.product_type ?? '',
    vendor: p.vendor ?? '',
    tags: p.tags ?? [],
    options: async () => {
      const variants = await rows(db, 'SELECT option_values, title FROM variants WHERE product_id = $1', [
        p.id,
      ]);
      return (await optionsOf(db, p.id)).map((o, i) => ({
        id: gid('ProductOption', o.id ?? p.id),
        name: o.name,
        position: i + 1,
        values: o.values,
        optionValues: o.values.map((name, j) => ({
          id: gid('ProductOptionValue', `${o.id ?? p.id}${j}`),
          name,
          hasVariants: variants.some((v) => valuesOf(v)[i] === name),
        })),
      }));
    },
    variantsCount: async () => ({
      count: Number((await one(db, 'SELECT count(*) AS n FROM variants WHERE product_id = $1', [p.id]))!.n),
      precision: 'EXACT',
    }),
    metafield: ({ namespace, key }: Args) => metafields.metafield({ namespace: namespace ?? '$app', key }),
    metafields: metafields.metafields,
  };
}

/** Fields resolvers.ts spreads into its ProductVariant node. */
export function variantExtras(
  db: StoreDb,
  v: Row,
  metafields: { metafield: (a: Args) => unknown; metafields: (a: Args) => unknown },
): Row {
  return {
    displayName: async () => {
      const p = await one(db, 'SELECT title FROM products WHERE id = $1', [v.product_id]);
      return `${p?.title ?? ''} - ${v.title}`;
    },
    position: v.position ?? 1,
    compareAtPrice: v.compare_at_price ?? null,
    barcode: v.barcode ?? null,
    inventoryPolicy: v.inventory_policy ?? 'DENY',
    taxable: v.taxable ?? true,
    selectedOptions: async () => {
      const options = await optionsOf(db, v.product_id);
      const values = valuesOf(v);
      return options.map((o, i) => ({ name: o.name, value: values[i] ?? '' }));
    },
    metafield: ({ namespace, key }: Args) => metafields.metafield({ namespace: namespace ?? '$app', key }),
    metafields: metafields.metafields,
  };
}

/** Fields resolvers.ts spreads into its InventoryItem node (the row of its variant). */
export function inventoryItemExtras(v: Row): Row {
  return {
    tracked: v.tracked ?? true,
    requiresShipping: v.requires_shipping ?? true,
    measurement: {
      id: gid('InventoryItemMeasurement', v.inventory_item_id),
      weight:
        v.weight === null || v.weight === undefined
          ? { unit: 'POUNDS', value: 0 }
          : { unit: v.weight_unit ?? 'POUNDS', value: Number(v.weight) },
    },
  };
}

const METAFIELD_TYPES: Record<string, (v: string) => boolean> = {
  boolean: (v) => v === 'true' || v === 'false',
  number_integer: (v) => /^-?\d+$/.test(v),
  number_decimal: (v) => /^-?\d+(\.\d+)?$/.test(v),
  single_line_text_field: (v) => !/[\r\n]/.test(v),
  multi_line_text_field: () => true,
  date: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v),
  json: (v) => {
    try {
      JSON.parse(v);
      return true;
    } catch {
      return false;
    }
  },
  dimension: (v) => measure(v, ['in', 'ft', 'yd', 'mm', 'cm', 'm']),
  weight: (v) => measure(v, ['oz', 'lb', 'g', 'kg']),
};
function measure(v: string, units: string[]): boolean {
  try {
    const m = JSON.parse(v) as { value?: unknown; unit?: unknown };
    return typeof m.value === 'number' && typeof m.unit === 'string' && units.includes(m.unit);
  } catch {
    return false;
  }
}

/** Whether a value is valid for a metafield type (types the sandbox does not know are taken as given). */
export const validMetafieldValue = (type: string, value: string): boolean =>
  METAFIELD_TYPES[type]?.(value) ?? true;

function checkMetafields(list: Args[] | undefined, path: string[]): SetError[] {
  const errors: SetError[] = [];
  const seen = new Set<string>();
  for (const [i, m] of (list ?? []).entries()) {
    const at = [...path, String(i)];
    if (!m.key || !m.type || m.value === undefined || m.value === null) {
      errors.push(problem(at, 'Metafield key, type and value are required.', 'INVALID_METAFIELD'));
      continue;
    }
    const ns = m.namespace ?? '$app';
    if (seen.has(`${ns}.${m.key}`))
      errors.push(problem(at, `Metafield ${ns}.${m.key} is given twice.`, 'INVALID_METAFIELD'));
    seen.add(`${ns}.${m.key}`);
    const valid = METAFIELD_TYPES[m.type as string];
    if (valid && !valid(String(m.value)))
      errors.push(
        problem([...at, 'value'], `Value is invalid for a ${m.type} metafield.`, 'INVALID_METAFIELD'),
      );
  }
  return errors;
}

/** Replaces an owner's metafields with the given ones (productSet's list-field behaviour). */
async function replaceMetafields(c: Q, ownerId: string, list: Args[]): Promise<void> {
  await c.query(
    `DELETE FROM metafields WHERE owner_id = $1 AND NOT ((namespace, key) IN (SELECT * FROM unnest($2::text[], $3::text[])))`,
    [ownerId, list.map((m) => m.namespace ?? '$app'), list.map((m) => m.key)],
  );
  for (const m of list)
    await c.query(
      `INSERT INTO metafields (owner_id, namespace, key, type, value) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (owner_id, namespace, key) DO UPDATE SET type = EXCLUDED.type, value = EXCLUDED.value, updated_at = now()
       WHERE metafields.value IS DISTINCT FROM EXCLUDED.value OR metafields.type IS DISTINCT FROM EXCLUDED.type`,
      [ownerId, m.namespace ?? '$app', m.key, m.type, String(m.value)],
    );
}

/** The product an identifier names (undefined when none); `customId` is a product metafield's value. */
async function findProduct(c: Q, identifier: Args): Promise<Row | undefined> {
  if (identifier.id)
    return one(c, 'SELECT * FROM products WHERE id = $1', [idOf(identifier.id, 'Product') ?? '0']);
  if (identifier.handle) return one(c, 'SELECT * FROM products WHERE handle = $1', [identifier.handle]);
  const custom = identifier.customId as Args | undefined;
  if (custom)
    return one(
      c,
      `SELECT p.* FROM metafields m JOIN products p ON p.id = m.owner_id
        WHERE m.namespace = $1 AND m.key = $2 AND m.value = $3`,
      [custom.namespace ?? '$app', custom.key, custom.value],
    );
  return undefined;
}

export function createProductsRoot(db: StoreDb, nodes: { productNode: (p: Row) => Row }) {
  const { productNode } = nodes;

  async function productSet(input: Args, identifier: Args | undefined, synchronous: boolean) {
    const errors: SetError[] = [];
    const given = identifier ? Object.keys(identifier).filter((k) => identifier[k] != null) : [];
    if (identifier && given.length !== 1)
      errors.push(
        problem(['identifier'], 'Exactly one of id, handle or customId must be given.', 'INVALID_INPUT'),
      );
    if (identifier && input.id)
      errors.push(
        problem(['input', 'id'], 'The id field is not allowed if identifier is provided.', 'ID_NOT_ALLOWED'),
      );
    if (identifier?.handle !== undefined && identifier.handle !== null) {
      if (input.handle === undefined || input.handle === null)
        errors.push(
          problem(
            ['input', 'handle'],
            'The input field corresponding to the identifier is required.',
            'MISSING_FIELD_REQUIRED',
          ),
        );
      else if (input.handle !== identifier.handle)
        errors.push(
          problem(
            ['input', 'handle'],
            'The identifier value does not match the value of the corresponding field in the input.',
            'INPUT_MISMATCH',
          ),
        );
    }
    if (identifier?.customId) {
      const c = identifier.customId as Args;
      const m = ((input.metafields ?? []) as Args[]).find(
        (x) => (x.namespace ?? '$app') === (c.namespace ?? '$app') && x.key === c.key,
      );
      if (!m || String(m.value) !== c.value)
        errors.push(
          problem(
            ['input', 'metafields'],
            'The input argument `metafields` (if present) must contain the `customId` value.',
            'METAFIELD_MISMATCH',
          ),
        );
    }
    if (input.tags && (input.tags as string[]).length > PRODUCT_LIMITS.tags)
      errors.push(
        problem(
          ['input', 'tags'],
          `A product can have at most ${PRODUCT_LIMITS.tags} tags.`,
          'INVALID_INPUT',
        ),
      );
    errors.push(...checkMetafields(input.metafields, ['input', 'metafields']));

    // Options and variants come together.
    const options = input.productOptions as Args[] | undefined;
    const variants = input.variants as Args[] | undefined;
    if (variants && !options)
      errors.push(
        problem(
          ['input', 'productOptions'],
          'Must specify product options when updating variants.',
          'PRODUCT_OPTIONS_INPUT_MISSING',
        ),
      );
    if (options && !variants)
      errors.push(
        problem(
          ['input', 'variants'],
          'Must specify variants when updating options.',
          'VARIANTS_INPUT_MISSING',
        ),
      );
    const optionList: { name: string; values: string[] }[] = [];
    if (options) {
      if (options.length > PRODUCT_LIMITS.options)
        errors.push(
          problem(
            ['input', 'productOptions'],
            `Options over limit: at most ${PRODUCT_LIMITS.options}.`,
            'OPTIONS_OVER_LIMIT',
          ),
        );
      for (const [i, o] of options.entries()) {
        const at = ['input', 'productOptions', String(i)];
        const name = String(o.name ?? '').trim();
        const values = ((o.values ?? []) as Args[]).map((v) => String(v.name ?? '').trim());
        if (!name) errors.push(problem([...at, 'name'], 'Option name can\u2019t be blank.', 'INVALID_INPUT'));
        if (optionList.some((x) => x.name.toLowerCase() === name.toLowerCase()))
          errors.push(
            problem([...at, 'name'], `Duplicated option name '${name}'.`, 'DUPLICATED_OPTION_NAME'),
          );
        if (values.length === 0 || values.some((v) => !v))
          errors.push(
            problem(
              [...at, 'values'],
              'Each option must have at least one option value specified.',
              'OPTION_VALUES_MISSING',
            ),
          );
        if (new Set(values.map((v) => v.toLowerCase())).size !== values.length)
          errors.push(
            problem([...at, 'values'], `Duplicated option value in '${name}'.`, 'DUPLICATED_OPTION_VALUE'),
          );
        if (values.length > PRODUCT_LIMITS.optionValues)
          errors.push(problem([...at, 'values'], 'Option values over limit.', 'OPTION_VALUES_OVER_LIMIT'));
        optionList.push({ name, values });
      }
    }
    const wanted: { input: Args; values: string[]; sku: string | null }[] = [];
    if (variants && options) {
      const limit = synchronous ? PRODUCT_LIMITS.syncVariants : PRODUCT_LIMITS.variants;
      if (variants.length > limit)
        errors.push(
          problem(
            ['input', 'variants'],
            `Number of product variants exceeds the limit of ${limit}${synchronous ? ' in synchronous mode' : ''}.`,
            'VARIANTS_OVER_LIMIT',
          ),
        );
      const combos = new Set<string>();
      const skus = new Set<string>();
      for (const [i, v] of variants.entries()) {
        const at = ['input', 'variants', String(i)];
        const values: (string | undefined)[] = optionList.map(() => undefined);
        for (const [j, ov] of ((v.optionValues ?? []) as Args[]).entries()) {
          const k = optionList.findIndex((o) => o.name === ov.optionName);
          if (k < 0) {
            errors.push(
              problem(
                [...at, 'optionValues', String(j), 'optionName'],
                `Option '${ov.optionName}' does not exist.`,
                'OPTION_DOES_NOT_EXIST',
              ),
            );
            continue;
          }
          if (!optionList[k]!.values.includes(String(ov.name)))
            errors.push(
              problem(
                [...at, 'optionValues', String(j), 'name'],
                `Option value '${ov.name}' does not exist on option '${ov.optionName}'.`,
                'OPTION_VALUE_DOES_NOT_EXIST',
              ),
            );
          values[k] = String(ov.name);
        }
        if (values.some((x) => x === undefined))
          errors.push(
            problem(
              [...at, 'optionValues'],
              'The variant must have a value for every option.',
              'INVALID_VARIANT',
            ),
          );
        const combo = values.join(' / ');
        if (combos.has(combo))
          errors.push(
            problem([...at, 'optionValues'], `The variant '${combo}' already exists.`, 'INVALID_VARIANT'),
          );
        combos.add(combo);
        const sku = (v.sku ?? v.inventoryItem?.sku ?? null) as string | null;
        if (sku && skus.has(sku))
          errors.push(
            problem(
              [...at, 'sku'],
              `SKU ${sku} is given to two variants (the sandbox keeps SKUs unique).`,
              'INVALID_VARIANT',
            ),
          );
        if (sku) skus.add(sku);
        errors.push(...checkMetafields(v.metafields, [...at, 'metafields']));
        wanted.push({ input: v, values: values as string[], sku });
      }
    }
    if (errors.length) return { productId: null, errors };

    try {
      const productId = await withTransaction(db, async (c) => {
        const key =
          identifier?.handle ?? input.handle ?? identifier?.id ?? input.id ?? identifier?.customId?.value;
        if (key) await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`productSet:${String(key)}`]);
        let product: Row | undefined;
        if (identifier) product = await findProduct(c, identifier);
        else if (input.id) {
          product = await findProduct(c, { id: input.id });
          if (!product)
            throw new Refused([problem(['input', 'id'], 'Product does not exist', 'PRODUCT_DOES_NOT_EXIST')]);
        }
        if (!product && identifier?.id)
          throw new Refused([
            problem(['identifier', 'id'], 'Resource matching the identifier was not found.', 'NOT_FOUND'),
          ]);
        if (input.handle) {
          const taken = await one(c, 'SELECT id FROM products WHERE handle = $1 AND id <> $2', [
            input.handle,
            product?.id ?? '0',
          ]);
          if (taken)
            throw new Refused([
              problem(
                ['input', 'handle'],
                `Handle '${input.handle}' already in use. Please provide a new handle.`,
                'HANDLE_NOT_UNIQUE',
              ),
            ]);
        }
        if (!product) {
          if (!input.title || !String(input.title).trim())
            throw new Refused([problem(['input', 'title'], 'Title can\u2019t be blank', 'INVALID_PRODUCT')]);
          if (!variants)
            throw new Refused([
              problem(
                ['input', 'variants'],
                'A new product needs its options and variants.',
                'VARIANTS_INPUT_MISSING',
              ),
            ]);
          product = await one(
            c,
            `INSERT INTO products (title, handle, status, description_html, product_type, vendor, tags)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
            [
              input.title,
              input.handle ?? null,
              input.status ?? 'ACTIVE',
              input.descriptionHtml ?? '',
              input.productType ?? '',
              input.vendor ?? '',
              input.tags ?? [],
            ],
          );
        } else {
          await c.query(
            `UPDATE products SET title = COALESCE($2, title), handle = COALESCE($3, handle), status = COALESCE($4, status),
               description_html = COALESCE($5, description_html), product_type = COALESCE($6, product_type),
               vendor = COALESCE($7, vendor), tags = COALESCE($8, tags), updated_at = now() WHERE id = $1`,
            [
              product.id,
              input.title ?? null,
              input.handle ?? null,
              input.status ?? null,
              input.descriptionHtml ?? null,
              input.productType ?? null,
              input.vendor ?? null,
              input.tags ?? null,
            ],
          );
        }
        const id = product!.id as string;
        if (input.metafields) await replaceMetafields(c, id, input.metafields);
        if (variants && options) await setVariants(c, id, optionList, wanted);
        return id;
      });
      return { productId, errors: [] };
    } catch (err) {
      if (err instanceof Refused) return { productId: null, errors: err.errors };
      throw err;
    }
  }

  /** Replaces the product's options and variants: matched by id, else by option values; the rest deleted. */
  async function setVariants(
    c: Q,
    productId: string,
    optionList: { name: string; values: string[] }[],
    wanted: { input: Args; values: string[]; sku: string | null }[],
  ): Promise<void> {
    const existing = await rows(
      c,
      'SELECT * FROM variants WHERE product_id = $1 ORDER BY position, id FOR UPDATE',
      [productId],
    );
    const oldOptions = await optionsOf(c, productId);
    const oldValues = (v: Row) => {
      const vals = valuesOf(v);
      // Old values re-ordered by the new option names, so reordering options keeps the variants.
      return optionList.map((o) => vals[oldOptions.findIndex((x) => x.name === o.name)] ?? '').join(' / ');
    };
    const used = new Set<string>();
    const plan: { input: Args; values: string[]; sku: string | null; row?: Row }[] = [];
    for (const [i, w] of wanted.entries()) {
      let row: Row | undefined;
      if (w.input.id) {
        row = existing.find((v) => v.id === idOf(w.input.id, 'ProductVariant'));
        if (!row)
          throw new Refused([
            problem(
              ['input', 'variants', String(i), 'id'],
              'Product variant does not exist.',
              'PRODUCT_VARIANT_DOES_NOT_EXIST',
            ),
          ]);
      } else row = existing.find((v) => !used.has(v.id) && oldValues(v) === w.values.join(' / '));
      if (row) used.add(row.id);
      plan.push({ ...w, row });
    }
    for (const [i, p] of plan.entries()) {
      if (!p.sku) continue;
      const other = await one(c, 'SELECT id, product_id FROM variants WHERE sku = $1', [p.sku]);
      // A variant of this same product may hand its SKU over (it is updated or deleted below).
      if (!other || other.id === p.row?.id || other.product_id === productId) continue;
      throw new Refused([
        problem(
          ['input', 'variants', String(i), 'sku'],
          `SKU ${p.sku} belongs to another product's variant (the sandbox keeps SKUs unique).`,
          'INVALID_VARIANT',
        ),
      ]);
    }
    for (const v of existing.filter((x) => !used.has(x.id))) {
      await c.query('DELETE FROM price_list_prices WHERE variant_id = $1', [v.id]);
      await c.query('DELETE FROM inventory_levels WHERE inventory_item_id = $1', [v.inventory_item_id]);
      await c.query('DELETE FROM metafields WHERE owner_id = $1', [v.id]);
      await c.query('DELETE FROM variants WHERE id = $1', [v.id]);
    }
    await c.query('DELETE FROM product_options WHERE product_id = $1', [productId]);
    for (const [i, o] of optionList.entries())
      await c.query(
        'INSERT INTO product_options (product_id, position, name, "values") VALUES ($1, $2, $3, $4)',
        [productId, i + 1, o.name, o.values],
      );
    for (const [i, p] of plan.entries()) {
      const v = p.input;
      const weight = v.inventoryItem?.measurement?.weight as Args | undefined;
      const values = [
        p.values,
        p.values.join(' / '),
        v.position ?? i + 1,
        v.price ?? null,
        v.compareAtPrice ?? null,
        v.barcode ?? null,
        p.sku,
        v.taxable ?? null,
        v.inventoryPolicy ?? null,
        v.inventoryItem?.tracked ?? null,
        v.inventoryItem?.requiresShipping ?? null,
        weight ? weight.value : null,
        weight ? weight.unit : null,
      ];
      let id: string;
      if (p.row) {
        await c.query(
          `UPDATE variants SET option_values = $2, title = $3, position = $4, price = COALESCE($5, price),
             compare_at_price = $6, barcode = COALESCE($7, barcode), sku = COALESCE($8, sku), taxable = COALESCE($9, taxable),
             inventory_policy = COALESCE($10, inventory_policy), tracked = COALESCE($11, tracked),
             requires_shipping = COALESCE($12, requires_shipping),
             weight = CASE WHEN $13::numeric IS NULL THEN weight ELSE $13 END, weight_unit = COALESCE($14, weight_unit)
           WHERE id = $1`,
          [p.row.id, ...values],
        );
        id = p.row.id;
      } else {
        if (!p.sku)
          throw new Refused([
            problem(
              ['input', 'variants', String(i), 'sku'],
              'The sandbox store needs a SKU on every variant.',
              'INVALID_VARIANT',
            ),
          ]);
        const r = await one(
          c,
          `INSERT INTO variants (product_id, option_values, title, position, price, compare_at_price, barcode, sku, taxable,
             inventory_policy, tracked, requires_shipping, weight, weight_unit)
           VALUES ($1, $2, $3, $4, COALESCE($5::numeric, 0), $6, $7, $8, COALESCE($9::boolean, true), COALESCE($10::text, 'DENY'), COALESCE($11::boolean, true),
             COALESCE($12::boolean, true), $13, $14) RETURNING id`,
          [productId, ...values],
        );
        id = r!.id;
      }
      if (v.metafields) await replaceMetafields(c, id, v.metafields);
    }
  }

  return {
    productSet: async ({ input, synchronous, identifier }: Args) => {
      const sync = synchronous !== false;
      const result = await productSet(input, identifier ?? undefined, sync);
      const product = async () => {
        const p = result.productId
          ? await one(db, 'SELECT * FROM products WHERE id = $1', [result.productId])
          : undefined;
        return p ? productNode(p) : null;
      };
      if (sync) return { product, productSetOperation: null, userErrors: result.errors };
      const op = await one(
        db,
        'INSERT INTO product_operations (product_id, user_errors) VALUES ($1, $2) RETURNING id',
        [result.productId, JSON.stringify(result.errors)],
      );
      return {
        product: null,
        productSetOperation: {
          __typename: 'ProductSetOperation',
          id: gid('ProductSetOperation', op!.id),
          status: 'CREATED',
          product,
          userErrors: [],
        },
        userErrors: [],
      };
    },

    productByIdentifier: async ({ identifier }: Args) => {
      const p = await findProduct(db, identifier ?? {});
      return p ? productNode(p) : null;
    },

    productOperation: async ({ id }: Args) => {
      const op = await one(db, 'SELECT * FROM product_operations WHERE id = $1', [
        idOf(id, 'ProductSetOperation') ?? '0',
      ]);
      if (!op) return null;
      return {
        __typename: 'ProductSetOperation',
        id: gid('ProductSetOperation', op.id),
        status: 'COMPLETE',
        product: async () => {
          const p = op.product_id
            ? await one(db, 'SELECT * FROM products WHERE id = $1', [op.product_id])
            : undefined;
          return p ? productNode(p) : null;
        },
        userErrors: op.user_errors,
      };
    },
  };
}
