import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inventorySync } from '../../workflows/inventorySync';
import { uniqueTaskQueue } from '../support/env';
import { syncWorld } from './world';

interface Level {
  sku: string;
  location: string;
  itemId: string;
  locationId: string;
  available: number;
  updatedAt: string;
}

/**
 * The full inventory resync against the sandbox store over HTTP: the store's quantities are read with
 * a bulk operation query, and only those that differ from the ERP's are written.
 */
describe('full inventory resync by bulk read', () => {
  const world = syncWorld({ name: 'resync', skus: 12, seeded: true, temporal: true });
  const { store } = world;
  let variants = 0;

  /** Every quantity the store holds, read as any app would (plain Admin API paging). */
  const storeLevels = async (): Promise<Level[]> => {
    const out: Level[] = [];
    variants = 0;
    for (let after: string | null = null; ;) {
      const d: {
        productVariants: {
          nodes: {
            sku: string;
            inventoryItem: {
              id: string;
              inventoryLevels: {
                nodes: {
                  updatedAt: string;
                  location: { id: string; name: string };
                  quantities: { quantity: number }[];
                }[];
              };
            };
          }[];
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      } = await world.shop.client.request(
        `query Levels($after: String) { productVariants(first: 20, after: $after) { nodes { sku inventoryItem { id
          inventoryLevels(first: 5) { nodes { updatedAt location { id name } quantities(names: ["available"]) { quantity } } } } }
          pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      variants += d.productVariants.nodes.length;
      for (const v of d.productVariants.nodes)
        for (const l of v.inventoryItem.inventoryLevels.nodes)
          out.push({
            sku: v.sku,
            location: l.location.name,
            itemId: v.inventoryItem.id,
            locationId: l.location.id,
            available: l.quantities[0]!.quantity,
            updatedAt: l.updatedAt,
          });
      if (!d.productVariants.pageInfo.hasNextPage) break;
      after = d.productVariants.pageInfo.endCursor;
    }
    return out.sort((a, b) => `${a.sku}@${a.location}`.localeCompare(`${b.sku}@${b.location}`));
  };

  /** What the ERP has to sell at each mapped store location, by store SKU and location name. */
  const erpSellable = async (): Promise<Map<string, number>> => {
    const { mappings } = world;
    const locations = await mappings.storeLocations(store);
    const out = new Map<string, number>();
    const levels = await world.erpLevels();
    const skus = await mappings.storeSkus(store, [...new Set(levels.map((l) => l.sku))]);
    const names = new Map((await storeLevels()).map((l) => [l.locationId, l.location]));
    for (const l of levels) {
      const sku = skus.get(l.sku);
      const location = locations.get(l.location);
      if (!sku || !location) continue;
      out.set(`${sku}@${names.get(location) ?? location}`, Math.max(0, l.available));
    }
    return out;
  };

  const resync = async (taskQueue: string) =>
    world.client.workflow.execute(inventorySync, {
      taskQueue,
      workflowId: `sync:inventory:${store}:${randomUUID().slice(0, 6)}`,
      args: [{ store, pollIntervalSeconds: 1, pageSize: 10, fullResync: true, stopWhenCaughtUp: true }],
    });

  it('rewrites the drifted quantities and leaves the others unwritten', async () => {
    const taskQueue = uniqueTaskQueue('full-resync');
    await world.withInventoryWorker(taskQueue, async () => {
      // A first resync brings the seeded store in step with the ERP.
      const first = await resync(taskQueue);
      const sellable = await erpSellable();
      expect(first.lastResync).toMatchObject({ compared: first.changed });
      expect(first.lastResync!.written + first.lastResync!.inStep).toBe(sellable.size);
      const inStep = await storeLevels();
      for (const l of inStep)
        expect(l.available, `${l.sku}@${l.location}`).toBe(sellable.get(`${l.sku}@${l.location}`));

      // Two quantities are changed in the store behind Quayside's back (another app, a manual edit).
      const drifted = [inStep[1]!, inStep[inStep.length - 2]!];
      const set = await world.shop.client.request<{ inventorySetQuantities: { userErrors: unknown[] } }>(
        `mutation Drift($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) @idempotent(key: "${randomUUID()}") { userErrors { field message code } } }`,
        {
          input: {
            name: 'available',
            reason: 'correction',
            quantities: drifted.map((l) => ({
              inventoryItemId: l.itemId,
              locationId: l.locationId,
              quantity: l.available + 7,
              changeFromQuantity: l.available,
            })),
          },
        },
      );
      expect(set.inventorySetQuantities.userErrors).toEqual([]);
      const before = await storeLevels();
      expect(before.filter((l, i) => l.available !== inStep[i]!.available)).toHaveLength(2);

      const second = await resync(taskQueue);
      // The resync says it wrote exactly the drift, and read the store in one bulk operation.
      expect(second.lastResync).toEqual({
        storeLevels: expect.any(Number),
        compared: second.changed,
        written: 2,
        inStep: sellable.size - 2,
      });
      expect(second.pushed).toBe(2);
      const op = await world.shop.client.request<{
        currentBulkOperation: { status: string; objectCount: string };
      }>(`{ currentBulkOperation { status objectCount } }`);
      expect(op.currentBulkOperation.status).toBe('COMPLETED');
      expect(Number(op.currentBulkOperation.objectCount)).toBe(variants + before.length);

      // The store holds the ERP's quantities again; only the two drifted levels were written.
      const after = await storeLevels();
      for (const l of after)
        expect(l.available, `${l.sku}@${l.location}`).toBe(sellable.get(`${l.sku}@${l.location}`));
      const rewritten = after.filter((l, i) => l.updatedAt !== before[i]!.updatedAt);
      expect(rewritten.map((l) => `${l.sku}@${l.location}`).sort()).toEqual(
        drifted.map((l) => `${l.sku}@${l.location}`).sort(),
      );
    });
  });
});
