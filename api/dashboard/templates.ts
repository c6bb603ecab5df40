import type { TemplateActions } from '../actions/templates';
import { ago, html, inStore, loadButton, noticeView, postForm, storeChooser, tableView } from './html';
import type { PageContext, SafeHtml, StoreChoice } from './html';

type Listed = Awaited<ReturnType<TemplateActions['list']>>[number];
type Detail = Awaited<ReturnType<TemplateActions['get']>>;
type Preview = Awaited<ReturnType<TemplateActions['preview']>>;

const AUDIENCE_WORDS: Record<string, string> = {
  buyer: 'Buyers',
  applicant: 'Applicants',
  approver: 'Approvers',
};

/** The templates of one store, each with its version and a link to edit it. */
export function templateListView(templates: Listed[], choice: StoreChoice): SafeHtml {
  return html`${storeChooser(choice, '/dashboard/templates')}
    <div class="table-wrap">
      <table id="templates">
        <tr>
          <th>Message</th>
          <th>To</th>
          <th>Version</th>
          <th></th>
        </tr>
        ${templates.map(
          (t) =>
            html`<tr data-key="${t.key}">
              <td><strong>${t.key}</strong><br /><span class="muted">${t.description}</span></td>
              <td>${AUDIENCE_WORDS[t.audience] ?? t.audience}</td>
              <td>${t.current.version === 0 ? 'built-in' : `v${t.current.version}`}</td>
              <td>
                <a href="${inStore(choice, `/dashboard/templates/${encodeURIComponent(t.key)}`)}">Edit</a>
              </td>
            </tr>`,
        )}
      </table>
    </div>`;
}

export function previewView(p: Preview): SafeHtml {
  return html`<section class="panel" id="preview-result">
    <h3>Preview with order ${p.orderId}</h3>
    <p><strong id="preview-subject">${p.subject}</strong></p>
    <pre id="preview-body">${p.body}</pre>
    ${p.missing.length ? html`<p class="muted">No value for: ${p.missing.join(', ')}</p>` : html``}
    <p class="muted">Not saved.</p>
  </section>`;
}

export const problemView = (text: string) =>
  html`<p class="notice problem" role="alert" id="template-problem">${text}</p>`;

/**
 * One template of one store: its words to edit, a preview with one of the store's orders, save, and
 * the versions before.
 */
export function templateEditView(
  ctx: PageContext,
  t: Detail,
  orders: { orderId: string; orderNumber: string | null }[],
  choice: StoreChoice,
  notice?: { ok: boolean; text: string },
): SafeHtml {
  const key = encodeURIComponent(t.key);
  const path = `/dashboard/templates/${key}`;
  return html`<div id="template">
    ${storeChooser(choice, path)} ${noticeView(notice)}
    <p>
      ${t.description}
      <span class="muted"
        >(${AUDIENCE_WORDS[t.audience] ?? t.audience};
        ${t.current.version === 0 ? 'built-in words' : `version ${t.current.version}`})</span
      >
    </p>
    ${postForm(
      ctx,
      { action: inStore(choice, path), target: '#template', class: 'panel' },
      html`<label
          >Subject<input id="template-subject" name="subject" value="${t.current.subject}" maxlength="300"
        /></label>
        <label for="template-body">Message</label>
        <textarea id="template-body" name="body" maxlength="5000">${t.current.body}</textarea>
        <label
          >Preview with order<select name="orderId" id="preview-order">
            ${orders.map(
              (o) => html`<option value="${o.orderId}">${o.orderNumber ?? o.orderId} (${o.orderId})</option>`,
            )}
          </select></label
        >
        <label>Why this change (kept with the version)<input name="comment" maxlength="500" /></label>
        <div class="actions">
          ${loadButton({
            label: 'Preview',
            url: inStore(choice, `${path}/preview`),
            target: '#preview',
            class: 'secondary',
            id: 'preview-button',
            method: 'post',
          })}
          <button type="submit" id="save-button">Save</button>
        </div>`,
    )}
    <div id="preview" aria-live="polite"></div>
    <h2>Placeholders</h2>
    <ul class="placeholders">
      ${t.placeholders.map((p) => html`<li><code>{{${p.name}}}</code> ${p.description}</li>`)}
    </ul>
    <h2>Versions</h2>
    ${
      t.history.length
        ? tableView(
            { id: 'template-history' },
            ['Version', 'By', 'When', 'Why'],
            t.history.map((h) => [`v${h.version}`, h.createdBy, ago(h.createdAt), h.comment ?? '']),
          )
        : html`<p class="muted">Never changed: the built-in words are sent.</p>`
    }
  </div>`;
}
