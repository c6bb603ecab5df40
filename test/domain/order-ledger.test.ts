import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CanonicalOrder } from '../../domain/order';
import {
  allLinesSettled,
  applyFieldFix,
  backorderCancelled,
  businessStatus,
  cancelOpen,
  diffStorefrontUpdate,
  erpPosition,
  finalStep,
  invoiceLines,
  ledgerOf,
  mappedStatus,
  openQuantity,
  parkedStatus,
  shipLine,
  shippedByLine,
  statusAtStep,
  withAllocations,
  withBackordered,
  withCancelled,
  withErpSkus,
  withOrderedAllocations,
  type OrderLineStatus,
} from '../../domain/order-ledger';
import type { ErpSalesOrderLine } from '../../domain/erp';

const order = (over: Partial<CanonicalOrder> = {}): CanonicalOrder => ({
  store: 'shop',
  orderId: '1001',
  orderNumber: '#1001',
  customerId: 'cust-1',
  currency: 'USD',
  poNumber: 'PO-1',
  tags: [],
  lines: [
    { lineId: '1', sku: 'BOLT', quantity: 10, unitPrice: '2.50' },
    { lineId: '2', sku: 'NUT', quantity: 4, unitPrice: '1.00' },
  ],
  shippingAddress: { name: 'Dock 4', address1: '1 Quay St', city: 'Hull', zip: 'HU1', country: 'GB' },
  ...over,
});

/** The ledger of `order()` mapped and allocated: line 1 from MAIN, line 2 split MAIN + EAST. */
function allocated(): OrderLineStatus[] {
  const lines = withErpSkus(ledgerOf(order(), []), { BOLT: 'B-1', NUT: 'N-2' });
  return withAllocations(lines, [
    { lineId: '1', lineKey: '1', location: 'MAIN', quantity: 10 },
    { lineId: '2', lineKey: '2', location: 'MAIN', quantity: 3 },
    { lineId: '2', lineKey: '2#2', location: 'EAST', quantity: 1 },
  ]);
}

const erpLine = (over: Partial<ErpSalesOrderLine> & { lineKey: string }): ErpSalesOrderLine => ({
  sku: 'B-1',
  quantity: 10,
  quantityFulfilled: 0,
  quantityBilled: 0,
  quantityBackOrdered: 0,
  location: 'MAIN',
  closed: false,
  ...over,
});

describe('the order ledger', () => {
  it('starts every line at nothing shipped, and keeps a staying line’s quantities across a revision', () => {
    const first = allocated();
    expect(first.map((l) => [l.lineId, l.ordered, l.erpSku, l.allocations.length])).toEqual([
      ['1', 10, 'B-1', 1],
      ['2', 4, 'N-2', 2],
    ]);
    const shipped = shipLine(first, '1', 3);
    const revised = ledgerOf(
      order({
        lines: [
          { lineId: '1', sku: 'BOLT', quantity: 12, unitPrice: '2.50' },
          { lineId: '2', sku: 'WASHER', quantity: 4, unitPrice: '1.00' },
        ],
      }),
      shipped,
    );
    expect(revised[0]).toMatchObject({ ordered: 12, shipped: 3, erpSku: 'B-1' });
    // Another SKU on the same line id is another item: its ERP item is looked up again.
    expect(revised[1]).toMatchObject({ sku: 'WASHER', erpSku: null });
    // The ledger given in is not changed.
    expect(shipped[0]?.ordered).toBe(10);
    expect(first[0]?.shipped).toBe(0);
  });

  it('merges a split line’s ERP lines into one storefront shipment, and never ships more than is not cancelled', () => {
    const shipment = shippedByLine({
      lines: [
        { lineKey: '2', sku: 'N-2', quantity: 3 },
        { lineKey: '2#2', sku: 'N-2', quantity: 1 },
        { lineKey: '1', sku: 'B-1', quantity: 4 },
      ],
    });
    expect(shipment).toEqual([
      { lineId: '2', quantity: 4 },
      { lineId: '1', quantity: 4 },
    ]);
    let lines = withBackordered(cancelOpen(allocated(), ['2']).lines, '1', 8);
    for (const s of shipment) lines = shipLine(lines, s.lineId, s.quantity);
    expect(lines[1]).toMatchObject({ shipped: 0, cancelled: 4 });
    // What is still backordered is at most what remains open.
    expect(lines[0]).toMatchObject({ shipped: 4, backordered: 6 });
    expect(shipLine(lines, 'no-such-line', 5)).toEqual(lines);
  });

  it('bills an invoice by its ERP line keys', () => {
    let lines = shipLine(shipLine(allocated(), '1', 10), '2', 4);
    lines = invoiceLines(lines, {
      lines: [
        { lineKey: '1', sku: 'B-1', quantity: 10, amount: '25.00' },
        { lineKey: '2#2', sku: 'N-2', quantity: 1, amount: '1.00' },
      ],
    });
    expect(lines.map((l) => l.invoiced)).toEqual([10, 1]);
    expect(allLinesSettled(lines)).toBe(false);
    lines = invoiceLines(lines, { lines: [{ lineKey: '2', sku: 'N-2', quantity: 3, amount: '3.00' }] });
    expect(allLinesSettled(lines)).toBe(true);
    expect(finalStep(lines)).toBe('completed');
  });

  it('reads the ERP order: closed lines cancel what they did not ship, open backorders are backordered', () => {
    const lines = shipLine(allocated(), '1', 2);
    const so = {
      lines: [
        erpLine({ lineKey: '1', quantity: 10, quantityFulfilled: 2, quantityBackOrdered: 5 }),
        erpLine({ lineKey: '2', sku: 'N-2', quantity: 3, closed: true }),
        erpLine({ lineKey: '2#2', sku: 'N-2', quantity: 1, location: 'EAST', quantityBackOrdered: 1 }),
      ],
    };
    expect(erpPosition(lines[0]!, so)).toEqual({ cancelled: 0, backordered: 5, backorderLineKeys: ['1'] });
    expect(erpPosition(lines[1]!, so)).toEqual({ cancelled: 3, backordered: 1, backorderLineKeys: ['2#2'] });
    // A line already settled is not cancelled again by the ERP closing it.
    const settled = cancelOpen(lines, ['2']).lines;
    expect(erpPosition(settled[1]!, so).cancelled).toBe(4);
    const applied = withCancelled(lines, '2', 3);
    expect(openQuantity(applied[1]!)).toBe(1);
  });

  it('cancels what is open, line by line or all of it, and a backorder’s cancel counts at most what is open', () => {
    const lines = shipLine(allocated(), '1', 6);
    const some = cancelOpen(withBackordered(lines, '2', 4), ['2']);
    expect(some.cancelled).toEqual([{ lineId: '2', quantity: 4 }]);
    expect(some.lines[1]).toMatchObject({ cancelled: 4, backordered: 0 });
    const all = cancelOpen(lines);
    expect(all.cancelled).toEqual([
      { lineId: '1', quantity: 4 },
      { lineId: '2', quantity: 4 },
    ]);
    expect(finalStep(all.lines)).toBe('completed');
    expect(finalStep(cancelOpen(allocated()).lines)).toBe('cancelled');
    expect(backorderCancelled(lines, '1', 99)[0]).toMatchObject({ cancelled: 4, backordered: 0 });
  });

  it('moves through the business statuses as shipping goes', () => {
    const lines = allocated();
    expect(businessStatus(lines)).toBe('inErp');
    expect(businessStatus(withBackordered(lines, '2', 1))).toBe('backordered');
    expect(businessStatus(shipLine(lines, '1', 1))).toBe('partiallyShipped');
    expect(businessStatus(shipLine(shipLine(lines, '1', 10), '2', 4))).toBe('shipped');
    expect(parkedStatus(false, 'received')).toBe('onHold');
    expect(parkedStatus(true, 'backordered')).toBe('backordered');
    expect(mappedStatus('onHold')).toBe('received');
    expect(mappedStatus('inErp')).toBe('inErp');
    expect(statusAtStep('cancelled', 'partiallyShipped')).toBe('cancelled');
    expect(statusAtStep('completed', 'shipped')).toBe('completed');
    expect(statusAtStep('fulfilling', 'shipped')).toBe('shipped');
  });
});

describe('the diff of a storefront update', () => {
  it('names what the ERP order can take and builds its update', () => {
    const prev = order();
    const next = order({
      poNumber: 'PO-2',
      note: 'leave at dock 4',
      shippingAddress: { ...prev.shippingAddress, zip: 'HU2' },
      lines: [
        { lineId: '1', sku: 'BOLT', quantity: 12, unitPrice: '2.50' },
        { lineId: '2', sku: 'NUT', quantity: 4, unitPrice: '1.00' },
      ],
    });
    const diff = diffStorefrontUpdate(prev, next, allocated());
    expect(diff.changes).toEqual([
      'PO number PO-1 → PO-2',
      'shipping address',
      'note',
      'BOLT quantity 10 → 12',
    ]);
    expect(diff.structural).toEqual([]);
    expect(diff.erp).toEqual({
      poNumber: 'PO-2',
      memo: 'leave at dock 4',
      shipTo: { name: 'Dock 4', address1: '1 Quay St', city: 'Hull', zip: 'HU2', country: 'GB' },
      lines: [{ lineKey: '1', quantity: 12 }],
    });
    const taken = withOrderedAllocations(ledgerOf(next, allocated()));
    expect(taken[0]?.allocations).toEqual([{ lineKey: '1', location: 'MAIN', quantity: 12 }]);
    // A split line keeps its warehouse portions.
    expect(taken[1]?.allocations).toHaveLength(2);
  });

  it('calls new and removed lines and a split line’s quantity structural, and an identical order no change', () => {
    const prev = order();
    const next = order({
      lines: [
        { lineId: '2', sku: 'NUT', quantity: 5, unitPrice: '1.00' },
        { lineId: '3', sku: 'WASHER', quantity: 1, unitPrice: '0.10' },
      ],
    });
    const diff = diffStorefrontUpdate(prev, next, allocated());
    expect(diff.structural).toEqual([
      'quantity of split line NUT',
      'new line 3 (WASHER)',
      'removed line 1 (BOLT)',
    ]);
    expect(diffStorefrontUpdate(prev, order({ updatedAt: 'later' }), allocated())).toEqual({
      changes: [],
      structural: [],
      erp: {},
    });
  });

  it('applies an operator’s field fix to the order or its shipping address', () => {
    expect(applyFieldFix(order(), 'poNumber', 'PO-9').poNumber).toBe('PO-9');
    const fixed = applyFieldFix(order(), 'shippingAddress.zip', 'HU9');
    expect(fixed.shippingAddress).toMatchObject({ zip: 'HU9', city: 'Hull' });
  });
});

/** A step the order process applies to its ledger, with quantities drawn at random. */
type Step =
  | { kind: 'ship'; line: number; quantity: number }
  | { kind: 'invoice'; line: number; quantity: number }
  | { kind: 'cancel'; line: number }
  | { kind: 'backorderCancelled'; line: number; quantity: number }
  | { kind: 'erp'; line: number; closed: boolean; backordered: number; fulfilled: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('ship' as const), line: fc.nat(2), quantity: fc.nat(15) }),
  fc.record({ kind: fc.constant('invoice' as const), line: fc.nat(2), quantity: fc.nat(15) }),
  fc.record({ kind: fc.constant('cancel' as const), line: fc.nat(2) }),
  fc.record({ kind: fc.constant('backorderCancelled' as const), line: fc.nat(2), quantity: fc.nat(15) }),
  fc.record({
    kind: fc.constant('erp' as const),
    line: fc.nat(2),
    closed: fc.boolean(),
    backordered: fc.nat(15),
    fulfilled: fc.nat(15),
  }),
);

describe('the ledger’s invariants, for any sequence of shipments, invoices, cancels and ERP reads', () => {
  it('never ships and cancels more than was ordered, backorders only what is open, and bills only what shipped', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 3 }),
        fc.array(step),
        (qty, steps) => {
          const o = order({
            lines: qty.map((q, i) => ({
              lineId: String(i + 1),
              sku: `S${i}`,
              quantity: q,
              unitPrice: '1.00',
            })),
          });
          let lines = ledgerOf(o, []);
          for (const s of steps) {
            const l = lines[s.line % lines.length] as OrderLineStatus;
            if (s.kind === 'ship') lines = shipLine(lines, l.lineId, s.quantity);
            else if (s.kind === 'cancel') lines = cancelOpen(lines, [l.lineId]).lines;
            else if (s.kind === 'backorderCancelled') lines = backorderCancelled(lines, l.lineId, s.quantity);
            else if (s.kind === 'invoice') {
              // The ERP bills only goods it shipped.
              const billable = Math.min(s.quantity, l.shipped - l.invoiced);
              lines = invoiceLines(lines, {
                lines: [{ lineKey: l.lineId, sku: l.sku, quantity: billable, amount: '0' }],
              });
            } else {
              const position = erpPosition(l, {
                lines: [
                  erpLine({
                    lineKey: l.lineId,
                    quantity: l.ordered,
                    quantityFulfilled: Math.min(l.ordered, s.fulfilled),
                    quantityBackOrdered: s.backordered,
                    closed: s.closed,
                  }),
                ],
              });
              lines = withBackordered(
                withCancelled(lines, l.lineId, position.cancelled),
                l.lineId,
                position.backordered,
              );
            }
            for (const x of lines) {
              expect(x.shipped + x.cancelled).toBeLessThanOrEqual(x.ordered);
              expect(Math.min(x.shipped, x.cancelled, x.backordered, x.invoiced)).toBeGreaterThanOrEqual(0);
              expect(x.backordered).toBeLessThanOrEqual(openQuantity(x));
              expect(x.invoiced).toBeLessThanOrEqual(x.shipped);
            }
          }
          // Cancelling what is left always settles the quantities: nothing open remains.
          expect(cancelOpen(lines).lines.every((x) => openQuantity(x) === 0)).toBe(true);
        },
      ),
    );
  });
});
