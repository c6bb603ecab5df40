import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_DEV_ACCESS_TOKEN } from '../../sandbox/storefront/app';
import { adminSchema } from '../../sandbox/storefront/schema';
import { FIELD_SCOPES } from '../../sandbox/storefront/scopes';
import { startSandbox, type RunningSandbox } from '../storefront/sandbox-support';
import { eventually } from '../support/wait';

/**
 * Conformance of the sandbox store to Shopify's Admin GraphQL API (2026-04), written from Shopify's
 * documentation and ../shared/reference/API-FACTS.md: plain HTTP requests as any client would send
 * them, no Quayside connector code.
 */

interface GraphQLAnswer<T = Record<string, unknown>> {
  status: number;
  body: {
    data?: T | null;
    errors?: {
      message: string;
      locations?: unknown;
      path?: string[];
      extensions?: Record<string, unknown>;
    }[];
    extensions?: {
      cost?: {
        requestedQueryCost: number;
        actualQueryCost: number | null;
        throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
      };
    };
  };
}

const run = Date.now().toString(36).toUpperCase();
const sku = (n: number) => `CONF-${n}-${run}`;

interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}
interface Page {
  nodes: { id: string }[];
  edges: { cursor: string; node: { id: string } }[];
  pageInfo: PageInfo;
}

describe('sandbox store conformance: Shopify Admin GraphQL 2026-04', () => {
  let store: RunningSandbox;
  const gql = async <T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    token: string | null = SANDBOX_DEV_ACCESS_TOKEN,
    base = store.base,
  ): Promise<GraphQLAnswer<T>> => {
    const res = await fetch(`${base}/admin/api/2026-04/graphql.json`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token === null ? {} : { 'X-Shopify-Access-Token': token }),
      },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, body: (await res.json()) as GraphQLAnswer<T>['body'] };
  };

  beforeAll(async () => {
    store = await startSandbox('store_conformance', { jobDelayMs: 1500 });
    for (const n of [1, 2, 3, 4, 5])
      await store.sim('/sandbox/products', {
        sku: sku(n),
        title: `Flange ${n} ${run}`,
        price: '10.00',
        inventory: { 'Chicago Warehouse': 4, 'Dallas Warehouse': 2 },
      });
  });
  afterAll(async () => {
    await store.stop();
  });

  describe('collections and paging', () => {
    const PAGE = `query Page($first: Int, $after: String, $last: Int, $before: String, $reverse: Boolean) {
      products(first: $first, after: $after, last: $last, before: $before, reverse: $reverse) {
        nodes { id }
        edges { cursor node { id } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }`;
    const page = async (vars: Record<string, unknown>) => {
      const answer = await gql<{ products: Page }>(PAGE, vars);
      expect(answer.body.errors).toBeUndefined();
      return answer.body.data!.products;
    };

    it('answers every connection with nodes, edges { cursor node } and a complete pageInfo', async () => {
      const p = await page({ first: 2 });
      expect(p.nodes).toHaveLength(2);
      expect(p.edges.map((e) => e.node)).toEqual(p.nodes);
      expect(p.edges.every((e) => typeof e.cursor === 'string' && e.cursor.length > 0)).toBe(true);
      expect(p.pageInfo).toEqual({
        hasNextPage: true,
        hasPreviousPage: false,
        startCursor: p.edges[0]!.cursor,
        endCursor: p.edges[1]!.cursor,
      });
    });

    it('walks forward with first/after and back with last/before, each object once', async () => {
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const p: Page = await page({ first: 2, after });
        seen.push(...p.nodes.map((n) => n.id));
        expect(p.pageInfo.hasPreviousPage).toBe(pages > 0);
        pages += 1;
        if (!p.pageInfo.hasNextPage) break;
        after = p.pageInfo.endCursor;
      }
      expect(pages).toBe(3);
      expect(new Set(seen).size).toBe(5);

      const lastTwo = await page({ last: 2 });
      expect(lastTwo.nodes.map((n) => n.id)).toEqual(seen.slice(3));
      expect(lastTwo.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
      const before = await page({ last: 2, before: lastTwo.pageInfo.startCursor });
      expect(before.nodes.map((n) => n.id)).toEqual(seen.slice(1, 3));
      expect(before.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });

      const reversed = await page({ first: 5, reverse: true });
      expect(reversed.nodes.map((n) => n.id)).toEqual([...seen].reverse());
    });

    it('refuses a connection without first or last, as a top-level error', async () => {
      const answer = await gql(`{ products { nodes { id } } }`);
      expect(answer.status).toBe(200);
      expect(answer.body.errors?.[0]?.message).toBe('you must provide one of first or last');
    });

    it('pages nested connections too', async () => {
      const answer = await gql<{
        productVariants: { nodes: { inventoryItem: { inventoryLevels: Page } }[] };
      }>(
        `query($q: String!) { productVariants(first: 1, query: $q) { nodes { inventoryItem {
           inventoryLevels(first: 1) { nodes { id } edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } } } }`,
        { q: `sku:${sku(1)}` },
      );
      const levels = answer.body.data!.productVariants.nodes[0]!.inventoryItem.inventoryLevels;
      expect(levels.nodes).toHaveLength(1);
      expect(levels.pageInfo.hasNextPage).toBe(true);
      expect(levels.pageInfo.endCursor).toBe(levels.edges[0]!.cursor);
    });

    it('searches products, variants and inventory items with the query syntax', async () => {
      const products = await gql<{ products: { nodes: { title: string }[] } }>(
        `query($q: String!) { products(first: 10, query: $q) { nodes { title } } }`,
        { q: `sku:${sku(2)} OR sku:${sku(4)}` },
      );
      expect(products.body.data!.products.nodes.map((n) => n.title).sort()).toEqual([
        `Flange 2 ${run}`,
        `Flange 4 ${run}`,
      ]);
      const items = await gql<{
        inventoryItems: { nodes: { sku: string; variant: { product: { title: string } } }[] };
      }>(
        `query($q: String!) { inventoryItems(first: 10, query: $q) { nodes { sku variant { product { title } } } } }`,
        { q: `sku:${sku(3)}` },
      );
      expect(items.body.data!.inventoryItems.nodes).toEqual([
        { sku: sku(3), variant: { product: { title: `Flange 3 ${run}` } } },
      ]);
      const prefix = await gql<{ productVariants: { nodes: { sku: string }[] } }>(
        `query($q: String!) { productVariants(first: 10, query: $q) { nodes { sku } } }`,
        { q: `sku:CONF-5-*` },
      );
      expect(prefix.body.data!.productVariants.nodes.map((n) => n.sku)).toEqual([sku(5)]);
    });

    it('finds orders by name and lists them in id order by default', async () => {
      const placed: string[] = [];
      for (const _ of [1, 2]) {
        const { name } = await store.sim<{ name: string }>('/sandbox/orders', {
          customerEmail: `conf-${run}@example.com`,
          lines: [{ sku: sku(1), quantity: 1 }],
        });
        placed.push(name);
      }
      const byName = await gql<{ orders: { nodes: { name: string }[] } }>(
        `query($q: String!) { orders(first: 5, query: $q) { nodes { name } } }`,
        { q: `name:${placed[1]}` },
      );
      expect(byName.body.data!.orders.nodes).toEqual([{ name: placed[1] }]);
      const all = await gql<{ orders: { nodes: { name: string }[] } }>(
        `{ orders(first: 5) { nodes { name } } }`,
      );
      expect(all.body.data!.orders.nodes.map((n) => n.name)).toEqual(placed);
    });
  });

  describe('errors and their formats', () => {
    it('answers a field the schema does not have with HTTP 200 and top-level errors', async () => {
      const answer = await gql(`{ shop { name noSuchField } }`);
      expect(answer.status).toBe(200);
      expect(answer.body.errors?.[0]).toMatchObject({
        message: expect.stringContaining('noSuchField'),
        locations: [expect.objectContaining({ line: 1 })],
      });
    });

    it('answers a syntax error with top-level errors', async () => {
      const answer = await gql(`{ shop { name `);
      expect(answer.status).toBe(200);
      expect(answer.body.errors?.[0]?.message).toMatch(/Syntax Error/);
    });

    it('reports a business problem as userErrors { field message } on the mutation, not as errors', async () => {
      const answer = await gql<{
        tagsAdd: { node: unknown; userErrors: { field: string[]; message: string }[] };
      }>(
        `mutation { tagsAdd(id: "gid://shopify/Order/1", tags: ["x"]) { node { id } userErrors { field message } } }`,
      );
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data!.tagsAdd.node).toBeNull();
      expect(answer.body.data!.tagsAdd.userErrors).toEqual([{ field: ['id'], message: expect.any(String) }]);
    });

    it('refuses refundCreate without the @idempotent directive from 2026-04', async () => {
      const answer = await gql(
        `mutation { refundCreate(input: { orderId: "gid://shopify/Order/1" }) { refund { id } userErrors { field message } } }`,
      );
      expect(answer.body.errors?.[0]?.message).toMatch(/idempotent/);
    });
  });

  describe('inventory', () => {
    const SET = `mutation Set($input: InventorySetQuantitiesInput!, $key: String!) {
      inventorySetQuantities(input: $input) @idempotent(key: $key) {
        inventoryAdjustmentGroup { reason changes { name delta quantityAfterChange } }
        userErrors { field message code }
      }
    }`;
    type SetAnswer = {
      inventorySetQuantities: {
        inventoryAdjustmentGroup: {
          reason: string;
          changes: { name: string; delta: number; quantityAfterChange: number }[];
        } | null;
        userErrors: { field: string[]; message: string; code: string }[];
      };
    };
    const levelsOf = async (item: string) =>
      (
        await gql<{
          inventoryItem: {
            inventoryLevels: {
              nodes: { location: { name: string }; quantities: { quantity: number }[] }[];
            };
          };
        }>(
          `query($id: ID!) { inventoryItem(id: $id) { inventoryLevels(first: 5) { nodes { location { name } quantities(names: ["available"]) { quantity } } } } }`,
          { id: item },
        )
      ).body.data!.inventoryItem.inventoryLevels.nodes.map((l) => [
        l.location.name,
        l.quantities[0]!.quantity,
      ]);

    it('checks every quantity of a call and sets all of them or, one refused, none', async () => {
      await store.sim('/sandbox/products', {
        sku: sku(6),
        price: '10.00',
        inventory: { 'Chicago Warehouse': 4, 'Dallas Warehouse': 2 },
      });
      const ids = await gql<{
        inventoryItems: { nodes: { id: string }[] };
        locations: { nodes: { id: string; name: string }[] };
      }>(
        `query($q: String!) { inventoryItems(first: 1, query: $q) { nodes { id } } locations(first: 5) { nodes { id name } } }`,
        { q: `sku:${sku(6)}` },
      );
      const item = ids.body.data!.inventoryItems.nodes[0]!.id;
      const at = (name: string) => ids.body.data!.locations.nodes.find((l) => l.name === name)!.id;
      const [chicago, dallas, reno] = [at('Chicago Warehouse'), at('Dallas Warehouse'), at('Reno Warehouse')];

      const refused = await gql<SetAnswer>(SET, {
        key: `inv-refused-${run}`,
        input: {
          name: 'available',
          reason: 'correction',
          quantities: [
            { inventoryItemId: item, locationId: chicago, quantity: 9, changeFromQuantity: 4 },
            { inventoryItemId: item, locationId: dallas, quantity: 1, changeFromQuantity: 3 },
            {
              inventoryItemId: 'gid://shopify/InventoryItem/1',
              locationId: chicago,
              quantity: 1,
              changeFromQuantity: null,
            },
            {
              inventoryItemId: item,
              locationId: 'gid://shopify/Location/1',
              quantity: 1,
              changeFromQuantity: null,
            },
            { inventoryItemId: item, locationId: reno, quantity: 1 },
          ],
        },
      });
      expect(refused.body.data!.inventorySetQuantities).toEqual({
        inventoryAdjustmentGroup: null,
        userErrors: [
          {
            field: ['input', 'quantities', '1', 'changeFromQuantity'],
            message: 'The specified compare quantity does not match the current quantity.',
            code: 'CHANGE_FROM_QUANTITY_STALE',
          },
          {
            field: ['input', 'quantities', '2', 'inventoryItemId'],
            message: 'The specified inventory item could not be found.',
            code: 'INVALID_INVENTORY_ITEM',
          },
          {
            field: ['input', 'quantities', '3', 'locationId'],
            message: 'The specified location could not be found.',
            code: 'INVALID_LOCATION',
          },
          {
            field: ['input', 'quantities', '4', 'changeFromQuantity'],
            message: 'changeFromQuantity must be given (null to skip the check).',
            code: 'CHANGE_FROM_QUANTITY_REQUIRED',
          },
        ],
      });
      expect(await levelsOf(item)).toEqual([
        ['Chicago Warehouse', 4],
        ['Dallas Warehouse', 2],
      ]);

      const set = await gql<SetAnswer>(SET, {
        key: `inv-set-${run}`,
        input: {
          name: 'available',
          reason: 'correction',
          quantities: [
            { inventoryItemId: item, locationId: chicago, quantity: 9, changeFromQuantity: 4 },
            { inventoryItemId: item, locationId: dallas, quantity: 0, changeFromQuantity: null },
            { inventoryItemId: item, locationId: reno, quantity: 5, changeFromQuantity: 0 },
          ],
        },
      });
      expect(set.body.data!.inventorySetQuantities).toEqual({
        inventoryAdjustmentGroup: {
          reason: 'correction',
          changes: [
            { name: 'available', delta: 5, quantityAfterChange: 9 },
            { name: 'available', delta: -2, quantityAfterChange: 0 },
            { name: 'available', delta: 5, quantityAfterChange: 5 },
          ],
        },
        userErrors: [],
      });
      expect(await levelsOf(item)).toEqual([
        ['Chicago Warehouse', 9],
        ['Dallas Warehouse', 0],
        ['Reno Warehouse', 5],
      ]);
    });
  });

  describe('refunds', () => {
    const REFUND = `mutation Refund($input: RefundInput!, $key: String!) {
      refundCreate(input: $input) @idempotent(key: $key) {
        refund { id totalRefundedSet { shopMoney { amount currencyCode } } }
        userErrors { field message }
      }
    }`;
    interface RefundAnswer {
      refundCreate: {
        refund: { id: string; totalRefundedSet: { shopMoney: { amount: string } } } | null;
        userErrors: { field: string[]; message: string }[];
      };
    }
    const paidOrder = async () => {
      const { orderId } = await store.sim<{ orderId: string }>('/sandbox/orders', {
        customerEmail: `conf-refund-${run}@example.com`,
        lines: [{ sku: sku(3), quantity: 2 }],
        financialStatus: 'paid',
        gateway: 'bogus',
      });
      const id = `gid://shopify/Order/${orderId}`;
      const read = await gql<{
        order: {
          transactions: {
            id: string;
            kind: string;
            gateway: string;
            maximumRefundableV2: { amount: string };
          }[];
        };
      }>(
        `query($id: ID!) { order(id: $id) { transactions { id kind gateway maximumRefundableV2 { amount } } } }`,
        {
          id,
        },
      );
      return { id, sale: read.body.data!.order.transactions[0]! };
    };

    it('lists the order transactions a refund can name as its parent, with what each can give back', async () => {
      const { sale } = await paidOrder();
      expect(sale).toEqual({
        id: expect.stringMatching(/^gid:\/\/shopify\/OrderTransaction\//),
        kind: 'SALE',
        gateway: 'bogus',
        maximumRefundableV2: { amount: '20.00' },
      });
    });

    it('needs the parent transaction, and refuses more than it can give back, as userErrors', async () => {
      const { id, sale } = await paidOrder();
      const tx = { orderId: id, gateway: 'bogus', kind: 'REFUND' };
      const noParent = await gql<RefundAnswer>(REFUND, {
        key: `conf-${run}-a`,
        input: { orderId: id, transactions: [{ ...tx, amount: '5.00' }] },
      });
      expect(noParent.body.data!.refundCreate).toEqual({
        refund: null,
        userErrors: [{ field: ['transactions', '0', 'parentId'], message: expect.any(String) }],
      });
      const tooMuch = await gql<RefundAnswer>(REFUND, {
        key: `conf-${run}-b`,
        input: { orderId: id, transactions: [{ ...tx, parentId: sale.id, amount: '20.01' }] },
      });
      expect(tooMuch.body.data!.refundCreate.refund).toBeNull();
      expect(tooMuch.body.data!.refundCreate.userErrors).toEqual([
        { field: ['transactions', '0', 'amount'], message: expect.stringContaining('greater than') },
      ]);

      const ok = await gql<RefundAnswer>(REFUND, {
        key: `conf-${run}-c`,
        input: { orderId: id, transactions: [{ ...tx, parentId: sale.id, amount: '15.00' }] },
      });
      expect(ok.body.data!.refundCreate.userErrors).toEqual([]);
      expect(ok.body.data!.refundCreate.refund!.totalRefundedSet.shopMoney.amount).toBe('15.00');
      // What was refunded is no longer refundable.
      const again = await gql<RefundAnswer>(REFUND, {
        key: `conf-${run}-d`,
        input: { orderId: id, transactions: [{ ...tx, parentId: sale.id, amount: '5.01' }] },
      });
      expect(again.body.data!.refundCreate.userErrors[0]!.field).toEqual(['transactions', '0', 'amount']);
    });

    it('returns the first result for a repeated idempotency key instead of refunding twice', async () => {
      const { id, sale } = await paidOrder();
      const vars = {
        key: `conf-${run}-same`,
        input: {
          orderId: id,
          transactions: [
            { orderId: id, parentId: sale.id, gateway: 'bogus', kind: 'REFUND', amount: '7.00' },
          ],
        },
      };
      const first = await gql<RefundAnswer>(REFUND, vars);
      const second = await gql<RefundAnswer>(REFUND, vars);
      expect(second.body.data!.refundCreate.refund!.id).toBe(first.body.data!.refundCreate.refund!.id);
      const order = await gql<{
        order: { refunds: unknown[]; totalRefundedSet: { shopMoney: { amount: string } } };
      }>(`query($id: ID!) { order(id: $id) { refunds { id } totalRefundedSet { shopMoney { amount } } } }`, {
        id,
      });
      expect(order.body.data!.order.refunds).toHaveLength(1);
      expect(order.body.data!.order.totalRefundedSet.shopMoney.amount).toBe('7.00');
    });
  });

  describe('asynchronous jobs', () => {
    it('orderCancel answers with a job that finishes later; job(id) tells when, then the order is cancelled', async () => {
      const { orderId } = await store.sim<{ orderId: string }>('/sandbox/orders', {
        customerEmail: `conf-cancel-${run}@example.com`,
        lines: [{ sku: sku(2), quantity: 1 }],
      });
      const id = `gid://shopify/Order/${orderId}`;
      const cancel = await gql<{
        orderCancel: { job: { id: string; done: boolean }; orderCancelUserErrors: unknown[] };
      }>(
        `mutation($id: ID!) { orderCancel(orderId: $id, reason: CUSTOMER, refund: false, restock: true) {
           job { id done } orderCancelUserErrors { field message code } } }`,
        { id },
      );
      expect(cancel.body.data!.orderCancel.orderCancelUserErrors).toEqual([]);
      const job = cancel.body.data!.orderCancel.job;
      expect(job).toEqual({ id: expect.stringMatching(/^gid:\/\/shopify\/Job\//), done: false });
      const before = await gql<{ order: { cancelledAt: string | null } }>(
        `query($id: ID!) { order(id: $id) { cancelledAt } }`,
        { id },
      );
      expect(before.body.data!.order.cancelledAt).toBeNull();

      await eventually(async () => {
        const polled = await gql<{ job: { done: boolean } }>(`query($id: ID!) { job(id: $id) { id done } }`, {
          id: job.id,
        });
        return polled.body.data!.job.done;
      }, 'the cancellation job to finish');
      const after = await gql<{ order: { cancelledAt: string | null; cancelReason: string } }>(
        `query($id: ID!) { order(id: $id) { cancelledAt cancelReason } }`,
        { id },
      );
      expect(after.body.data!.order).toEqual({ cancelledAt: expect.any(String), cancelReason: 'CUSTOMER' });
    });
  });

  describe('authentication', () => {
    it('answers 401 without an access token', async () => {
      const answer = await gql(`{ shop { name } }`, {}, null);
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({
        errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
      });
    });

    it('answers 401 with a wrong access token', async () => {
      const answer = await gql(`{ shop { name } }`, {}, 'shpat_not_a_real_token');
      expect(answer.status).toBe(401);
      expect(answer.body.errors).toMatch(/Invalid API key or access token/);
    });
  });

  describe('access scopes', () => {
    const tokenWith = (scopes: string[]) =>
      store.sim<{ accessToken: string }>('/sandbox/access-tokens', { scopes }).then((t) => t.accessToken);

    it("answers a field outside the token's scopes with ACCESS_DENIED, in Shopify's error shape", async () => {
      const token = await tokenWith(['read_products']);
      const answer = await gql(`{ shop { name } orders(first: 1) { nodes { id } } }`, {}, token);
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toEqual([
        {
          message: 'Access denied for orders field. Required access: `read_orders` access scope.',
          locations: [{ line: 1, column: 17 }],
          path: ['orders'],
          extensions: {
            code: 'ACCESS_DENIED',
            documentation: 'https://shopify.dev/api/usage/access-scopes',
            requiredAccess: '`read_orders` access scope.',
          },
        },
      ]);
      const allowed = await gql<{ products: { nodes: unknown[] } }>(
        `{ products(first: 1) { nodes { id } } }`,
        {},
        token,
      );
      expect(allowed.body.errors).toBeUndefined();
      expect(allowed.body.data!.products.nodes).toHaveLength(1);
    });

    it('refuses a mutation without the write scope, and a write scope grants its read scope', async () => {
      const token = await tokenWith(['read_orders', 'write_products']);
      const mutation = await gql<{ orderCancel: unknown }>(
        `mutation { orderCancel(orderId: "gid://shopify/Order/1", reason: OTHER, restock: true) { job { id } } }`,
        {},
        token,
      );
      expect(mutation.body.errors?.[0]?.extensions?.code).toBe('ACCESS_DENIED');
      expect(mutation.body.data).toEqual({ orderCancel: null });
      const read = await gql(`{ products(first: 1) { nodes { id } } }`, {}, token);
      expect(read.body.errors).toBeUndefined();
    });

    it('every query and mutation of the sandbox says which scopes it needs', () => {
      const fields = [adminSchema.getQueryType()!, adminSchema.getMutationType()!].flatMap((t) =>
        Object.keys(t.getFields()),
      );
      expect(fields.filter((f) => !(f in FIELD_SCOPES))).toEqual([]);
    });

    it('tells a token its own scopes through currentAppInstallation', async () => {
      const token = await tokenWith(['read_orders']);
      const answer = await gql<{ currentAppInstallation: { accessScopes: { handle: string }[] } }>(
        `{ currentAppInstallation { accessScopes { handle } } }`,
        {},
        token,
      );
      expect(answer.body.data!.currentAppInstallation.accessScopes).toEqual([{ handle: 'read_orders' }]);
    });
  });

  describe('rate limiting', () => {
    let small: RunningSandbox;
    beforeAll(async () => {
      small = await startSandbox('store_conformance_small', { bucketSize: 60, restoreRate: 1 });
    });
    afterAll(async () => {
      await small.stop();
    });

    it('reports the query cost and the bucket on every answer', async () => {
      const answer = await gql(`{ shop { name } }`, {}, SANDBOX_DEV_ACCESS_TOKEN, small.base);
      expect(answer.body.extensions?.cost).toEqual({
        requestedQueryCost: expect.any(Number),
        actualQueryCost: expect.any(Number),
        throttleStatus: { maximumAvailable: 60, currentlyAvailable: expect.any(Number), restoreRate: 1 },
      });
    });

    it('answers THROTTLED with HTTP 200 and the throttle status when the bucket cannot pay', async () => {
      // 2 points for the connection plus 1 a product: 72 requested, more than the 60 the bucket holds.
      const answer = await gql(
        `{ products(first: 70) { nodes { id title } } }`,
        {},
        SANDBOX_DEV_ACCESS_TOKEN,
        small.base,
      );
      expect(answer.status).toBe(200);
      expect(answer.body.errors?.[0]).toMatchObject({
        message: 'Throttled',
        extensions: { code: 'THROTTLED' },
      });
      const cost = answer.body.extensions!.cost!;
      expect(cost.requestedQueryCost).toBeGreaterThan(cost.throttleStatus.currentlyAvailable);
      expect(cost.throttleStatus).toMatchObject({ maximumAvailable: 60, restoreRate: 1 });
    });

    it('refuses a single query over the maximum cost', async () => {
      const answer = await gql(
        `{ products(first: 250) { nodes { variants(first: 250) { nodes { id } } } } }`,
        {},
        SANDBOX_DEV_ACCESS_TOKEN,
        small.base,
      );
      expect(answer.body.errors?.[0]?.extensions?.code).toBe('MAX_COST_EXCEEDED');
    });
  });
});
