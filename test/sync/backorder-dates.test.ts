import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { day, syncWorld } from './world';

/**
 * Backordered items show in the store when they are expected: the earliest open purchase order's
 * expected receipt date, else the item's lead time; kept in step as stock and purchase orders change,
 * and removed once the item is back in stock.
 */
describe('backorder dates in the store', () => {
  const world = syncWorld({ name: 'bo', skus: 2, customers: 1, database: 'private' });
  const tag = randomUUID().slice(0, 5).toUpperCase();
  const variantMeta = async (sku: string) => (await world.variant(sku)).meta;

  it('shows the expected date of a backordered item from its purchase order, else its lead time, and removes it when stock is back', async () => {
    const { erp, shop } = world;
    const ordered = `BO-${tag}`;
    const leadOnly = `LT-${tag}`;
    await world.putItem(ordered, { leadTime: 21, stock: [{ location: '1', onHand: 3 }] });
    await world.putItem(leadOnly, { leadTime: 10, stock: [{ location: '1', onHand: 0 }] });
    await world.mapFirstLocation();
    await world.resyncCatalog();
    await world.syncInventory();

    // In stock: no backorder facts. Out of stock with no purchase order: expected after its lead time.
    expect(await variantMeta(ordered)).not.toHaveProperty('erp.backordered');
    expect(await variantMeta(leadOnly)).toMatchObject({
      'erp.backordered': 'true',
      'erp.expected_date': day(10),
      'erp.expected_source': 'lead_time',
    });

    // A merchant's note on the variant, which nothing here may touch.
    await shop.client.request(
      `mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { userErrors { message } } }`,
      {
        m: [
          {
            ownerId: (await world.variant(ordered)).id,
            namespace: 'custom',
            key: 'note',
            type: 'single_line_text_field',
            value: 'Ask for bulk price',
          },
        ],
      },
    );

    // The buyer orders 20 in; then the last 3 are sold: backordered, expected on the PO's date.
    const po = await erp.admin('POST', '/purchase-orders', {
      location: '1',
      lines: [{ sku: ordered, quantity: 20, expectedReceiptDate: day(30) }],
    });
    expect(po.status, JSON.stringify(po.body)).toBe(201);
    const poId = (po.body as { id: string }).id;
    await world.syncInventory();
    expect(await variantMeta(ordered)).not.toHaveProperty('erp.backordered');
    await world.putItem(ordered, { stock: [{ location: '1', onHand: 0 }] });
    await world.syncInventory();
    expect(await variantMeta(ordered)).toMatchObject({
      'erp.backordered': 'true',
      'erp.expected_date': day(30),
      'erp.expected_source': 'purchase_order',
      'custom.note': 'Ask for bulk price',
    });

    // The vendor brings the date forward: the store follows the purchase order's change.
    const moved = await erp.admin('PATCH', `/purchase-orders/${poId}/lines/${ordered}`, {
      expectedReceiptDate: day(12),
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    await world.syncInventory();
    expect((await variantMeta(ordered))['erp.expected_date']).toBe(day(12));

    // The goods arrive: back in stock, the backorder facts go; the merchant's note stays.
    const received = await erp.admin('POST', `/purchase-orders/${poId}/receive`, {});
    expect(received.status, JSON.stringify(received.body)).toBe(200);
    await world.syncInventory();
    const after = await variantMeta(ordered);
    expect(after).not.toHaveProperty('erp.backordered');
    expect(after).not.toHaveProperty('erp.expected_date');
    expect(after).not.toHaveProperty('erp.expected_source');
    expect(after).toMatchObject({ 'custom.note': 'Ask for bulk price', 'erp.lead_time_days': '21' });
    // The other item is as it was.
    expect(await variantMeta(leadOnly)).toMatchObject({ 'erp.expected_date': day(10) });
  });
});
