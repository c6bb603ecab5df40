import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyRepository } from '../../db/policies';
import { orderWorkflowId, returnWorkflowId } from '../../domain/contracts';
import { orderStatusQuery } from '../../domain/contracts';
import { returnStatusQuery } from '../../domain/contracts';
import { mapScenario, startStack, waitFor, WEBHOOK_SECRET, type Stack } from '../e2e/stack';
import { deliver, fixture } from '../storefront/helpers';
import { recordHistory } from '../support/histories';

/** Shopify's returns/request lists no lines: the return process reads them through the Admin API. */
describe("Shopify's own returns/request sample on the whole stack", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('pointed at a real, shipped order, it starts an RMA with the return’s lines from the store', async () => {
    const { shop, erp, client } = stack;
    await policyRepository(stack.db).save(
      stack.store,
      'return',
      { autoApproveLimit: '100000.00', reviewReasons: [] },
      'test',
    );
    await shop.sim('/sandbox/products', { sku: 'PROD-7', title: 'Ball valve', price: '40.00' });
    await shop.sim('/sandbox/products', { sku: 'PROD-8', title: 'Gasket', price: '2.00' });
    const buyer = await shop.sim<{ customerId: string }>('/sandbox/customers', {
      email: 'ap@customer2.example.com',
      company: 'Acme Industrial 2',
    });
    await mapScenario(stack, {
      customers: [[buyer.customerId, '2']],
      skus: [
        ['PROD-7', 'P7'],
        ['PROD-8', 'P8'],
      ],
    });
    const placed = await shop.sim<{ orderId: string }>('/sandbox/orders', {
      customerEmail: 'ap@customer2.example.com',
      company: 'Acme Industrial 2',
      lines: [
        { sku: 'PROD-7', quantity: 3 },
        { sku: 'PROD-8', quantity: 20 },
      ],
    });
    const order = client.workflow.getHandle(orderWorkflowId(stack.store, placed.orderId));
    const inErp = await waitFor('the ERP sales order', async () => {
      const s = await order.query(orderStatusQuery).catch(() => null);
      if (s?.attention) throw new Error(`order parked: ${s.attention.reason}`);
      return s?.erpOrder ? s : null;
    });
    for (const line of inErp.lines)
      for (const a of line.allocations)
        expect(
          (
            await erp.admin('POST', `/sales-orders/${inErp.erpOrder!.erpId}/ship`, {
              location: a.location,
              carrier: 'UPS',
              trackingNumbers: [`1Z${a.lineKey}`],
              lines: [{ lineKey: a.lineKey, quantity: a.quantity }],
            })
          ).status,
        ).toBe(201);
    await waitFor('the shipments', async () =>
      (await order.query(orderStatusQuery)).lines.every((l) => l.shipped === l.ordered) ? true : null,
    );

    // The buyer asks to return 2 valves. Quayside hears of it only through Shopify's own sample.
    const subs = await shop.client.request<{ webhookSubscriptions: { nodes: { id: string }[] } }>(
      `query { webhookSubscriptions(first: 10, topics: [RETURNS_REQUEST]) { nodes { id } } }`,
    );
    for (const { id } of subs.webhookSubscriptions.nodes)
      await shop.client.request(
        `mutation($id: ID!) { webhookSubscriptionDelete(id: $id) { userErrors { message } } }`,
        {
          id,
        },
      );
    const { returnId } = await shop.sim<{ returnId: string }>('/sandbox/returns', {
      orderId: placed.orderId,
      lines: [{ sku: 'PROD-7', quantity: 2, reason: 'DEFECTIVE' }],
    });
    // Only the ids the test needs are rewritten, in memory; the fixture file stays Shopify's.
    const sample = fixture('returns_request.json')
      .replaceAll('123134564567890', returnId)
      .replaceAll('4783296544821', placed.orderId);
    expect(JSON.parse(sample).return_line_items).toEqual([]);
    const res = await deliver(stack.api, sample, { secret: WEBHOOK_SECRET, topic: 'returns/request' });
    expect(res.body).toMatchObject({
      status: 'accepted',
      workflowId: returnWorkflowId(stack.store, returnId),
    });

    const ret = client.workflow.getHandle(returnWorkflowId(stack.store, returnId));
    const authorized = await waitFor('the ERP return authorization', async () => {
      const s = await ret.query(returnStatusQuery);
      if (['declined', 'failed'].includes(s.step)) throw new Error(`return ${s.step}: ${s.declineReason}`);
      return s.rma ? s : null;
    });
    const valve = inErp.lines.find((l) => l.sku === 'PROD-7')!;
    expect(authorized.assessment?.eligible.map((l) => [l.lineId, l.sku, l.quantity])).toEqual([
      [valve.lineId, 'PROD-7', 2],
    ]);
    const rma = await erp.client().getReturnAuthorization({ erpId: authorized.rma!.erpId });
    expect(rma?.lines.map((l) => [l.sku, l.quantity])).toEqual([['P7', 2]]);
    await ret.terminate('test over');
    await recordHistory(client, ret.workflowId, 'returnRefund-lines-from-store');
  });
});
