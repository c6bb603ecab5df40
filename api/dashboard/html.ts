import type { Response } from 'express';
import type { Principal } from '../../db/principals';

/** HTML that is already safe to send: built by `html` or `raw`. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = SafeHtml | string | number | bigint | boolean | null | undefined | Part[];

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
] as const;

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
 * A dashboard page: the navigation, who is signed in (with sign-out), the CSRF token every htmx
 * request sends as `X-CSRF-Token`, and htmx and the stylesheet served by this API (no CDN).
 */
export function page(ctx: PageContext, opts: { title: string; path: string; body: SafeHtml }): string {
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
                html`<a href="${href}" ${opts.path === href ? raw(' aria-current="page"') : ''}>${label}</a>`,
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
