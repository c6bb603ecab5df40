import http, { type Server } from 'node:http';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SANDBOX_DEV_ACCESS_TOKEN } from '../../sandbox/storefront/app';
import { closeServer, listen } from '../storefront/helpers';
import { startSandbox, type RunningSandbox } from '../storefront/sandbox-support';
import { eventually } from '../support/wait';

/**
 * The sandbox store shares its machine with Quayside in benchmarks, so what it does per call is kept to
 * a fixed number of statements: a call's statements do not grow with the quantities, metafields or
 * order lines it carries, and a successful webhook delivery does not rewrite its subscription.
 */

const run = Date.now().toString(36).toUpperCase();
const sku = (n: number) => `STMT-${n}-${run}`;
const PRODUCTS = 20;

/** The SQL statements the store sends to Postgres while `fn` runs. */
async function statementsOf(fn: () => Promise<unknown>): Promise<string[]> {
  const spy = vi.spyOn(pg.Client.prototype, 'query');
  try {
    await fn();
    return spy.mock.calls.map((c) => {
      const q = c[0] as unknown;
      return typeof q === 'string' ? q : String((q as { text?: string }).text);
    });
  } finally {
    spy.mockRestore();
  }
}

describe('sandbox store: statements per call', () => {
  let store: RunningSandbox;
  let items: string[];
  let locations: string[];
  let receiver: Server;
  let receiverUrl: string;
  const gql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const res = await fetch(`${store.base}/admin/api/2026-04/graphql.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Shopify-Access-Token': SANDBOX_DEV_ACCESS_TOKEN },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data: T; errors?: unknown };
    expect(body.errors).toBeUndefined();
    return body.data;
  };

  beforeAll(async () => {
    store = await startSandbox('store_statements', { retryScale: 0.00005 });
    for (let n = 1; n <= PRODUCTS; n++)
      await store.sim('/sandbox/products', {
        sku: sku(n),
        price: '2.50',
        inventory: { 'Chicago Warehouse': 5, 'Dallas Warehouse': 5 },
      });
    const data = await gql<{
      inventoryItems: { nodes: { id: string }[] };
      locations: { nodes: { id: string }[] };
    }>(
      `{ inventoryItems(first: 50, query: "${Array.from({ length: PRODUCTS }, (_, i) => `sku:${sku(i + 1)}`).join(' OR ')}") { nodes { id } }
         locations(first: 5) { nodes { id } } }`,
    );
    items = data.inventoryItems.nodes.map((n) => n.id);
    locations = data.locations.nodes.map((n) => n.id);
    expect(items).toHaveLength(PRODUCTS);
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(req.url === '/down' ? 500 : 200).end());
    });
    ({ server: receiver, base: receiverUrl } = await listen(server));
  });
  afterAll(async () => {
    await store.stop();
    await closeServer(receiver);
  });

  let key = 0;
  const setQuantities = (quantities: Record<string, unknown>[]) =>
    gql<{
      inventorySetQuantities: {
        inventoryAdjustmentGroup: { changes: { delta: number }[] } | null;
        userErrors: { field: string[]; code: string }[];
      };
    }>(
      `mutation Set($input: InventorySetQuantitiesInput!) {
         inventorySetQuantities(input: $input) @idempotent(key: "stmt-${run}-${++key}") {
           inventoryAdjustmentGroup { changes { delta } } userErrors { field code }
         }
       }`,
      { input: { name: 'available', reason: 'correction', quantities } },
    );

  it('sets 1 or 60 inventory quantities in the same statements, and refuses a stale one in as many', async () => {
    const all = items.flatMap((item) =>
      locations.map((location) => ({
        inventoryItemId: item,
        locationId: location,
        changeFromQuantity: null,
      })),
    );
    expect(all).toHaveLength(60);
    let answer: Awaited<ReturnType<typeof setQuantities>> | undefined;
    const one = await statementsOf(async () => {
      answer = await setQuantities([{ ...all[0]!, quantity: 7 }]);
    });
    expect(answer!.inventorySetQuantities.userErrors).toEqual([]);
    const many = await statementsOf(async () => {
      answer = await setQuantities(all.map((q) => ({ ...q, quantity: 8 })));
    });
    expect(answer!.inventorySetQuantities.inventoryAdjustmentGroup!.changes).toHaveLength(60);
    const stale = await statementsOf(async () => {
      answer = await setQuantities(
        all.map((q, i) => ({ ...q, quantity: 9, changeFromQuantity: i === 59 ? 1 : 8 })),
      );
    });
    expect(answer!.inventorySetQuantities.userErrors).toEqual([
      { field: ['input', 'quantities', '59', 'changeFromQuantity'], code: 'CHANGE_FROM_QUANTITY_STALE' },
    ]);
    // BEGIN, the idempotency key's lock and lookup, the quantities, the key's record, COMMIT.
    expect(one.length).toBeLessThanOrEqual(6);
    expect(many).toEqual(one);
    expect(stale.length).toBeLessThanOrEqual(one.length);
  });

  it('sets 1 or 20 metafields in the same statements', async () => {
    const set = (n: number) =>
      gql(
        `mutation M($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { userErrors { message } } }`,
        {
          m: items.slice(0, n).map((_, i) => ({
            ownerId: items[i]!.replace('InventoryItem', 'Product'),
            namespace: 'quayside',
            key: `k${i}`,
            type: 'single_line_text_field',
            value: 'v',
          })),
        },
      );
    const one = await statementsOf(() => set(1));
    const many = await statementsOf(() => set(20));
    expect(one).toHaveLength(1);
    expect(many).toEqual(one);
  });

  it('creates an order of 1 or 10 lines in the same statements', async () => {
    const order = (lines: number) =>
      store.sim('/sandbox/orders', {
        customerEmail: `stmt-${run}@example.com`,
        lines: Array.from({ length: lines }, (_, i) => ({ sku: sku(i + 1), quantity: 1 })),
      });
    await order(1); // the customer now exists
    const one = await statementsOf(() => order(1));
    const many = await statementsOf(() => order(10));
    // The customer, the variants, the order with its lines, its read-back, its webhook deliveries.
    expect(one).toHaveLength(5);
    expect(many).toEqual(one);
  });

  it("writes a subscription's failure count only when it changes", async () => {
    const subscribe = (uri: string) =>
      gql(
        `mutation { webhookSubscriptionCreate(topic: ORDERS_CREATE, webhookSubscription: { uri: "${uri}" }) { userErrors { message } } }`,
      );
    await subscribe(`${receiverUrl}/ok`);
    await subscribe(`${receiverUrl}/down`);
    const subscription = async (path: string) =>
      (
        await store.db.query<{ version: string; consecutive_failures: number }>(
          'SELECT xmin::text AS version, consecutive_failures FROM webhook_subscriptions WHERE uri = $1',
          [`${receiverUrl}${path}`],
        )
      ).rows[0]!;
    const before = await subscription('/ok');
    const { orderId } = await store.sim<{ orderId: string }>('/sandbox/orders', {
      customerEmail: `stmt-${run}@example.com`,
      lines: [{ sku: sku(1), quantity: 1 }],
    });
    const deliveries = await eventually(async () => {
      const { rows } = await store.db.query<{ uri: string; status: string; attempts: number }>(
        `SELECT uri, status, attempts FROM webhook_deliveries
          WHERE topic = 'orders/create' AND created_at >= (SELECT created_at FROM orders WHERE id = $1) ORDER BY uri`,
        [orderId],
      );
      return rows.length === 2 && rows.every((d) => d.status !== 'pending') && rows;
    }, 'both deliveries of the order to end');
    expect(deliveries.map((d) => [d.uri.replace(receiverUrl, ''), d.status, d.attempts])).toEqual([
      ['/down', 'failed', 9],
      ['/ok', 'delivered', 1],
    ]);
    // The successful delivery left its subscription's row as it was; each failed attempt counted.
    expect(await subscription('/ok')).toEqual(before);
    expect((await subscription('/down')).consecutive_failures).toBe(9);
  });
});
