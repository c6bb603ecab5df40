import type { OrderStatus } from '../../domain/contracts';
import { historyLink, html, liveRegion, tableView, type PageContext, type SafeHtml } from './html';

const STEP_WORDS: Record<string, string> = {
  awaitingOrder: 'Waiting for the order from the store',
  mapping: 'Mapping SKUs and the customer',
  creditCheck: 'Checking credit',
  awaitingApproval: 'Waiting for an approver',
  allocating: 'Allocating stock',
  creatingErpOrder: 'Creating the ERP sales order',
  fulfilling: 'In the ERP: following shipments and invoices',
  cancelling: 'Cancelling',
  completed: 'Completed',
  cancelled: 'Cancelled',
};

/**
 * One order as its process reports it: where it is, what it waits for, its ERP sales order and lines.
 * `href` is the order's own page (with its store), which the region refreshes from.
 */
export function orderView(ctx: PageContext, s: OrderStatus, href: string): SafeHtml {
  return liveRegion(
    'order',
    href,
    '3s',
    html`<dl class="context">
        <dt>Step</dt>
        <dd id="order-step">${STEP_WORDS[s.step] ?? s.step}</dd>
        <dt>ERP sales order</dt>
        <dd id="order-erp">${s.erpOrder ? s.erpOrder.tranId : 'not yet'}</dd>
        <dt>Customer</dt>
        <dd>${s.customerId ?? '—'}</dd>
        <dt>PO number</dt>
        <dd>${s.poNumber ?? '—'}</dd>
        <dt>Total</dt>
        <dd>${s.total ? `${s.total} ${s.currency ?? ''}` : '—'}</dd>
        ${
          s.attention
            ? html`<dt>Needs attention</dt>
                <dd id="order-attention">${s.attention.reason} <a href="/dashboard/attention">Fix it</a></dd>`
            : html``
        }
        ${
          s.pendingApproval
            ? html`<dt>Waiting for</dt>
                <dd>${s.pendingApproval.summary} <a href="/dashboard/decisions">Decisions</a></dd>`
            : html``
        }
      </dl>
      <p>${historyLink(ctx, s.workflowId)}</p>
      ${tableView(
        { id: 'order-lines' },
        ['SKU', 'ERP item', 'Ordered', 'Shipped', 'Backordered', 'Cancelled', 'Invoiced'],
        s.lines.map((l) => [
          l.sku,
          l.erpSku ?? 'not mapped',
          l.ordered,
          l.shipped,
          l.backordered,
          l.cancelled,
          l.invoiced,
        ]),
      )}`,
  );
}
