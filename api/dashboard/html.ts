import type { Response } from 'express';
import type { Principal } from '../../db/principals';

/** HTML that is already safe to send: built by `html` or `raw`. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type Part = SafeHtml | string | number | bigint | boolean | null | undefined | Part[];

export const escapeHtml = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (Array.isArray(part)) return part.map(render).join('');
  if (part instanceof SafeHtml) return part.value;
  return escapeHtml(part);
}

/** A template whose every interpolation is escaped unless it is SafeHtml (or a list of them). */
export function html(strings: TemplateStringsArray, ...parts: Part[]): SafeHtml {
  let out = strings[0] ?? '';
  parts.forEach((p, i) => {
    out += render(p) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Markup the server made itself (an SVG chart), sent as is. */
export const raw = (s: string) => new SafeHtml(s);

export interface PageContext {
  principal: Principal;
  csrfToken: string;
  temporalUiUrl?: string;
  namespace: string;
}

const NAV = [
  ['/dashboard', 'Home'],
  ['/dashboard/attention', 'Needs attention'],
  ['/dashboard/decisions', 'Decisions'],
  ['/dashboard/mappings', 'Mappings'],
  ['/dashboard/templates', 'Templates'],
  ['/dashboard/flows', 'Flows'],
] as const;

/** The pages of one store (or, on Home, of one or every store): their links keep the chosen store. */
const STORE_PAGES = new Set<string>([
  '/dashboard',
  '/dashboard/mappings',
  '/dashboard/templates',
  '/dashboard/flows',
]);

/**
 * Which store a page is about: the stores the signed-in person may see among those this API serves
 * (the primary store first), and the one chosen (`?store=`; null on the home page: all of them).
 */
export interface StoreChoice {
  stores: string[];
  current: string | null;
}

/** `path` for the chosen store: with `?store=` when the person has more than one store to choose from. */
export function inStore(choice: StoreChoice, path: string): string {
  if (choice.current === null || choice.stores.length <= 1) return path;
  return `${path}${path.includes('?') ? '&' : '?'}store=${encodeURIComponent(choice.current)}`;
}

/**
 * The store tabs of a page (`path` in each store; with `all`, first a tab for every store at once);
 * nothing when the person sees one store only.
 */
export function storeChooser(choice: StoreChoice, path: string, opts: { all?: boolean } = {}): SafeHtml {
  if (choice.stores.length <= 1) return html``;
  const tab = (store: string | null, label: string) =>
    html`<a
      href="${store === null ? path : `${path}?store=${encodeURIComponent(store)}`}"
      data-store="${store ?? ''}"
      ${choice.current === store ? raw(' aria-current="page"') : ''}
      >${label}</a
    >`;
  return html`<nav class="tabs stores" id="store-choice" aria-label="Store">
    <span class="muted">Store</span>
    ${opts.all ? tab(null, 'All stores') : html``} ${choice.stores.map((s) => tab(s, s))}
  </nav>`;
}

/** The link to a process's history in the Temporal UI, or nothing when there is no UI to link to. */
export function historyLink(
  ctx: Pick<PageContext, 'temporalUiUrl' | 'namespace'>,
  workflowId: string | null,
) {
  if (!workflowId || !ctx.temporalUiUrl) return html``;
  const href = `${ctx.temporalUiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(ctx.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return html`<a class="history" href="${href}" target="_blank" rel="noopener">History in Temporal</a>`;
}

/** "just now", "12 min ago", "3 h ago", "2 d ago". */
export function ago(d: Date | string | null, now = Date.now()): string {
  if (!d) return 'never';
  const minutes = Math.round((now - new Date(d).getTime()) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 120) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.round(hours / 24)} d ago`;
}

/**
 * A dashboard page: the navigation (its links to the store pages keep `store`, the page's chosen
 * one), who is signed in (with sign-out), the CSRF token every htmx request sends as `X-CSRF-Token`,
 * and htmx and the stylesheet served by this API (no CDN).
 */
export function page(
  ctx: PageContext,
  opts: { title: string; path: string; body: SafeHtml; store?: string },
): string {
  const p = ctx.principal;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta
          name="htmx-config"
          content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,"selfRequestsOnly":true,"responseHandling":[{"code":"204","swap":false},{"code":"[234]..","swap":true},{"code":"...","swap":false,"error":true}]}'
        />
        <title>${opts.title} — Quayside</title>
        <link rel="stylesheet" href="/dashboard/assets/dashboard.css" />
        <script src="/dashboard/assets/htmx.min.js" defer></script>
      </head>
      <body hx-headers="${JSON.stringify({ 'X-CSRF-Token': ctx.csrfToken })}">
        <header class="top">
          <a class="brand" href="/dashboard">Quayside</a>
          <nav aria-label="Dashboard">
            ${NAV.map(
              ([href, label]) =>
                html`<a
                  href="${opts.store && STORE_PAGES.has(href) ? `${href}?store=${encodeURIComponent(opts.store)}` : href}"
                  ${opts.path === href ? raw(' aria-current="page"') : ''}
                  >${label}</a
                >`,
            )}
          </nav>
          <form id="signed-in" method="post" action="/logout">
            <span>Signed in as ${p.name} (${p.role})</span>
            <input type="hidden" name="_csrf" value="${ctx.csrfToken}" />
            <button type="submit" class="link">Sign out</button>
          </form>
        </header>
        <main id="main">
          <h1>${opts.title}</h1>
          ${opts.body}
        </main>
      </body>
    </html>`.value;
}

/** Sends a full page, or only the fragment when htmx asked for a part of it. */
export function send(res: Response, body: string): void {
  res.type('html').send(body);
}

/** Whether the request came from htmx (it then gets a fragment, not a whole page). */
export const fromHtmx = (req: { headers: Record<string, unknown> }) => req.headers['hx-request'] === 'true';

export interface Notice {
  ok: boolean;
  text: string;
  /** Where to see what the action did. */
  href?: string;
}

/** What the last action did, or why it was refused. */
export function noticeView(n: Notice | undefined): SafeHtml {
  if (!n) return html``;
  return html`<p class="notice ${n.ok ? 'ok' : 'problem'}" id="notice" role="${n.ok ? 'status' : 'alert'}">
    ${n.text}${n.href ? html` <a href="${n.href}">See it</a>` : html``}
  </p>`;
}

/**
 * A form that posts with htmx and swaps `target` with the answer (without htmx the page comes back
 * whole); it carries the CSRF token.
 */
export function postForm(
  ctx: PageContext,
  opts: { action: string; target: string; confirm?: string; class?: string },
  body: SafeHtml,
): SafeHtml {
  return html`<form
    method="post"
    action="${opts.action}"
    hx-post="${opts.action}"
    hx-target="${opts.target}"
    hx-swap="outerHTML"
    ${opts.class ? html` class="${opts.class}"` : html``}
    ${opts.confirm ? html` hx-confirm="${opts.confirm}"` : html``}
  >
    <input type="hidden" name="_csrf" value="${ctx.csrfToken}" />${body}
  </form>`;
}

/** A part of the page that reloads itself from `url` every `every` (an htmx interval such as `30s`). */
export function liveRegion(id: string, url: string, every: string, body: SafeHtml): SafeHtml {
  return html`<div
    id="${id}"
    hx-get="${url}"
    hx-trigger="every ${every}"
    hx-select="#${id}"
    hx-target="this"
    hx-swap="outerHTML"
  >
    ${body}
  </div>`;
}

/** A button that loads `url` into `target` (POST sends the enclosing form, GET does not). */
export function loadButton(opts: {
  label: string;
  url: string;
  target: string;
  class: string;
  id?: string;
  method?: 'get' | 'post';
}): SafeHtml {
  const request = opts.method === 'post' ? html`hx-post="${opts.url}"` : html`hx-get="${opts.url}"`;
  return html`<button
    type="button"
    class="${opts.class}"
    ${opts.id ? html`id="${opts.id}"` : html``}
    ${request}
    hx-target="${opts.target}"
    hx-swap="innerHTML"
  >
    ${opts.label}
  </button>`;
}

/**
 * A table in its scrolling wrapper: a header row, then a row a record (each cell escaped unless
 * SafeHtml); without records, one row that says `empty`.
 */
export function tableView(
  attrs: { id?: string; class?: string; empty?: string },
  head: Part[],
  rows: Part[][],
): SafeHtml {
  return html`<div class="table-wrap">
    <table
      ${attrs.id ? html`id="${attrs.id}"` : html``}
      ${attrs.class ? html`class="${attrs.class}"` : html``}
    >
      <tr>
        ${head.map((h) => html`<th>${h}</th>`)}
      </tr>
      ${
        rows.length === 0 && attrs.empty
          ? html`<tr>
              <td colspan="${head.length}" class="muted">${attrs.empty}</td>
            </tr>`
          : rows.map(
              (r) =>
                html`<tr>
                  ${r.map((c) => html`<td>${c}</td>`)}
                </tr>`,
            )
      }
    </table>
  </div>`;
}

/**
 * A search box that asks `url` as the user types (after `delay`) and on search. Its answer goes to
 * `target` (the newest request replaces an older one), or where its form's own hx-target says.
 */
export function searchInput(opts: {
  id: string;
  url: string;
  delay: string;
  value?: string;
  placeholder?: string;
  target?: string;
}): SafeHtml {
  return html`<input
    id="${opts.id}"
    name="q"
    type="search"
    autocomplete="off"
    ${opts.value === undefined ? html`` : html`value="${opts.value}"`}
    ${opts.placeholder === undefined ? html`` : html`placeholder="${opts.placeholder}"`}
    hx-get="${opts.url}"
    hx-trigger="input changed delay:${opts.delay}, search"
    ${opts.target ? html`hx-target="${opts.target}" hx-sync="this:replace"` : html``}
  />`;
}
