import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_DEV_ACCESS_TOKEN } from '../../sandbox/storefront/app';
import { startSandbox, type RunningSandbox } from '../storefront/sandbox-support';
import { eventually } from '../support/wait';

/**
 * Conformance of the sandbox store's bulk operation queries to Shopify's documentation
 * (shopify.dev/docs/api/usage/bulk-operations/queries): plain HTTP as a client written from those
 * docs would send it, no Quayside connector code.
 */

interface BulkOperation {
  id: string;
  status: string;
  errorCode: string | null;
  objectCount: string;
  rootObjectCount: string;
  fileSize: string | null;
  url: string | null;
  partialDataUrl: string | null;
  type: string;
}
interface UserError {
  field: string[] | null;
  message: string;
  code: string | null;
}

const run = Date.now().toString(36).toUpperCase();
const sku = (n: number) => `BULK-${n}-${run}`;
const BULK_FIELDS = 'id status errorCode objectCount rootObjectCount fileSize url partialDataUrl type';

describe('sandbox store conformance: bulk operation queries', () => {
  let store: RunningSandbox;
  let receiver: Server;
  let receiverUrl: string;
  const received: { topic: string | undefined; body: Record<string, unknown> }[] = [];

  const gql = async <T>(query: string, variables: Record<string, unknown> = {}, version = '2026-04') => {
    const res = await fetch(`${store.base}/admin/api/${version}/graphql.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Shopify-Access-Token': SANDBOX_DEV_ACCESS_TOKEN },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data: T; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    return body.data;
  };
  const runQuery = (query: string, version?: string) =>
    gql<{ bulkOperationRunQuery: { bulkOperation: BulkOperation | null; userErrors: UserError[] } }>(
      `mutation Run($query: String!) { bulkOperationRunQuery(query: $query) { bulkOperation { ${BULK_FIELDS} } userErrors { field message code } } }`,
      { query },
      version,
    ).then((d) => d.bulkOperationRunQuery);
  const finished = async (id: string) => {
    let op: BulkOperation | null = null;
    await eventually(async () => {
      op = (
        await gql<{ node: BulkOperation | null }>(
          `query Poll($id: ID!) { node(id: $id) { ... on BulkOperation { ${BULK_FIELDS} } } }`,
          { id },
        )
      ).node;
      return op !== null && !['CREATED', 'RUNNING', 'CANCELING'].includes(op.status);
    }, 'the bulk operation to finish');
    return op! as BulkOperation;
  };

  beforeAll(async () => {
    store = await startSandbox('store_bulk_conformance', { bulkStartDelayMs: 300 });
    for (const n of [1, 2, 3])
      await store.sim('/sandbox/products', {
        sku: sku(n),
        title: `Bulk flange ${n} ${run}`,
        price: '10.00',
        inventory: { 'Chicago Warehouse': n, 'Dallas Warehouse': 10 + n },
      });
    receiver = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString('utf8')));
      req.on('end', () => {
        received.push({
          topic: req.headers['x-shopify-topic'] as string | undefined,
          body: JSON.parse(text),
        });
        res.end('ok');
      });
    }).listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  });
  afterAll(async () => {
    receiver.closeAllConnections();
    receiver.close();
    await store.stop();
  });

  it('runs a query in the background and leaves JSONL with each nested node after its parent, tagged __parentId', async () => {
    const created = await gql<{ webhookSubscriptionCreate: { userErrors: UserError[] } }>(
      `mutation Sub($uri: URL!) { webhookSubscriptionCreate(topic: BULK_OPERATIONS_FINISH, webhookSubscription: { callbackUrl: $uri }) { userErrors { field message } } }`,
      { uri: receiverUrl },
    );
    expect(created.webhookSubscriptionCreate.userErrors).toEqual([]);

    const started = await runQuery(`{
      productVariants(query: "sku:BULK-*") {
        edges { node { id sku inventoryItem { id inventoryLevels { edges { node { location { name } quantities(names: ["available"]) { name quantity } } } } } } }
      }
    }`);
    expect(started.userErrors).toEqual([]);
    expect(started.bulkOperation).toMatchObject({ status: 'CREATED', type: 'QUERY', url: null });
    const id = started.bulkOperation!.id;
    expect(id).toMatch(/^gid:\/\/shopify\/BulkOperation\/\d+$/);

    const done = await finished(id);
    expect(done).toMatchObject({
      status: 'COMPLETED',
      errorCode: null,
      objectCount: '9',
      rootObjectCount: '3',
    });
    const current = await gql<{ currentBulkOperation: BulkOperation }>(
      `{ currentBulkOperation { ${BULK_FIELDS} } }`,
    );
    expect(current.currentBulkOperation.id).toBe(id);

    // The URL needs no access token.
    const res = await fetch(done.url!);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(Buffer.byteLength(text)).toBe(Number(done.fileSize));
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(9);
    const variants = lines.filter((l) => String(l.id ?? '').includes('ProductVariant'));
    expect(variants.map((v) => v.sku)).toEqual([sku(1), sku(2), sku(3)]);
    // The variant's own line has its inventory item inline, without the nested connection.
    expect(variants[0]).toEqual({
      id: variants[0]!.id,
      sku: sku(1),
      inventoryItem: { id: expect.stringMatching(/InventoryItem/) },
    });
    expect(lines[1]).toEqual({
      location: { name: 'Chicago Warehouse' },
      quantities: [{ name: 'available', quantity: 1 }],
      __parentId: variants[0]!.id,
    });
    expect(lines[2]).toMatchObject({ location: { name: 'Dallas Warehouse' }, __parentId: variants[0]!.id });
    expect(lines[7]).toEqual({
      location: { name: 'Chicago Warehouse' },
      quantities: [{ name: 'available', quantity: 3 }],
      __parentId: variants[2]!.id,
    });

    // A tampered signature is refused, as the storage's signed URLs are.
    expect(
      (await fetch(done.url!.replace(/signature=[0-9a-f]+/, `signature=${'0'.repeat(64)}`))).status,
    ).toBe(403);

    await eventually(async () => received.length > 0, 'bulk_operations/finish to arrive');
    expect(received[0]).toEqual({
      topic: 'bulk_operations/finish',
      body: {
        admin_graphql_api_id: id,
        completed_at: expect.any(String),
        created_at: expect.any(String),
        error_code: null,
        status: 'completed',
        type: 'query',
      },
    });
  });

  it('refuses queries outside the documented restrictions with INVALID', async () => {
    const noConnection = await runQuery(`{ shop { name } }`);
    expect(noConnection.bulkOperation).toBeNull();
    expect(noConnection.userErrors[0]).toMatchObject({ field: ['query'], code: 'INVALID' });

    const noParentId = await runQuery(
      `{ products { edges { node { title variants { edges { node { id } } } } } } }`,
    );
    expect(noParentId.userErrors[0]?.code).toBe('INVALID');
    expect(noParentId.userErrors[0]?.message).toMatch(/must select the 'id' field/);

    const mutation = await runQuery(
      `mutation { tagsAdd(id: "gid://shopify/Order/1", tags: ["x"]) { userErrors { message } } }`,
    );
    expect(mutation.userErrors[0]?.code).toBe('INVALID');

    const unknownField = await runQuery(`{ productVariants { edges { node { id nonsense } } } }`);
    expect(unknownField.userErrors[0]?.code).toBe('INVALID');
  });

  it('runs one bulk query at a time before API 2026-01', async () => {
    const query = `{ productVariants { edges { node { id sku } } } }`;
    const first = await runQuery(query, '2025-10');
    const second = await runQuery(query, '2025-10');
    expect(first.userErrors).toEqual([]);
    expect(second.bulkOperation).toBeNull();
    expect(second.userErrors[0]?.code).toBe('OPERATION_IN_PROGRESS');
    await finished(first.bulkOperation!.id);
  });
});
