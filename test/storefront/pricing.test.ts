import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShopifyGraphQLError, ShopifyUserError } from '../../connectors/shopify/errors';
import { packPrices, ShopifyPricing } from '../../connectors/shopify/pricing';
import type { PlannedPrice } from '../../domain/store-pricing';
import { startSandbox, type RunningSandbox } from './sandbox-support';

const run = randomUUID().slice(0, 6);
let shop: RunningSandbox;
let pricing: ShopifyPricing;
const sku = (n: number) => `PRC-${run}-${n}`;

async function company(name: string, externalId: string): Promise<string> {
  const data = await shop.client.request<{
    companyCreate: { company: { locations: { nodes: { id: string }[] } } };
  }>(
    `mutation($input: CompanyCreateInput!) { companyCreate(input: $input) { company { locations(first: 1) { nodes { id } } } userErrors { message } } }`,
    { input: { company: { name, externalId }, companyLocation: { name } } },
  );
  return data.companyCreate.company.locations.nodes[0]!.id;
}

async function order(companyName: string, lines: { sku: string; quantity: number }[]) {
  const placed = await shop.sim<{ orderId: string }>('/sandbox/orders', {
    customerEmail: `buyer-${run}@${companyName.replace(/\W/g, '')}.test`,
    company: companyName,
    lines,
  });
  const json = await shop.sim<{ line_items: { sku: string; quantity: number; price: string }[] }>(
    `/sandbox/orders/${placed.orderId}`,
  );
  return json.line_items.map((l) => l.price);
}

beforeAll(async () => {
  shop = await startSandbox(`sandbox_store_pricing_${run}`, { restoreRate: 1000 });
  pricing = new ShopifyPricing(shop.client);
  for (const [n, price] of [
    [1, '10.00'],
    [2, '20.00'],
    [3, '30.00'],
    [4, '0.99'],
  ] as const)
    await shop.sim('/sandbox/products', { sku: sku(n), price });
});
afterAll(async () => {
  await shop?.stop();
});

describe('sandbox store: catalogs, price lists and volume pricing', () => {
  it('charges a company location its catalogs’ price: fixed price or break, else the adjustment, the lowest of its catalogs', async () => {
    const name = `Harbor Machining ${run}`;
    const location = await company(name, `C-${run}-1`);
    const level = await pricing.ensureCatalog({
      title: `Tier 2 ${run}`,
      currency: 'USD',
      adjustmentPercent: '10',
      companyLocationIds: [location],
    });
    // Ensuring again finds the same catalog and price list.
    expect(
      await pricing.ensureCatalog({
        title: `Tier 2 ${run}`,
        currency: 'USD',
        adjustmentPercent: '10',
        companyLocationIds: [location],
      }),
    ).toEqual(level);
    await pricing.writePrices({
      priceListId: level.priceListId,
      currency: 'USD',
      set: [{ sku: sku(2), price: '15.00', breaks: [{ minimumQuantity: 10, price: '12.00' }] }],
      remove: [],
    });
    const own = await pricing.ensureCatalog({
      title: `Contract ${run}`,
      currency: 'USD',
      adjustmentPercent: '10',
      companyLocationIds: [location],
    });
    await pricing.writePrices({
      priceListId: own.priceListId,
      currency: 'USD',
      set: [{ sku: sku(3), price: '20.00', breaks: [] }],
      remove: [],
    });

    expect(
      await order(name, [
        { sku: sku(1), quantity: 1 },
        { sku: sku(2), quantity: 9 },
        { sku: sku(2), quantity: 10 },
        { sku: sku(3), quantity: 1 },
        { sku: sku(4), quantity: 3 },
      ]),
    ).toEqual(['9.00', '15.00', '12.00', '20.00', '0.89']);

    // Removing the fixed price drops its breaks: the level's adjustment applies again.
    await pricing.writePrices({ priceListId: level.priceListId, currency: 'USD', set: [], remove: [sku(2)] });
    expect(await order(name, [{ sku: sku(2), quantity: 10 }])).toEqual(['18.00']);

    // Without its own catalog the location pays the level's adjusted price.
    await pricing.assignCatalog({ catalogId: own.catalogId, add: [], remove: [location] });
    expect(await order(name, [{ sku: sku(3), quantity: 1 }])).toEqual(['27.00']);
  });

  it('a buyer without a company pays the base price', async () => {
    const placed = await shop.sim<{ orderId: string }>('/sandbox/orders', {
      customerEmail: `walkin-${run}@example.test`,
      lines: [{ sku: sku(1), quantity: 2 }],
    });
    const json = await shop.sim<{ line_items: { price: string }[] }>(`/sandbox/orders/${placed.orderId}`);
    expect(json.line_items[0]!.price).toBe('10.00');
  });

  it('refuses a price break without a fixed price, and more than 250 inputs, as Shopify does', async () => {
    const location = await company(`Delta Fabrication ${run}`, `C-${run}-2`);
    const list = await pricing.ensureCatalog({
      title: `Errors ${run}`,
      currency: 'USD',
      adjustmentPercent: null,
      companyLocationIds: [location],
    });
    const variant = await shop.client.request<{ productVariants: { nodes: { id: string }[] } }>(
      `query($q: String!) { productVariants(first: 1, query: $q) { nodes { id } } }`,
      { q: `sku:${sku(1)}` },
    );
    const variantId = variant.productVariants.nodes[0]!.id;
    const input = {
      pricesToAdd: [],
      pricesToDeleteByVariantId: [],
      quantityPriceBreaksToAdd: [
        { variantId, minimumQuantity: 5, price: { amount: '8.00', currencyCode: 'USD' } },
      ],
      quantityPriceBreaksToDelete: [],
      quantityRulesToAdd: [],
      quantityRulesToDeleteByVariantId: [],
    };
    const res = await shop.client.request<{
      quantityPricingByVariantUpdate: { userErrors: { code: string; field: string[] }[] };
    }>(
      `mutation($id: ID!, $input: QuantityPricingByVariantUpdateInput!) { quantityPricingByVariantUpdate(priceListId: $id, input: $input) { userErrors { field message code } } }`,
      { id: list.priceListId, input },
    );
    expect(res.quantityPricingByVariantUpdate.userErrors).toEqual([
      {
        code: 'QUANTITY_PRICE_BREAK_ADD_PRICE_LIST_PRICE_NOT_FOUND',
        field: ['input', 'quantityPriceBreaksToAdd', '0', 'variantId'],
        message: "Quantity price break's fixed price not found.",
      },
    ]);
    const tooMany = Array.from({ length: 251 }, () => ({
      variantId,
      price: { amount: '1.00', currencyCode: 'USD' },
    }));
    const err = await shop.client
      .request(
        `mutation($id: ID!, $prices: [PriceListPriceInput!]!) { priceListFixedPricesAdd(priceListId: $id, prices: $prices) { userErrors { message } } }`,
        { id: list.priceListId, prices: tooMany },
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShopifyGraphQLError);
    expect((err as ShopifyGraphQLError).errors[0]?.extensions?.code).toBe('MAX_INPUT_SIZE_EXCEEDED');
    await expect(
      pricing.writePrices({
        priceListId: 'gid://shopify/PriceList/1',
        currency: 'USD',
        set: [{ sku: sku(1), price: '1.00', breaks: [] }],
        remove: [],
      }),
    ).rejects.toBeInstanceOf(ShopifyUserError);
  });

  it('packs fixed prices and their breaks so no input array passes 250', () => {
    const set: PlannedPrice[] = Array.from({ length: 400 }, (_, i) => ({
      sku: `S${i}`,
      price: '10.00',
      breaks: [
        { minimumQuantity: 10, price: '9.70' },
        { minimumQuantity: 100, price: '9.30' },
      ],
    }));
    const calls = packPrices(set);
    expect(calls.flat()).toHaveLength(400);
    for (const c of calls) {
      expect(c.length).toBeLessThanOrEqual(250);
      expect(c.reduce((n, p) => n + p.breaks.length, 0)).toBeLessThanOrEqual(250);
    }
    expect(calls).toHaveLength(4);
  });
});

describe('sandbox store checkout runs the credit validation Function', () => {
  it('refuses a cart over the location’s credit headroom, naming both figures, and takes one within it', async () => {
    const name = `Summit Plant Services ${run}`;
    const location = await company(name, `C-${run}-3`);
    await pricing.setCreditHeadroom(location, { amount: '100.00', currency: 'USD' });
    const res = await fetch(`${shop.base}/sandbox/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        customerEmail: `ap-${run}@summit.test`,
        company: name,
        lines: [{ sku: sku(3), quantity: 4 }],
      }),
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { errors: string };
    expect(body.errors).toContain('120.00 USD');
    expect(body.errors).toContain('100.00 USD');
    const ok = await order(name, [{ sku: sku(3), quantity: 3 }]);
    expect(ok).toEqual(['30.00']);
    // Without a limit (the metafield cleared) nothing is refused.
    await pricing.setCreditHeadroom(location, null);
    expect(await order(name, [{ sku: sku(3), quantity: 40 }])).toEqual(['30.00']);
  });
});
