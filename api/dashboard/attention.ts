import type { AttentionAction, AttentionGroup, AttentionItem } from '../../domain/attention';
import { OrderField } from '../../domain/schemas/order';
import {
  ago,
  historyLink,
  html,
  loadButton,
  noticeView,
  postForm,
  searchInput,
  type PageContext,
  type SafeHtml,
} from './html';

/** Order fields an operator may correct, in words. */
export const FIELD_WORDS: Record<OrderField, string> = {
  poNumber: 'PO number',
  projectCode: 'Project code',
  note: 'Order note',
  'shippingAddress.name': 'Ship-to name',
  'shippingAddress.company': 'Ship-to company',
  'shippingAddress.address1': 'Ship-to address line 1',
  'shippingAddress.address2': 'Ship-to address line 2',
  'shippingAddress.city': 'Ship-to city',
  'shippingAddress.province': 'Ship-to state or province',
  'shippingAddress.zip': 'Ship-to ZIP or postal code',
  'shippingAddress.country': 'Ship-to country',
  'shippingAddress.phone': 'Ship-to phone',
};

const PROCESS_WORDS: Record<string, string> = {
  order: 'Order',
  return: 'Return',
  customer: 'Customer',
  sync: 'Sync',
  webhook: 'Webhook',
  decision: 'Decision',
  other: 'Other',
};

/** A form that posts with htmx (and without: the page comes back whole) and replaces the queue. */
const actionForm = (ctx: PageContext, action: string, body: SafeHtml, opts: { confirm?: string } = {}) =>
  postForm(ctx, { action, target: '#queue', ...opts }, body);

const slug = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');

/** The search box and its results for mapping a SKU (ERP items) or a customer (ERP customers). */
function searchField(opts: { id: string; kind: 'items' | 'customers'; label: string; placeholder: string }) {
  return html`<label for="${opts.id}-q"
      >${opts.label}
      ${searchInput({
        id: `${opts.id}-q`,
        url: `/dashboard/search/${opts.kind}`,
        delay: '250ms',
        placeholder: opts.placeholder,
        target: `#${opts.id}-results`,
      })}</label
    >
    <div id="${opts.id}-results" class="results" aria-live="polite"></div>`;
}

/** The forms that map what a group of items waits for: an ERP item for a SKU, an ERP customer for a customer. */
const MAP_FORMS = {
  mapSku: { path: 'map-sku', search: 'items', noun: 'ERP item', hint: 'by SKU or name' },
  mapCustomer: { path: 'map-customer', search: 'customers', noun: 'ERP customer', hint: 'by name or id' },
} as const;

/**
 * The store part of an order's dashboard links and forms (`?store=`): none for the primary store's
 * orders; the server checks the store against the person's again (api/routes/dashboard.ts).
 */
export const storeQuery = (store: string | null, homeStore: string) =>
  store && store !== homeStore ? `?store=${encodeURIComponent(store)}` : '';

/**
 * The forms that map what a group of items waits for, one for each store the group's orders are of
 * (each store has its own mappings): an ERP item for a SKU, an ERP customer for a customer.
 */
function groupActions(ctx: PageContext, g: AttentionGroup, homeStore: string): SafeHtml {
  const first = g.items[0]?.actions[0];
  if (first?.kind !== 'mapSku' && first?.kind !== 'mapCustomer') return html``;
  const f = MAP_FORMS[first.kind];
  const [field, value] = first.kind === 'mapSku' ? ['sku', first.sku] : ['customerId', first.customerId];
  const stores = [...new Set(g.items.map((i) => i.store))];
  const several = stores.length > 1;
  return html`${stores.map((store) => {
    const count = g.items.filter((i) => i.store === store).length;
    const id = `${f.path}-${slug(value)}${several && store ? `-${slug(store)}` : ''}`;
    const button =
      first.kind === 'mapSku' ? `Map ${value}${count > 1 ? ` (${count} orders)` : ''}` : 'Map customer';
    const where = several && store ? ` in ${store}` : '';
    return html`<div class="actions group-action" data-store="${store ?? ''}">
      ${actionForm(
        ctx,
        `/dashboard/attention/${f.path}${storeQuery(store, homeStore)}`,
        html`<input type="hidden" name="${field}" value="${value}" />
          ${searchField({ id, kind: f.search, label: `${f.noun} for ${value}${where}`, placeholder: `Search ${f.noun}s ${f.hint}` })}
          <button type="submit" id="${id}-submit">${button}</button>`,
      )}
    </div>`;
  })}`;
}

function itemAction(ctx: PageContext, item: AttentionItem, a: AttentionAction, homeStore: string): SafeHtml {
  const order = item.orderId ? encodeURIComponent(item.orderId) : '';
  const inStore = storeQuery(item.store, homeStore);
  switch (a.kind) {
    case 'mapSku':
    case 'mapCustomer':
      return html``; // one form for the whole group
    case 'correctField':
      return actionForm(
        ctx,
        `/dashboard/attention/orders/${order}/field${inStore}`,
        html`<label
            >Field<select name="field">
              ${OrderField.options.map(
                (f) =>
                  html`<option value="${f}" ${f === a.field ? html` selected` : html``}>
                    ${FIELD_WORDS[f]}
                  </option>`,
              )}
            </select></label
          >
          <label>Correct value<input name="value" maxlength="500" /></label>
          <button type="submit">Correct and send again</button>`,
      );
    case 'acknowledgeOrder':
      return actionForm(
        ctx,
        `/dashboard/attention/orders/${order}/acknowledge${inStore}`,
        html`<label>Note (optional)<input name="note" maxlength="2000" /></label
          ><button type="submit">Acknowledge</button>`,
      );
    case 'cancelOrder':
      return html`<details>
        <summary>Cancel the order</summary>
        ${actionForm(
          ctx,
          `/dashboard/attention/orders/${order}/cancel${inStore}`,
          html`<label>Reason<input name="reason" required maxlength="2000" placeholder="Why cancel" /></label
            ><button type="submit" class="danger">Cancel order</button>`,
          { confirm: `Cancel ${item.title}? This cannot be undone.` },
        )}
      </details>`;
    case 'replay':
      return loadButton({
        label: 'Edit and replay',
        url: `/dashboard/attention/dead-letters/${a.deadLetterId}/edit`,
        target: `#edit-${a.deadLetterId}`,
        class: 'secondary',
      });
    case 'retrySync':
    case 'retryAccount':
      return actionForm(
        ctx,
        `/dashboard/attention/alerts/${item.alertIds[0] ?? 0}/retry`,
        html`<button type="submit">Retry now</button>`,
      );
    case 'decide':
      return html`<a class="button" href="/dashboard/decisions">Open the decision</a>`;
    case 'acknowledgeAlert':
      return actionForm(
        ctx,
        `/dashboard/attention/alerts/${item.alertIds[0] ?? 0}/acknowledge`,
        html`<button type="submit" class="secondary">Acknowledge</button>`,
      );
  }
}

function itemView(ctx: PageContext, item: AttentionItem, canAct: boolean, homeStore: string): SafeHtml {
  const anchors = item.alertIds.map((id) => html`<span id="alert-${id}"></span>`);
  return html`<article class="item ${item.severity}" id="${slug(item.key)}" data-key="${item.key}">
    ${anchors}
    <h3>
      ${item.orderId && item.key.startsWith('order:') ? html`<a href="/dashboard/orders/${encodeURIComponent(item.orderId)}${storeQuery(item.store, homeStore)}">${item.title}</a>` : item.title}
    </h3>
    <div class="meta">
      <span>${PROCESS_WORDS[item.process] ?? item.process}</span
      ><span>since ${ago(item.since)}</span>${historyLink(ctx, item.workflowId)}
    </div>
    <p class="what">${item.what}</p>
    ${
      canAct
        ? html`<div class="actions">${item.actions.map((a) => itemAction(ctx, item, a, homeStore))}</div>
            ${
              item.deadLetterId !== null && item.key.startsWith('dead-letter:')
                ? html`<div id="edit-${item.deadLetterId}"></div>`
                : html``
            }`
        : html``
    }
  </article>`;
}

/** The queue: a notice (what the last action did), then each cause with its items. */
export function queueView(
  ctx: PageContext,
  groups: AttentionGroup[],
  opts: {
    canAct: boolean;
    /** The API's primary store: its orders' links and forms name no store. */
    homeStore: string;
    notice?: { ok: boolean; text: string; href?: string };
  },
): SafeHtml {
  const n = opts.notice;
  const home = opts.homeStore;
  // No polling here: a refresh would wipe a half-typed fix. Each action answers with the fresh queue.
  return html`<div id="queue">
    <p>
      <a
        href="/dashboard/attention"
        hx-get="/dashboard/attention"
        hx-select="#queue"
        hx-target="#queue"
        hx-swap="outerHTML"
        >Refresh</a
      >
    </p>
    ${noticeView(n)}
    ${opts.canAct ? html`` : html`<p class="muted">You can see these; operators fix them.</p>`}
    ${
      groups.length === 0
        ? html`<p class="empty">Nothing needs attention. Every process is running on its own.</p>`
        : groups.map(
            (g) =>
              html`<section class="group" data-cause="${g.cause}">
                <h2>${g.title} <span class="count">${g.items.length}</span></h2>
                ${opts.canAct ? groupActions(ctx, g, home) : html``}
                ${g.items.map((i) => itemView(ctx, i, opts.canAct, home))}
              </section>`,
          )
    }
  </div>`;
}

/** Results of an item or customer search, as choices inside the mapping form. */
export function searchResults(
  kind: 'items' | 'customers',
  q: string,
  rows: { value: string; label: string }[],
): SafeHtml {
  const name = kind === 'items' ? 'erpSku' : 'erpCustomerId';
  const typed = q.trim();
  return html`<ul class="search-results">
      ${rows.map(
        (r, i) =>
          html`<li>
            <label
              ><input
                type="radio"
                name="${name}"
                value="${r.value}"
                required${i === 0 ? html` checked` : html``}
              />
              <strong>${r.value}</strong> ${r.label}</label
            >
          </li>`,
      )}${
        typed && !rows.some((r) => r.value === typed)
          ? html`<li>
              <label
                ><input
                  type="radio"
                  name="${name}"
                  value="${typed}"
                  required${rows.length === 0 ? html` checked` : html``}
                />
                Use “${typed}” (not in Quayside's cache)</label
              >
            </li>`
          : html``
      }
    </ul>
    ${rows.length === 0 && typed ? html`<p class="muted">Nothing in the cache matches “${typed}”.</p>` : html``}`;
}

/** The edit form of a dead letter: its payload, to correct and replay. */
export function deadLetterEditor(ctx: PageContext, id: number, payload: string): SafeHtml {
  return actionForm(
    ctx,
    `/dashboard/attention/dead-letters/${id}/replay`,
    html`<label for="payload-${id}">Webhook body (JSON)</label>
      <textarea id="payload-${id}" name="payload" spellcheck="false" required>${payload}</textarea>
      <button type="submit">Replay</button>`,
  );
}
