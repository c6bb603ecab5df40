import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_DEV_ACCESS_TOKEN } from '../../sandbox/storefront/app';
import { startSandbox, type RunningSandbox } from '../storefront/sandbox-support';

/**
 * Conformance of the sandbox store's product model to Shopify's Admin GraphQL API (2026-04), written
 * from Shopify's documentation of `productSet` ("Sync product data from an external source"): plain
 * HTTP requests as any client sends them, no Quayside connector code.
 */

interface Answer<T> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  extensions?: { cost?: { requestedQueryCost: number } };
}
interface UserError {
  field: string[] | null;
  message: string;
  code: string | null;
}
interface ProductView {
  id: string;
  handle: string;
  title: string;
  status: string;
  descriptionHtml: string;
  productType: string;
  tags: string[];
  options: { name: string; position: number; values: string[] }[];
  metafields: { nodes: { namespace: string; key: string; type: string; value: string }[] };
  variants: {
    nodes: {
      id: string;
      sku: string;
      price: string;
      title: string;
      inventoryPolicy: string;
      selectedOptions: { name: string; value: string }[];
      inventoryItem: { tracked: boolean; measurement: { weight: { unit: string; value: number } | null } };
      metafield: { value: string } | null;
    }[];
  };
}
interface SetAnswer {
  productSet: {
    product: ProductView | null;
    productSetOperation: { id: string; status: string } | null;
    userErrors: UserError[];
  };
}

const PRODUCT = `id handle title status descriptionHtml productType tags
  options { name position values }
  metafields(first: 20) { nodes { namespace key type value } }
  variants(first: 50) { nodes { id sku price title inventoryPolicy selectedOptions { name value }
    inventoryItem { tracked measurement { weight { unit value } } }
    metafield(namespace: "erp", key: "item") { value } } }`;
const SET = `mutation Set($input: ProductSetInput!, $identifier: ProductSetIdentifiers, $synchronous: Boolean) {
  productSet(input: $input, identifier: $identifier, synchronous: $synchronous) {
    product { ${PRODUCT} }
    productSetOperation { id status }
    userErrors { field message code }
  }
}`;

const run = Date.now().toString(36);
const handle = `hex-bolt-${run}`;
const sku = (s: string) => `HB-${s}-${run}`;

const shirt = (sizes: string[], extra: Record<string, unknown> = {}) => ({
  title: `Hex bolt ${run}`,
  handle,
  descriptionHtml: '<p>Grade 8.8 <strong>zinc</strong></p>',
  productType: 'Fasteners',
  tags: ['bolts', 'metric'],
  status: 'ACTIVE',
  metafields: [
    { namespace: 'compliance', key: 'hazmat', type: 'boolean', value: 'false' },
    { namespace: 'compliance', key: 'length', type: 'dimension', value: '{"value":40,"unit":"mm"}' },
  ],
  productOptions: [{ name: 'Size', position: 1, values: sizes.map((name) => ({ name })) }],
  variants: sizes.map((size, i) => ({
    optionValues: [{ optionName: 'Size', name: size }],
    sku: sku(size),
    price: `${10 + i}.50`,
    inventoryPolicy: 'DENY',
    inventoryItem: { tracked: true, measurement: { weight: { unit: 'GRAMS', value: 12.5 } } },
    metafields: [{ namespace: 'erp', key: 'item', type: 'single_line_text_field', value: `P-${size}` }],
  })),
  ...extra,
});

describe('sandbox store conformance: productSet and the product model', () => {
  let store: RunningSandbox;
  const gql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<Answer<T>> => {
    const res = await fetch(`${store.base}/admin/api/2026-04/graphql.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Shopify-Access-Token': SANDBOX_DEV_ACCESS_TOKEN },
      body: JSON.stringify({ query, variables }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Answer<T>;
  };
  const set = async (
    input: Record<string, unknown>,
    identifier?: Record<string, unknown>,
    synchronous = true,
  ) => {
    const a = await gql<SetAnswer>(SET, { input, identifier, synchronous });
    expect(a.errors).toBeUndefined();
    return a.data!.productSet;
  };
  const codes = (r: SetAnswer['productSet']) => r.userErrors.map((e) => e.code);

  beforeAll(async () => {
    store = await startSandbox('store_products_conformance', { restoreRate: 1000, bucketSize: 5000 });
  });
  afterAll(async () => {
    await store.stop();
  });

  let productId = '';

  it('creates a product with its options, variants, weights and metafields by handle, and upserts it on a repeat', async () => {
    const first = await set(shirt(['M8', 'M10']), { handle });
    expect(first.userErrors).toEqual([]);
    const p = first.product!;
    productId = p.id;
    expect(p).toMatchObject({
      handle,
      title: `Hex bolt ${run}`,
      status: 'ACTIVE',
      descriptionHtml: '<p>Grade 8.8 <strong>zinc</strong></p>',
      productType: 'Fasteners',
      tags: ['bolts', 'metric'],
      options: [{ name: 'Size', position: 1, values: ['M8', 'M10'] }],
    });
    expect(p.metafields.nodes.map((m) => `${m.namespace}.${m.key}=${m.value}`).sort()).toEqual([
      'compliance.hazmat=false',
      'compliance.length={"value":40,"unit":"mm"}',
    ]);
    expect(
      p.variants.nodes.map((v) => [v.sku, v.price, v.title, v.selectedOptions, v.metafield?.value]),
    ).toEqual([
      [sku('M8'), '10.50', 'M8', [{ name: 'Size', value: 'M8' }], 'P-M8'],
      [sku('M10'), '11.50', 'M10', [{ name: 'Size', value: 'M10' }], 'P-M10'],
    ]);
    expect(p.variants.nodes[0]!.inventoryItem).toEqual({
      tracked: true,
      measurement: { weight: { unit: 'GRAMS', value: 12.5 } },
    });

    const again = await set(shirt(['M8', 'M10']), { handle });
    expect(again.userErrors).toEqual([]);
    expect(again.product!.id).toBe(productId);
    expect(again.product!.variants.nodes.map((v) => v.id)).toEqual(p.variants.nodes.map((v) => v.id));
    const found = await gql<{ products: { nodes: { id: string }[] } }>(
      `query($q: String!) { products(first: 5, query: $q) { nodes { id } } }`,
      { q: `handle:${handle}` },
    );
    expect(found.data!.products.nodes).toEqual([{ id: productId }]);
  });

  it('replaces list fields and keeps omitted scalars: a variant left out is deleted, a new one created', async () => {
    const before = (await set(shirt(['M8', 'M10']), { handle })).product!;
    const r = await set(
      {
        handle,
        metafields: [{ namespace: 'compliance', key: 'hazmat', type: 'boolean', value: 'true' }],
        productOptions: [{ name: 'Size', values: [{ name: 'M10' }, { name: 'M12' }] }],
        variants: [
          { optionValues: [{ optionName: 'Size', name: 'M10' }], sku: sku('M10'), price: '11.75' },
          { optionValues: [{ optionName: 'Size', name: 'M12' }], sku: sku('M12'), price: '12.50' },
        ],
      },
      { handle },
    );
    expect(r.userErrors).toEqual([]);
    const p = r.product!;
    expect(p.title).toBe(`Hex bolt ${run}`);
    expect(p.tags).toEqual(['bolts', 'metric']);
    expect(p.metafields.nodes.map((m) => `${m.key}=${m.value}`)).toEqual(['hazmat=true']);
    expect(p.variants.nodes.map((v) => [v.sku, v.price])).toEqual([
      [sku('M10'), '11.75'],
      [sku('M12'), '12.50'],
    ]);
    // The M10 variant is the same one; M8 is gone.
    expect(p.variants.nodes[0]!.id).toBe(before.variants.nodes[1]!.id);
    const gone = await gql<{ productVariant: unknown }>(
      `query($id: ID!) { productVariant(id: $id) { id } }`,
      {
        id: before.variants.nodes[0]!.id,
      },
    );
    expect(gone.data!.productVariant).toBeNull();
  });

  it('leaves metafields alone when productSet omits them; metafieldsSet upserts beside the others, 25 at most, all or nothing', async () => {
    const p = (await set(shirt(['M8', 'M10']), { handle })).product!;
    const MFSET = `mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { metafields { key value } userErrors { field message code } } }`;
    type MfAnswer = { metafieldsSet: { metafields: { key: string }[] | null; userErrors: UserError[] } };
    const merchant = await gql<MfAnswer>(MFSET, {
      m: [
        {
          ownerId: p.id,
          namespace: 'custom',
          key: 'care',
          type: 'single_line_text_field',
          value: 'Oil lightly',
        },
      ],
    });
    expect(merchant.data!.metafieldsSet.userErrors).toEqual([]);
    // A later productSet without `metafields` keeps every metafield, the merchant's included.
    const { metafields: _omit, ...noMetafields } = shirt(['M8', 'M10']);
    const r = await set({ ...noMetafields, title: `Hex bolt ${run} (new)` }, { handle });
    expect(r.userErrors).toEqual([]);
    expect(r.product!.metafields.nodes.map((m) => `${m.namespace}.${m.key}`).sort()).toEqual([
      'compliance.hazmat',
      'compliance.length',
      'custom.care',
    ]);
    // metafieldsSet changes one and adds one; the others stay.
    const ok = await gql<MfAnswer>(MFSET, {
      m: [
        { ownerId: p.id, namespace: 'compliance', key: 'hazmat', type: 'boolean', value: 'true' },
        {
          ownerId: p.variants.nodes[0]!.id,
          namespace: 'erp',
          key: 'expected_date',
          type: 'date',
          value: '2026-12-24',
        },
      ],
    });
    expect(ok.data!.metafieldsSet.userErrors).toEqual([]);
    // One bad value (or a 26th metafield) and nothing of the call is set.
    const bad = await gql<MfAnswer>(MFSET, {
      m: [
        {
          ownerId: p.id,
          namespace: 'custom',
          key: 'care',
          type: 'single_line_text_field',
          value: 'Keep dry',
        },
        { ownerId: p.id, namespace: 'compliance', key: 'hazmat', type: 'boolean', value: 'maybe' },
      ],
    });
    expect(bad.data!.metafieldsSet.metafields).toBeNull();
    expect(bad.data!.metafieldsSet.userErrors.map((e) => e.field)).toEqual([['metafields', '1', 'value']]);
    const missingOwner = await gql<MfAnswer>(MFSET, {
      m: [
        {
          ownerId: p.id,
          namespace: 'custom',
          key: 'care',
          type: 'single_line_text_field',
          value: 'Keep dry',
        },
        {
          ownerId: 'gid://shopify/Product/1',
          namespace: 'custom',
          key: 'care',
          type: 'single_line_text_field',
          value: 'x',
        },
      ],
    });
    expect(missingOwner.data!.metafieldsSet.userErrors.map((e) => e.field)).toEqual([
      ['metafields', '1', 'ownerId'],
    ]);
    const tooMany = await gql<MfAnswer>(MFSET, {
      m: Array.from({ length: 26 }, (_, i) => ({
        ownerId: p.id,
        namespace: 'custom',
        key: `k${i}`,
        type: 'single_line_text_field',
        value: 'v',
      })),
    });
    expect(tooMany.data!.metafieldsSet.userErrors.map((e) => e.code)).toEqual(['LESS_THAN_OR_EQUAL_TO']);
    const after = await gql<{ product: ProductView }>(`query($id: ID!) { product(id: $id) { ${PRODUCT} } }`, {
      id: p.id,
    });
    expect(
      Object.fromEntries(
        after.data!.product.metafields.nodes.map((m) => [`${m.namespace}.${m.key}`, m.value]),
      ),
    ).toEqual({
      'compliance.hazmat': 'true',
      'compliance.length': '{"value":40,"unit":"mm"}',
      'custom.care': 'Oil lightly',
    });
    const variant = await gql<{ productVariant: { metafield: { value: string } | null } }>(
      `query($id: ID!) { productVariant(id: $id) { metafield(namespace: "erp", key: "expected_date") { value } } }`,
      { id: p.variants.nodes[0]!.id },
    );
    expect(variant.data!.productVariant.metafield).toEqual({ value: '2026-12-24' });
    // Restore the title the later tests expect.
    await set({ handle, title: `Hex bolt ${run}` }, { handle });
  });

  it('archives by status and finds the product by its identifier', async () => {
    const r = await set({ handle, status: 'ARCHIVED' }, { handle });
    expect(r.userErrors).toEqual([]);
    expect(r.product!.status).toBe('ARCHIVED');
    const byId = await set({ status: 'DRAFT' }, { id: productId });
    expect(byId.product!.status).toBe('DRAFT');
    const found = await gql<{ productByIdentifier: { id: string; status: string } | null }>(
      `query($h: String!) { productByIdentifier(identifier: { handle: $h }) { id status } }`,
      { h: handle },
    );
    expect(found.data!.productByIdentifier).toEqual({ id: productId, status: 'DRAFT' });
    const none = await gql<{ productByIdentifier: unknown }>(
      `{ productByIdentifier(identifier: { handle: "no-such-${run}" }) { id } }`,
    );
    expect(none.data!.productByIdentifier).toBeNull();
  });

  it('refuses bad input with ProductSetUserError codes', async () => {
    expect(codes(await set({ title: 'x' }, { handle: `other-${run}` }))).toEqual(['MISSING_FIELD_REQUIRED']);
    expect(codes(await set({ title: 'x', handle: `a-${run}` }, { handle: `b-${run}` }))).toEqual([
      'INPUT_MISMATCH',
    ]);
    expect(codes(await set({ title: 'x' }, { id: 'gid://shopify/Product/1' }))).toEqual(['NOT_FOUND']);
    expect(codes(await set({ id: productId, title: 'x' }, { id: productId }))).toEqual(['ID_NOT_ALLOWED']);
    const four = ['A', 'B', 'C', 'D'].map((name) => ({ name, values: [{ name: 'x' }] }));
    expect(codes(await set({ title: 'x', productOptions: four, variants: [] }))).toContain(
      'OPTIONS_OVER_LIMIT',
    );
    expect(codes(await set({ title: 'x', variants: [] }))).toEqual(['PRODUCT_OPTIONS_INPUT_MISSING']);
    const many = Array.from({ length: 101 }, (_, i) => `v${i}`);
    const tooMany = shirt(many, { handle: `many-${run}` });
    expect(codes(await set(tooMany, { handle: `many-${run}` }))).toContain('VARIANTS_OVER_LIMIT');
    const badMeta = shirt(['M8'], {
      handle: `meta-${run}`,
      metafields: [{ namespace: 'compliance', key: 'hazmat', type: 'boolean', value: 'yes' }],
    });
    expect(codes(await set(badMeta, { handle: `meta-${run}` }))).toEqual(['INVALID_METAFIELD']);
    const wrongValue = shirt(['M8'], { handle: `opt-${run}` });
    (wrongValue.variants[0]!.optionValues[0] as { name: string }).name = 'M99';
    expect(codes(await set(wrongValue, { handle: `opt-${run}` }))).toEqual(['OPTION_VALUE_DOES_NOT_EXIST']);
    // Another product may not take the handle.
    const other = await set(shirt(['X1'], { handle: `second-${run}`, title: 'Second' }), {
      handle: `second-${run}`,
    });
    expect(other.userErrors).toEqual([]);
    expect(codes(await set({ handle }, { id: other.product!.id }))).toEqual(['HANDLE_NOT_UNIQUE']);
    // The sandbox keeps SKUs unique: a SKU another product holds is refused.
    expect(codes(await set(shirt(['X1'], { handle: `third-${run}` }), { handle: `third-${run}` }))).toEqual([
      'INVALID_VARIANT',
    ]);
  });

  it('runs asynchronously when asked: the operation is read back with productOperation', async () => {
    const h = `async-${run}`;
    const r = await set(
      {
        ...shirt(['M6'], { handle: h }),
        variants: [{ optionValues: [{ optionName: 'Size', name: 'M6' }], sku: sku('A6'), price: '3.00' }],
      },
      { handle: h },
      false,
    );
    expect(r.product).toBeNull();
    expect(r.productSetOperation).toMatchObject({ status: 'CREATED' });
    const op = await gql<{
      productOperation: { status: string; product: { handle: string } | null; userErrors: UserError[] };
    }>(
      `query($id: ID!) { productOperation(id: $id) { status product { handle } ... on ProductSetOperation { userErrors { code } } } }`,
      { id: r.productSetOperation!.id },
    );
    expect(op.data!.productOperation).toEqual({ status: 'COMPLETE', product: { handle: h }, userErrors: [] });
  });

  it('charges productSet as a mutation against the cost bucket', async () => {
    const a = await gql<SetAnswer>(SET, {
      input: { handle, title: `Hex bolt ${run}` },
      identifier: { handle },
    });
    expect(a.extensions?.cost?.requestedQueryCost).toBe(10);
  });
});
