import { afterAll, describe, expect, it } from 'vitest';
import { connectorCallRecorder } from '../../db/connector-calls';
import { orderIdOfPayload } from '../../db/dashboard';
import { attentionQueue, plainDeadLetterReason, skuOfReason } from '../../domain/attention';
import { flowHealth, syncFlowOf, type FlowFacts } from '../../domain/flow-health';
import { privateTestDatabase } from '../support/env';

const at = '2026-01-01T10:00:00.000Z';

describe('the needs-attention queue', () => {
  it('merges a parked order with its alerts, and a dead letter with its alert and the missed-order alert for it', () => {
    const wf = 'order:s:1';
    const groups = attentionQueue({
      orders: [
        {
          workflowId: wf,
          store: 's',
          orderId: '1',
          orderNumber: '#1001',
          attentionKind: 'unmappedSku',
          attentionReason: 'SKU PROD-77, PROD-78 are not mapped to an ERP item; map them to continue.',
          poNumber: null,
          updatedAt: at,
        },
        {
          workflowId: 'order:s:2',
          store: 's',
          orderId: '2',
          orderNumber: '#1002',
          attentionKind: 'approval',
          attentionReason: 'Order #1002: over the credit limit',
          poNumber: null,
          updatedAt: at,
        },
      ],
      alerts: [
        {
          id: 1,
          dedupeKey: `order-attention:${wf}`,
          severity: 'warning',
          kind: 'order.unmappedSku',
          subject: 'Order #1001',
          message: '…',
          workflowId: wf,
          details: { sku: 'PROD-77' },
          createdAt: at,
        },
        {
          id: 2,
          dedupeKey: 'order-attention:order:s:2',
          severity: 'warning',
          kind: 'order.approval',
          subject: 'Order #1002',
          message: '…',
          workflowId: 'order:s:2',
          details: {},
          createdAt: at,
        },
        {
          id: 3,
          dedupeKey: 'dead-letter:7',
          severity: 'warning',
          kind: 'webhook.dead_letter',
          subject: 'orders/create delivery',
          message: '…',
          workflowId: null,
          details: { deadLetterId: 7 },
          createdAt: at,
        },
        {
          id: 4,
          dedupeKey: 'reconcile:missed-order:s:9001',
          severity: 'critical',
          kind: 'reconcile.missedOrder',
          subject: 'Order #9001 …',
          message: '…',
          workflowId: 'reconcile:s',
          details: { orderId: '9001' },
          createdAt: at,
        },
      ],
      deadLetters: [
        {
          id: 7,
          topic: 'orders/create',
          reason: 'body.email: Invalid input: expected string, received number',
          orderId: '9001',
          createdAt: at,
        },
      ],
    });
    expect(groups.map((g) => [g.cause, g.items.map((i) => [i.key, i.alertIds, i.severity])])).toEqual([
      ['webhook:orders/create', [['dead-letter:7', [3, 4], 'critical']]],
      ['sku:PROD-77', [[`order:${wf}`, [1], 'warning']]],
    ]);
    expect(groups[1]!.title).toBe('SKU PROD-77 is not mapped to an ERP item');
    expect(groups[1]!.items[0]!.actions[0]).toEqual({ kind: 'mapSku', sku: 'PROD-77' });
    expect(groups[0]!.items[0]!.what).toContain('the field “email” should be text, not a number');
  });

  it('reads the SKU of a reason and a dead letter reason in words', () => {
    expect(skuOfReason('SKU PROD-77 is not mapped to an ERP item; map it to continue.')).toBe('PROD-77');
    expect(plainDeadLetterReason('body.name: Invalid input: expected string, received undefined')).toBe(
      'the field “name” is missing (it should be text)',
    );
    expect(plainDeadLetterReason('not JSON')).toBe('not JSON');
    expect(orderIdOfPayload('orders/create', '{"id": 820982911946154508, "x": 1}')).toBe(
      '820982911946154508',
    );
    expect(orderIdOfPayload('orders/create', 'not json')).toBeNull();
    expect(orderIdOfPayload('customers/create', '{"id": 1}')).toBeNull();
  });
});

describe('flow health', () => {
  const facts = (over: Partial<FlowFacts> = {}): FlowFacts => ({
    orders: {
      parked: 0,
      oldestParkedMinutes: null,
      reachedErp: 10,
      p95LatencyMs: 900,
      erpOrderWithinMs: 120_000,
    },
    webhooks: { parked: 0 },
    syncs: [],
    decisions: { waiting: 0, overdue: 0, nobodyMay: 0 },
    returns: { open: 0 },
    customers: { open: 0 },
    erp: { calls: 100, errors: 0 },
    store: { calls: 0, errors: 0 },
    ...over,
  });
  const of = (f: FlowFacts, flow: string) => flowHealth(f).find((h) => h.flow === flow)!;

  it('is green with the figures, amber with a parked order, red when one waits over an hour', () => {
    expect(of(facts(), 'orders')).toMatchObject({
      health: 'green',
      why: 'Nothing parked; 10 orders reached the ERP in the last 24 h, 95% within 0.9 s.',
    });
    expect(
      of(facts({ orders: { ...facts().orders, parked: 1, oldestParkedMinutes: 5 } }), 'orders').health,
    ).toBe('amber');
    expect(
      of(facts({ orders: { ...facts().orders, parked: 2, oldestParkedMinutes: 90 } }), 'orders'),
    ).toMatchObject({
      health: 'red',
      why: expect.stringContaining('2 orders parked, the oldest for 90 min'),
    });
    expect(of(facts({ orders: { ...facts().orders, p95LatencyMs: 200_000 } }), 'orders').health).toBe(
      'amber',
    );
  });

  it('judges connections by their error rate and syncs by how long their cursor rested', () => {
    expect(of(facts({ erp: { calls: 100, errors: 3 } }), 'erp').health).toBe('amber');
    expect(of(facts({ erp: { calls: 100, errors: 30 } }), 'erp').health).toBe('red');
    const inventory = syncFlowOf('inventory:s', 15)!;
    const catalog = syncFlowOf('catalog:s', 15)!;
    expect([inventory.withinMinutes, catalog.withinMinutes]).toEqual([15, 120]);
    expect(syncFlowOf('erp:s:invoices', 15)?.label).toBe('Invoices from the ERP');
    const syncs = [
      { ...inventory, minutesSinceMoved: 40 },
      { ...catalog, minutesSinceMoved: 40 },
    ];
    expect(
      flowHealth(facts({ syncs }))
        .filter((h) => h.flow.startsWith('sync:'))
        .map((h) => h.health),
    ).toEqual(['red', 'green']);
  });
});

describe('connector call counts', () => {
  const own = privateTestDatabase();
  afterAll(async () => (await own).drop());

  it('adds up the calls and failures of each minute across flushes', async () => {
    const { db } = await own;
    const recorder = connectorCallRecorder(db);
    const erp = recorder.observe('erp');
    erp({ ok: true });
    erp({ ok: false });
    recorder.observe('store')({ ok: true });
    await recorder.flush();
    erp({ ok: false });
    await recorder.stop();
    const rows = await db.query(
      'SELECT system, sum(calls)::int AS calls, sum(errors)::int AS errors FROM connector_calls GROUP BY 1 ORDER BY 1',
    );
    expect(rows.rows).toEqual([
      { system: 'erp', calls: 3, errors: 2 },
      { system: 'store', calls: 1, errors: 0 },
    ]);
  });
});
