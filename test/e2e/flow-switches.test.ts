import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowNotFoundError } from '@temporalio/client';
import { principalRepository } from '../../db/principals';
import { orderWorkflowId } from '../../domain/contracts';
import { orderStatusQuery } from '../../domain/contracts';
import { mapScenario, startStack, waitFor, type Stack } from './stack';

interface FlowsBody {
  current: { version: number; switches: Record<string, { enabled: boolean; direction: string }> };
  audit: {
    version: number;
    createdBy: string;
    comment: string | null;
    changes: { flow: string; field: string; before: unknown; after: unknown }[];
  }[];
}

describe('per-flow switches on the whole stack', () => {
  let stack: Stack;
  let admin: Record<string, string>;
  let operator: Record<string, string>;
  let elsewhere: Record<string, string>;
  const call = (method: string, path: string, who: Record<string, string>, body?: unknown) =>
    fetch(`${stack.api}${path}`, {
      method,
      headers: { ...who, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    stack = await startStack();
    const principals = principalRepository(stack.db);
    const key = async (name: string, role: 'operator' | 'admin', stores: string[]) => ({
      authorization: `Bearer ${(await principals.create({ name, role, stores })).apiKey}`,
    });
    admin = await key('Ada Admin', 'admin', [stack.store]);
    operator = await key('Olga Ops', 'operator', [stack.store]);
    elsewhere = await key('Al Elsewhere', 'admin', ['elsewhere']);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('switches are validated, versioned and audited with who, when, before and after', async () => {
    const initial = (await (await call('GET', '/config/flows', operator)).json()) as FlowsBody;
    expect(initial.current.version).toBe(0);
    expect(initial.current.switches.customers).toEqual({ enabled: true, direction: 'both' });

    const bad = await call('PUT', '/config/flows', admin, {
      switches: { inventory: { direction: 'storeToErp' } },
    });
    expect(bad.status).toBe(400);
    const badBody = (await bad.json()) as { code: string; message: string };
    expect(badBody.code).toBe('FLOWS.INVALID');
    expect(badBody.message).toContain('body.switches.inventory.direction');
    const unknown = await call('PUT', '/config/flows', admin, { switches: { invoices: { enabled: false } } });
    expect(((await unknown.json()) as { code: string }).code).toBe('FLOWS.INVALID');
    expect((await call('PUT', '/config/flows', operator, { switches: {} })).status).toBe(403);
    expect((await call('GET', '/config/flows', elsewhere)).status).toBe(404);
    expect((await call('PUT', '/config/flows', elsewhere, { switches: {} })).status).toBe(404);

    const saved = await call('PUT', '/config/flows', admin, {
      switches: {
        orders: { enabled: false },
        customers: { direction: 'erpToStore' },
        returns: { enabled: false },
      },
      comment: 'ERP migration weekend',
    });
    expect(saved.status).toBe(200);
    const after = (await (await call('GET', '/config/flows', operator)).json()) as FlowsBody;
    expect(after.current.version).toBe(1);
    expect(after.current.switches.inventory).toEqual({ enabled: true, direction: 'erpToStore' });
    expect(after.audit[0]).toMatchObject({
      version: 1,
      createdBy: 'Ada Admin',
      comment: 'ERP migration weekend',
    });
    expect(after.audit[0]?.changes).toEqual(
      expect.arrayContaining([
        { flow: 'orders', field: 'enabled', before: true, after: false },
        { flow: 'customers', field: 'direction', before: 'both', after: 'erpToStore' },
        { flow: 'returns', field: 'enabled', before: true, after: false },
      ]),
    );
  });

  it('webhooks of a switched-off flow are acknowledged and recorded but start nothing; switched on, the next order reaches the ERP', async () => {
    const { shop, erp, client, db } = stack;
    await shop.sim('/sandbox/products', { sku: 'PROD-5', title: 'Washer M8', price: '0.40' });
    const buyer = await shop.sim<{ customerId: string }>('/sandbox/customers', {
      email: 'ap@customer3.example.com',
      company: 'Acme Industrial 3',
    });
    await mapScenario(stack, { customers: [[buyer.customerId, '3']], skus: [['PROD-5', 'P5']] });
    const place = () =>
      shop.sim<{ orderId: string }>('/sandbox/orders', {
        customerEmail: 'ap@customer3.example.com',
        company: 'Acme Industrial 3',
        poNumber: 'PO-OFF-1',
        lines: [{ sku: 'PROD-5', quantity: 100 }],
      });

    const off = await place();
    const offId = orderWorkflowId(stack.store, off.orderId);
    const recorded = await waitFor('the switched-off delivery', async () => {
      const r = await db.query<{ status: string; note: string }>(
        `SELECT status, note FROM webhook_deliveries WHERE workflow_id = $1 AND topic = 'orders/create'`,
        [offId],
      );
      return r.rows[0];
    });
    expect(recorded.status).toBe('switched_off');
    expect(recorded.note).toContain('orders flow is switched off');
    await expect(client.workflow.getHandle(offId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    const so = await erp.admin(
      'GET',
      `/sales-orders/eid:${encodeURIComponent(`${stack.store}:${off.orderId}`)}`,
    );
    expect(so.status).toBe(404);
    // The customer's own webhook (store → ERP) was recorded the same way: customers run ERP → store only.
    const customer = await waitFor('the switched-off customer delivery', async () => {
      const r = await db.query<{ status: string }>(
        `SELECT status FROM webhook_deliveries WHERE topic = 'customers/create' AND workflow_id LIKE $1`,
        [`%:${stack.store}:${buyer.customerId}%`],
      );
      return r.rows[0];
    });
    expect(customer.status).toBe('switched_off');
    // Starting a return from the API is refused while returns are off.
    const ret = await call('POST', '/returns', operator, {
      store: stack.store,
      returnId: 'R-OFF-1',
      orderId: off.orderId,
      lines: [{ lineId: '1', sku: 'PROD-5', quantity: 1 }],
    });
    expect(ret.status).toBe(409);
    expect(((await ret.json()) as { code: string }).code).toBe('FLOW.SWITCHED_OFF');

    expect(
      (await call('PUT', '/config/flows', admin, { switches: { orders: { enabled: true } } })).status,
    ).toBe(200);
    const on = await place();
    const handle = client.workflow.getHandle(orderWorkflowId(stack.store, on.orderId));
    const inErp = await waitFor('the ERP sales order', async () => {
      const s = await handle.query(orderStatusQuery).catch(() => null);
      if (s?.attention) throw new Error(`order parked: ${s.attention.reason}`);
      return s?.erpOrder ? s : null;
    });
    expect(inErp.poNumber).toBe('PO-OFF-1');
    await handle.terminate('test finished');
  });
});
