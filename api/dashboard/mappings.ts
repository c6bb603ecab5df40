import { MAPPING_KINDS, type MappingChange, type MappingKind, type MappingRow } from '../../db/mappings';
import {
  ago,
  html,
  inStore,
  loadButton,
  noticeView,
  postForm,
  raw,
  searchInput,
  storeChooser,
  tableView,
  type Notice,
  type PageContext,
  type SafeHtml,
  type StoreChoice,
} from './html';

export const KIND_WORDS: Record<MappingKind, { title: string; key: string; value: string }> = {
  sku: { title: 'SKUs', key: 'Storefront SKU', value: 'ERP item' },
  customer: { title: 'Customers', key: 'Storefront customer', value: 'ERP customer' },
  location: { title: 'Locations', key: 'Storefront location', value: 'ERP location' },
  shipping: { title: 'Shipping methods', key: 'Storefront shipping code', value: 'ERP shipping method' },
};

const change = (c: MappingChange) =>
  c.oldValue === null
    ? `added → ${c.newValue}`
    : c.newValue === null
      ? `deleted (was ${c.oldValue})`
      : `${c.oldValue} → ${c.newValue}`;

export function historyView(kind: MappingKind, changes: MappingChange[], storeKey?: string): SafeHtml {
  const w = KIND_WORDS[kind];
  return tableView(
    { class: 'mapping-history', empty: 'No changes recorded.' },
    [...(storeKey ? [] : [w.key]), 'Change', 'By', 'When'],
    changes.map((c) => [...(storeKey ? [] : [c.storeKey]), change(c), c.changedBy, ago(c.changedAt)]),
  );
}

const form = (ctx: PageContext, action: string, body: SafeHtml, opts: { confirm?: string } = {}) =>
  postForm(ctx, { action, target: '#mappings', ...opts }, body);

/** One kind of mapping of one store: search, add, edit or delete each row, and its history. */
export function mappingsView(
  ctx: PageContext,
  kind: MappingKind,
  data: {
    q: string;
    rows: MappingRow[];
    total: number;
    recent: MappingChange[];
    canEdit: boolean;
    choice: StoreChoice;
  },
  notice?: Notice,
): SafeHtml {
  const w = KIND_WORDS[kind];
  const at = (path: string) => inStore(data.choice, path);
  const base = `/dashboard/mappings/${kind}`;
  const storeField =
    at(base) === base ? html`` : html`<input type="hidden" name="store" value="${data.choice.current}" />`;
  return html`<div id="mappings">
    ${storeChooser(data.choice, base)}
    <nav class="tabs" aria-label="Mappings">
      ${MAPPING_KINDS.map(
        (k) =>
          html`<a href="${at(`/dashboard/mappings/${k}`)}" ${k === kind ? raw(' aria-current="page"') : ''}
            >${KIND_WORDS[k].title}</a
          >`,
      )}
    </nav>
    ${noticeView(notice)}
    <form
      method="get"
      action="${base}"
      hx-get="${base}"
      hx-target="#mappings"
      hx-select="#mappings"
      hx-swap="outerHTML"
      class="actions"
      role="search"
    >
      ${storeField}
      <label
        >Search by ${w.key} or
        ${w.value}${searchInput({ id: 'mapping-q', url: at(base), delay: '300ms', value: data.q })}</label
      >
    </form>
    ${
      data.canEdit
        ? form(
            ctx,
            at(base),
            html`<div class="actions">
              <label>${w.key}<input name="storeKey" id="mapping-new-key" required maxlength="200" /></label>
              <label
                >${w.value}<input name="erpValue" id="mapping-new-value" required maxlength="200"
              /></label>
              <button type="submit" id="mapping-add">Add or change</button>
            </div>`,
          )
        : html`<p class="muted">You can see these; operators change them.</p>`
    }
    <p class="muted" id="mapping-count">
      ${data.total}
      mapping${data.total === 1 ? '' : 's'}${data.q ? ` matching “${data.q}”` : ''}${
        data.total > data.rows.length ? `, the first ${data.rows.length} shown` : ''
      }.
    </p>
    <div class="table-wrap">
      <table id="mapping-rows">
        <tr>
          <th>${w.key}</th>
          <th>${w.value}</th>
          <th>Changed</th>
          <th></th>
        </tr>
        ${data.rows.map(
          (r) =>
            html`<tr data-key="${r.storeKey}">
              <td>${r.storeKey}</td>
              <td>
                ${
                  data.canEdit
                    ? form(
                        ctx,
                        at(base),
                        html`<input type="hidden" name="storeKey" value="${r.storeKey}" /><input
                            name="erpValue"
                            value="${r.erpValue}"
                            required
                            maxlength="200"
                            aria-label="${w.value} for ${r.storeKey}"
                          />
                          <button type="submit" class="secondary">Save</button>`,
                      )
                    : r.erpValue
                }
              </td>
              <td>${r.updatedBy}, ${ago(r.updatedAt)}</td>
              <td>
                ${loadButton({
                  label: 'History',
                  url: at(`${base}/${encodeURIComponent(r.storeKey)}/history`),
                  target: 'next .row-history',
                  class: 'link',
                })}
                ${
                  data.canEdit
                    ? form(
                        ctx,
                        at(`${base}/${encodeURIComponent(r.storeKey)}/delete`),
                        html`<button type="submit" class="danger">Delete</button>`,
                        { confirm: `Delete the mapping of ${r.storeKey}?` },
                      )
                    : html``
                }
                <div class="row-history"></div>
              </td>
            </tr>`,
        )}
      </table>
    </div>
    <h2>Recent changes</h2>
    ${historyView(kind, data.recent)}
  </div>`;
}
