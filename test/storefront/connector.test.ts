import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminApiClient } from '@shopify/admin-api-client';
import { ShopifyAdminClient } from '../../connectors/shopify/client';
import { ShopifyAuthError, ShopifyGraphQLError, ShopifyUserError } from '../../connectors/shopify/errors';
import { ShopifyStorefront } from '../../connectors/shopify/storefront';
import { registerWebhookSubscriptions } from '../../connectors/shopify/webhooks/subscriptions';
import { SANDBOX_DEV_ACCESS_TOKEN, SANDBOX_SHOP_DOMAIN } from '../../sandbox/storefront/app';
import { startSandbox, type RunningSandbox } from './sandbox-support';

const run = Date.now().toString(36).toUpperCase();
const sku = (n: number) => `PROD-${n}-${run}`;

describe('Shopify connector against the sandbox store over HTTP', () => {
  let store: RunningSandbox;
  let shopify: ShopifyStorefront;

  beforeAll(async () => {
    store = await startSandbox('store_connector');
    shopify = new ShopifyStorefront(store.client);
    for (const n of [123, 124, 125]) {
      await store.sim('/sandbox/products', {
        sku: sku(n),
        title: `Hex bolt M${n}`,
        price: '12.50',
        inventory: { 'Chicago Warehouse': 40, 'Dallas Warehouse': 5 },
      });
    }
  });
  afterAll(async () => {
    await store.stop();
  });

  const placeOrder = (quantity = 3, financialStatus: 'pending' | 'paid' = 'pending') =>
    store.sim<{ orderId: string }>('/sandbox/orders', {
      financialStatus,
      customerEmail: `buyer-${run}@acme-industrial.test`,
      company: `Acme Industrial ${run}`,
      location: 'Acme Plant 2',
      poNumber: `PO-${run}`,
      lines: [
        { sku: sku(123), quantity },
        { sku: sku(124), quantity: 2 },
      ],
    });
  const lineIds = async (orderId: string) => {
    const data = await store.client.request<{
      order: { lineItems: { nodes: { id: string; sku: string }[] } };
    }>(`query($id: ID!) { order(id: $id) { lineItems(first: 10) { nodes { id sku } } } }`, {
      id: `gid://shopify/Order/${orderId}`,
    });
    return data.order.lineItems.nodes.map((n) => n.id.split('/').pop()!);
  };

  it("works with Shopify's own @shopify/admin-api-client, unchanged but for where it sends requests", async () => {
    const client = createAdminApiClient({
      storeDomain: SANDBOX_SHOP_DOMAIN,
      apiVersion: '2026-04',
      accessToken: SANDBOX_DEV_ACCESS_TOKEN,
      customFetchApi: (url, init) =>
        fetch(String(url).replace(`https://${SANDBOX_SHOP_DOMAIN}`, store.base), init),
    });
    const { data, errors, extensions } = await client.request(
      `query { shop { name myshopifyDomain } locations(first: 5) { nodes { name } } }`,
    );
    expect(errors).toBeUndefined();
    expect(data).toMatchObject({
      shop: { myshopifyDomain: SANDBOX_SHOP_DOMAIN },
      locations: { nodes: expect.arrayContaining([{ name: 'Chicago Warehouse' }]) },
    });
    expect(extensions).toMatchObject({ cost: { throttleStatus: { maximumAvailable: 2000 } } });
  });

  it('refuses a wrong access token with 401, which the connector reports as a non-retryable auth error', async () => {
    const bad = new ShopifyAdminClient({
      adminUrl: store.base,
      accessToken: 'shpat_wrong',
      apiVersion: '2026-04',
    });
    await expect(bad.request('query { shop { name } }')).rejects.toBeInstanceOf(ShopifyAuthError);
  });

  it('creates a partial fulfillment with tracking once, however often the same shipment is pushed', async () => {
    const { orderId } = await placeOrder();
    const [first, second] = await lineIds(orderId);
    const input = {
      orderId,
      fulfillmentKey: `IF-${run}-1`,
      lines: [{ lineId: first!, quantity: 1 }],
      carrier: 'UPS',
      trackingNumbers: ['1Z999AA10123456784'],
      trackingUrl: 'https://www.ups.com/track?tracknum=1Z999AA10123456784',
      notifyCustomer: true,
    };
    const created = await shopify.createFulfillment(input);
    expect(created.created).toBe(true);
    const again = await shopify.createFulfillment(input);
    expect(again).toEqual({ fulfillmentId: created.fulfillmentId, created: false });

    const data = await store.client.request<{
      order: {
        fulfillments: { id: string; trackingInfo: { company: string; number: string }[] }[];
        lineItems: { nodes: { unfulfilledQuantity: number }[] };
      };
    }>(
      `query($id: ID!) { order(id: $id) { fulfillments { id trackingInfo { company number } } lineItems(first: 10) { nodes { unfulfilledQuantity } } } }`,
      { id: `gid://shopify/Order/${orderId}` },
    );
    expect(data.order.fulfillments).toEqual([
      {
        id: `gid://shopify/Fulfillment/${created.fulfillmentId}`,
        trackingInfo: [{ company: 'UPS', number: '1Z999AA10123456784' }],
      },
    ]);
    expect(data.order.lineItems.nodes.map((n) => n.unfulfilledQuantity)).toEqual([2, 2]);

    const rest = await shopify.createFulfillment({
      ...input,
      fulfillmentKey: `IF-${run}-2`,
      trackingNumbers: ['1Z999AA10123456785'],
      lines: [
        { lineId: first!, quantity: 2 },
        { lineId: second!, quantity: 2 },
      ],
    });
    expect(rest.created).toBe(true);
    expect(rest.fulfillmentId).not.toBe(created.fulfillmentId);

    const over = shopify.createFulfillment({
      ...input,
      fulfillmentKey: `IF-${run}-3`,
      trackingNumbers: ['X'],
    });
    await expect(over).rejects.toBeInstanceOf(ShopifyUserError);
  });

  it('turns userErrors into typed, non-retryable ShopifyUserError', async () => {
    const { orderId } = await placeOrder();
    const [first] = await lineIds(orderId);
    const err = await shopify
      .createFulfillment({
        orderId,
        fulfillmentKey: `IF-${run}-over`,
        lines: [{ lineId: first!, quantity: 1 }],
        carrier: null,
        trackingNumbers: [],
        notifyCustomer: false,
      })
      .then(() => shopify.cancelOrder({ orderId, reason: 'customer', notifyCustomer: false, refund: false }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShopifyUserError);
    expect((err as ShopifyUserError).nonRetryable).toBe(true);
    expect((err as ShopifyUserError).operation).toBe('orderCancel');
    expect((err as ShopifyUserError).userErrors[0]!.message).toMatch(/fulfillments/);
  });

  it('cancels an unshipped order once and tags it and writes metafields', async () => {
    const { orderId } = await placeOrder();
    await shopify.updateOrder({
      orderId,
      addTags: ['erp:SO-1001'],
      note: 'ERP sales order SO-1001',
      metafields: [
        { namespace: 'quayside', key: 'erp_order_number', type: 'single_line_text_field', value: 'SO-1001' },
      ],
    });
    await shopify.cancelOrder({ orderId, reason: 'inventory', notifyCustomer: true, refund: false });
    await shopify.cancelOrder({ orderId, reason: 'inventory', notifyCustomer: true, refund: false });
    const data = await store.client.request<{
      order: { tags: string[]; note: string; cancelReason: string; metafield: { value: string } };
    }>(
      `query($id: ID!) { order(id: $id) { tags note cancelReason metafield(namespace: "quayside", key: "erp_order_number") { value } } }`,
      { id: `gid://shopify/Order/${orderId}` },
    );
    expect(data.order).toEqual({
      tags: ['erp:SO-1001'],
      note: 'ERP sales order SO-1001',
      cancelReason: 'INVENTORY',
      metafield: { value: 'SO-1001' },
    });
  });

  it('creates a refund once per refund key, against the payment it gives back', async () => {
    const { orderId } = await placeOrder(3, 'paid');
    const [first] = await lineIds(orderId);
    const input = {
      orderId,
      refundKey: `CM-${run}-1`,
      lines: [{ lineId: first!, quantity: 1, restock: true }],
      amount: '12.50',
      currency: 'USD',
      notifyCustomer: true,
    };
    const a = await shopify.createRefund(input);
    const b = await shopify.createRefund(input);
    expect(a.created).toBe(true);
    expect(b).toEqual({ refundId: a.refundId, created: false });
    const data = await store.client.request<{
      order: {
        displayFinancialStatus: string;
        refunds: {
          id: string;
          totalRefundedSet: { shopMoney: { amount: string } };
          transactions: { nodes: { kind: string; parentTransaction: { kind: string } }[] };
        }[];
      };
    }>(
      `query($id: ID!) { order(id: $id) { displayFinancialStatus refunds { id totalRefundedSet { shopMoney { amount } }
         transactions(first: 5) { nodes { kind parentTransaction { kind } } } } } }`,
      { id: `gid://shopify/Order/${orderId}` },
    );
    expect(data.order.displayFinancialStatus).toBe('PARTIALLY_REFUNDED');
    expect(data.order.refunds).toEqual([
      {
        id: `gid://shopify/Refund/${a.refundId}`,
        totalRefundedSet: { shopMoney: { amount: '12.50' } },
        transactions: { nodes: [{ kind: 'REFUND', parentTransaction: { kind: 'SALE' } }] },
      },
    ]);
  });

  it('refuses, as Shopify does, a refund of more than the payment can give back', async () => {
    const { orderId } = await placeOrder(1, 'paid'); // 12.50 + 2 × 12.50 = 37.50 paid
    const err = await shopify
      .createRefund({
        orderId,
        refundKey: `CM-${run}-over`,
        lines: [],
        amount: '40.00',
        currency: 'USD',
        notifyCustomer: false,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShopifyUserError);
    expect((err as ShopifyUserError).userErrors[0]!.message).toMatch(
      /40\.00 USD is greater than the 37\.50 USD/,
    );
  });

  it('refunds only the items of an order on payment terms, which has no payment to give back', async () => {
    const { orderId } = await placeOrder(2);
    const [first] = await lineIds(orderId);
    const refund = await shopify.createRefund({
      orderId,
      refundKey: `CM-${run}-terms`,
      lines: [{ lineId: first!, quantity: 1, restock: true }],
      amount: '12.50',
      currency: 'USD',
      notifyCustomer: false,
    });
    const data = await store.client.request<{
      order: {
        refunds: { totalRefundedSet: { shopMoney: { amount: string } } }[];
        lineItems: { nodes: { currentQuantity: number }[] };
      };
    }>(
      `query($id: ID!) { order(id: $id) { refunds { totalRefundedSet { shopMoney { amount } } } lineItems(first: 5) { nodes { currentQuantity } } } }`,
      { id: `gid://shopify/Order/${orderId}` },
    );
    expect(refund.created).toBe(true);
    expect(data.order.refunds).toEqual([{ totalRefundedSet: { shopMoney: { amount: '0.00' } } }]);
    expect(data.order.lineItems.nodes[0]!.currentQuantity).toBe(1);
  });

  it('a token without write_orders cannot cancel: ACCESS_DENIED, typed and not retried', async () => {
    const { accessToken } = await store.sim<{ accessToken: string }>('/sandbox/access-tokens', {
      scopes: ['read_orders'],
    });
    const readOnly = new ShopifyStorefront(
      new ShopifyAdminClient({ adminUrl: store.base, accessToken, apiVersion: '2026-04' }),
    );
    const { orderId } = await placeOrder(1);
    const err = await readOnly
      .cancelOrder({ orderId, reason: 'customer', notifyCustomer: false, refund: false })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShopifyGraphQLError);
    expect((err as ShopifyGraphQLError).nonRetryable).toBe(true);
    expect((err as ShopifyGraphQLError).errors[0]!.extensions?.code).toBe('ACCESS_DENIED');
  });

  it('sets inventory with compare-and-set and hands back the stale quantities', async () => {
    const first = await shopify.setInventory([
      { sku: sku(123), location: 'Chicago Warehouse', quantity: 38, compareQuantity: 40 },
      { sku: sku(124), location: 'Chicago Warehouse', quantity: 7, compareQuantity: 40 },
      { sku: sku(125), location: 'Dallas Warehouse', quantity: 9, compareQuantity: null },
    ]);
    expect(first).toEqual({ updated: 3, stale: [], unknown: [], refused: [] });
    const second = await shopify.setInventory([
      { sku: sku(123), location: 'Chicago Warehouse', quantity: 30, compareQuantity: 40 },
      { sku: sku(124), location: 'Chicago Warehouse', quantity: 6, compareQuantity: 7 },
    ]);
    expect(second.updated).toBe(1);
    expect(second.stale).toEqual([
      { sku: sku(123), location: 'Chicago Warehouse', quantity: 30, compareQuantity: 40 },
    ]);
    const data = await store.client.request<{
      productVariants: {
        nodes: {
          sku: string;
          inventoryItem: {
            inventoryLevels: { nodes: { location: { name: string }; quantities: { quantity: number }[] }[] };
          };
        }[];
      };
    }>(
      `query($q: String!) { productVariants(first: 5, query: $q) { nodes { sku inventoryItem { inventoryLevels(first: 5) { nodes { location { name } quantities(names: ["available"]) { quantity } } } } } } }`,
      { q: `sku:${sku(123)} OR sku:${sku(124)}` },
    );
    const chicago = (s: string) =>
      data.productVariants.nodes
        .find((n) => n.sku === s)!
        .inventoryItem.inventoryLevels.nodes.find((l) => l.location.name === 'Chicago Warehouse')!
        .quantities[0]!.quantity;
    expect(chicago(sku(123))).toBe(38);
    expect(chicago(sku(124))).toBe(6);
  });

  it('unpublishes and republishes a product by SKU', async () => {
    const published = async () => {
      const d = await store.client.request<{
        productVariants: { nodes: { product: { publishedOnCurrentPublication: boolean } }[] };
      }>(
        `query($q: String!) { productVariants(first: 1, query: $q) { nodes { product { publishedOnCurrentPublication } } } }`,
        { q: `sku:${sku(125)}` },
      );
      return d.productVariants.nodes[0]!.product.publishedOnCurrentPublication;
    };
    await shopify.setPublished(sku(125), false);
    expect(await published()).toBe(false);
    await shopify.setPublished(sku(125), true);
    expect(await published()).toBe(true);
    await expect(shopify.setPublished('NO-SUCH-SKU', false)).rejects.toBeInstanceOf(ShopifyUserError);
  });

  it('creates a B2B customer and company with price list, payment terms and credit headroom, and updates it on the second call', async () => {
    const input = {
      email: `ap-${run}@northwind.test`,
      firstName: 'Dana',
      lastName: 'Ruiz',
      companyName: `Northwind Supply ${run}`,
      priceList: 'Tier A',
      paymentTermsName: 'Net 30',
      creditHeadroom: '15000.00',
      erpCustomerId: `C-${run}`,
    };
    const a = await shopify.upsertCustomer(input);
    const b = await shopify.upsertCustomer({ ...input, creditHeadroom: '12000.00', priceList: 'Contract' });
    expect(b).toEqual(a);
    const data = await store.client.request<{
      company: {
        externalId: string;
        contacts: { nodes: { customer: { email: string } }[] };
        locations: {
          nodes: {
            buyerExperienceConfiguration: { paymentTermsTemplate: { name: string } };
            catalogs: { nodes: { title: string }[] };
          }[];
        };
        metafield: { value: string };
      };
    }>(
      `query($id: ID!) { company(id: $id) { externalId contacts(first: 5) { nodes { customer { email } } }
         locations(first: 1) { nodes { buyerExperienceConfiguration { paymentTermsTemplate { name } } catalogs(first: 5) { nodes { title } } } }
         metafield(namespace: "quayside", key: "credit_headroom") { value } } }`,
      { id: `gid://shopify/Company/${a.companyId}` },
    );
    expect(data.company).toEqual({
      externalId: `C-${run}`,
      contacts: { nodes: [{ customer: { email: input.email } }] },
      locations: {
        nodes: [
          {
            buyerExperienceConfiguration: { paymentTermsTemplate: { name: 'Net 30' } },
            // A company location can have several catalogs (Shopify shows it the lowest price of them).
            catalogs: { nodes: [{ title: 'Tier A' }, { title: 'Contract' }] },
          },
        ],
      },
      metafield: { value: '12000.00' },
    });
    await expect(shopify.upsertCustomer({ ...input, paymentTermsName: 'Net 999' })).rejects.toBeInstanceOf(
      ShopifyUserError,
    );
  });

  it('approves and closes a return, idempotently', async () => {
    const { orderId } = await placeOrder();
    const { returnId } = await store.sim<{ returnId: string }>('/sandbox/returns', {
      orderId,
      lines: [{ sku: sku(123), quantity: 1, reason: 'DEFECTIVE' }],
    });
    await shopify.updateReturn({ returnId, status: 'approved' });
    await shopify.updateReturn({ returnId, status: 'approved' });
    await shopify.updateReturn({ returnId, status: 'closed' });
    const d = await store.client.request<{ return: { status: string } }>(
      `query($id: ID!) { return(id: $id) { status } }`,
      { id: `gid://shopify/Return/${returnId}` },
    );
    expect(d.return.status).toBe('CLOSED');
    const declined = shopify.updateReturn({ returnId, status: 'declined', reason: 'too late' });
    await expect(declined).rejects.toBeInstanceOf(ShopifyUserError);
  });

  it('lists the orders changed since an instant, oldest change first, for the reconciliation', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const a = await store.sim<{ orderId: string; name: string }>('/sandbox/orders', {
      customerEmail: `rec-${run}@example.com`,
      lines: [{ sku: sku(123), quantity: 1 }],
    });
    const b = await store.sim<{ orderId: string; name: string }>('/sandbox/orders', {
      customerEmail: `rec-${run}@example.com`,
      lines: [{ sku: sku(124), quantity: 1 }],
    });
    const listed = await shopify.ordersUpdatedSince(since, 50);
    const ours = listed.filter((o) => o.orderId === a.orderId || o.orderId === b.orderId);
    expect(ours.map((o) => [o.orderId, o.name])).toEqual([
      [a.orderId, a.name],
      [b.orderId, b.name],
    ]);
    expect(await shopify.ordersUpdatedSince(ours[1]!.updatedAt, 50)).not.toContainEqual(
      expect.objectContaining({ orderId: b.orderId }),
    );
  });

  it('registers webhook subscriptions idempotently by topic and callback', async () => {
    const url = `http://127.0.0.1:9/hooks-${run}`;
    const first = await registerWebhookSubscriptions(store.client, url, ['orders/create', 'refunds/create']);
    const second = await registerWebhookSubscriptions(store.client, url, [
      'orders/create',
      'refunds/create',
      'returns/request',
    ]);
    expect(first).toEqual({ created: ['orders/create', 'refunds/create'], existing: [] });
    expect(second).toEqual({ created: ['returns/request'], existing: ['orders/create', 'refunds/create'] });
    await store.db.query('DELETE FROM webhook_subscriptions WHERE uri = $1', [url]);
  });
});

describe('cost-based throttling', () => {
  let store: RunningSandbox;
  beforeAll(async () => {
    store = await startSandbox('store_throttle', { bucketSize: 30, restoreRate: 40 });
  });
  afterAll(async () => {
    await store.stop();
  });

  it('answers THROTTLED with HTTP 200 once the bucket is empty', async () => {
    const raw = await Promise.all(
      Array.from({ length: 6 }, () =>
        fetch(`${store.base}/admin/api/2026-04/graphql.json`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-shopify-access-token': SANDBOX_DEV_ACCESS_TOKEN },
          body: JSON.stringify({
            query:
              'mutation { tagsAdd(id: "gid://shopify/Order/1", tags: ["x"]) { userErrors { message } } }',
          }),
        }).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as {
            errors?: { extensions: { code: string } }[];
            extensions: { cost: { throttleStatus: { restoreRate: number } } };
          },
        })),
      ),
    );
    expect(raw.every((r) => r.status === 200)).toBe(true);
    const throttled = raw.filter((r) => r.body.errors?.[0]?.extensions.code === 'THROTTLED');
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled[0]!.body.extensions.cost.throttleStatus.restoreRate).toBe(40);
  });

  it('waits a THROTTLED answer out, retries, and every call succeeds', async () => {
    const client = new ShopifyAdminClient({
      adminUrl: store.base,
      accessToken: SANDBOX_DEV_ACCESS_TOKEN,
      apiVersion: '2026-04',
    });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        client.request<{ tagsAdd: { userErrors: { message: string }[] } }>(
          `mutation($tags: [String!]!) { tagsAdd(id: "gid://shopify/Order/1", tags: $tags) { userErrors { message } } }`,
          {
            tags: [`t${i}`],
          },
        ),
      ),
    );
    expect(results).toHaveLength(8);
    expect(results.every((r) => r.tagsAdd.userErrors[0]?.message === 'Order does not exist.')).toBe(true);
    expect(client.stats.throttled).toBeGreaterThan(0);
    expect(client.stats.waitedMs).toBeGreaterThan(0);
  });
});
