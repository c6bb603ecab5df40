import type { ApprovalActions } from '../actions/approvals';
import { ago, historyLink, html, noticeView, postForm, tableView } from './html';
import type { PageContext, SafeHtml } from './html';

type Pending = Awaited<ReturnType<ApprovalActions['pending']>>[number];

const KIND_WORDS: Record<string, string> = {
  'order.creditHold': 'Order over its credit',
  'order.firstOrder': "A new customer's first order",
  'order.priceMismatch': 'Store prices differ from the ERP',
  return: 'A return',
  customer: 'A new trade customer',
};

/** The outcomes a kind of decision takes (the workflows refuse others): no "ask for information" on returns. */
const outcomesOf = (kind: string) =>
  kind === 'return' ? (['approve', 'reject'] as const) : (['approve', 'reject', 'requestInfo'] as const);
const OUTCOME_WORDS = { approve: 'Approve', reject: 'Reject', requestInfo: 'Ask for information' } as const;

export interface DecisionContext {
  context: Record<string, unknown>;
  /** The order's lines from the read model, for an order's decision. */
  lines: { sku: string; title?: string; ordered: number; unitPrice: string }[];
}

const str = (v: unknown) => (v === null || v === undefined ? '—' : String(v));

function contextView(a: Pending, c: DecisionContext): SafeHtml {
  const x = c.context;
  const parts: SafeHtml[] = [];
  if (a.kind === 'order.creditHold' || a.kind === 'order.firstOrder')
    parts.push(
      html`<dl class="context credit">
        <dt>Company</dt>
        <dd>${str(x.company)} (ERP customer ${str(x.customerErpId)})</dd>
        <dt>Credit limit</dt>
        <dd>${str(x.creditLimit)}</dd>
        <dt>Open balance</dt>
        <dd>${str(x.balance)}</dd>
        <dt>Exposure with this order</dt>
        <dd>${str(x.exposure)}</dd>
      </dl>`,
    );
  const mismatches = Array.isArray(x.mismatches)
    ? (x.mismatches as {
        sku?: string;
        storefrontPrice?: string;
        erpPrice?: string;
        differencePercent?: string;
      }[])
    : [];
  if (mismatches.length)
    parts.push(
      tableView(
        { class: 'prices' },
        ['ERP item', 'Store price', 'ERP price', 'Difference'],
        mismatches.map((m) => [
          str(m.sku),
          str(m.storefrontPrice),
          str(m.erpPrice),
          `${str(m.differencePercent)}%`,
        ]),
      ),
    );
  if (c.lines.length)
    parts.push(
      tableView(
        { class: 'lines' },
        ['SKU', 'Item', 'Quantity', 'Unit price'],
        c.lines.map((l) => [l.sku, l.title ?? '', l.ordered, l.unitPrice]),
      ),
    );
  const app = x.application as Record<string, unknown> | undefined;
  if (a.kind === 'customer' && app)
    parts.push(
      html`<dl class="context">
        <dt>Company</dt>
        <dd>${str(app.companyName ?? app.company)}</dd>
        <dt>Contact</dt>
        <dd>${str(app.email)}</dd>
        <dt>Asks for</dt>
        <dd>
          ${str(app.requestedCreditLimit)}
          credit${app.requestedTerms ? ` on ${String(app.requestedTerms)}` : ''}
        </dd>
      </dl>`,
    );
  return html`${parts}`;
}

function decisionView(ctx: PageContext, a: Pending, c: DecisionContext, canDecide: boolean): SafeHtml {
  const orderId = typeof c.context.orderId === 'string' ? c.context.orderId : null;
  const action = `/dashboard/decisions/${encodeURIComponent(a.approvalId)}`;
  return html`<article class="item${a.escalated ? ' critical' : ''}" data-approval="${a.approvalId}">
    <h3>
      ${KIND_WORDS[a.kind] ?? a.kind}${a.amount ? html` — <span class="amount">${a.amount} ${a.currency ?? ''}</span>` : html``}
    </h3>
    <div class="meta">
      <span>asked ${ago(a.requestedAt)}</span>${a.escalated ? html`<span>escalated</span>` : html``}${
        orderId && a.workflowId.startsWith('order:')
          ? html`<a href="/dashboard/orders/${encodeURIComponent(orderId)}">The order</a>`
          : html``
      }${historyLink(ctx, a.workflowId)}
    </div>
    <p class="what">${a.summary}</p>
    ${contextView(a, c)}
    ${
      canDecide
        ? html`${a.mayApprove ? html`` : html`<p class="notice problem limit">${a.mayNotApproveBecause ?? 'You may not approve this one.'}</p>`}
          ${postForm(
            ctx,
            { action, target: '#decisions', class: 'actions' },
            html`<label>Reason or question<input name="reason" maxlength="2000" /></label> ${outcomesOf(
                a.kind,
              ).map(
                (o) =>
                  html`<button
                    type="submit"
                    name="outcome"
                    value="${o}"
                    class="${o === 'approve' ? '' : 'secondary'}"
                  >
                    ${OUTCOME_WORDS[o]}
                  </button>`,
              )}`,
          )}`
        : html``
    }
  </article>`;
}

export function decisionsView(
  ctx: PageContext,
  pending: Pending[],
  contexts: Map<string, DecisionContext>,
  opts: { canDecide: boolean; notice?: { ok: boolean; text: string } },
): SafeHtml {
  const n = opts.notice;
  const p = ctx.principal;
  return html`<div id="decisions">
    ${noticeView(n)}
    <p class="muted" id="limit">
      ${
        opts.canDecide
          ? p.approvalLimit === null
            ? p.role === 'admin'
              ? 'You may approve any amount.'
              : 'You have no approval limit: you may approve only decisions without money.'
            : `You may approve up to ${p.approvalLimit}.`
          : 'You can see these; approvers decide them.'
      }
    </p>
    ${
      pending.length === 0
        ? html`<p class="empty">No decision is waiting.</p>`
        : pending.map((a) =>
            decisionView(ctx, a, contexts.get(a.approvalId) ?? { context: {}, lines: [] }, opts.canDecide),
          )
    }
  </div>`;
}
