import { Router } from 'express';
import { operationsSnapshot } from '../../db/dashboard';
import type { Db } from '../../db/pool';

const escape = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** The operations dashboard: integration health in words a non-technical operator reads. */
export function dashboardRouter({
  db,
  temporalUiUrl,
  namespace,
  store,
}: {
  db: Db;
  temporalUiUrl?: string;
  namespace: string;
  /** The store this deployment serves: parked webhooks and syncs belong to it. */
  store: string;
}): Router {
  const router = Router();
  router.get('/dashboard', async (req, res) => {
    // A principal limited to some stores sees only theirs, as on every API route.
    const snapshot = await operationsSnapshot(db, {
      stores: req.sessionPrincipal ? req.sessionPrincipal.stores : [],
      homeStore: store,
    });
    const historyLink = (workflowId: string | null) =>
      workflowId && temporalUiUrl
        ? `<a href="${escape(`${temporalUiUrl}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}`)}">history</a>`
        : '';
    const ago = (d: Date | null) => {
      if (!d) return 'never';
      const minutes = Math.round((Date.now() - new Date(d).getTime()) / 60_000);
      return minutes < 1
        ? 'just now'
        : minutes < 120
          ? `${minutes} min ago`
          : `${Math.round(minutes / 60)} h ago`;
    };
    const parked = snapshot.parkedWebhooks;
    res.type('html').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Quayside — operations</title>
<meta http-equiv="refresh" content="30">
<style>body{font:15px system-ui,sans-serif;margin:2rem;max-width:60rem}table{border-collapse:collapse;width:100%;margin-bottom:1.5rem}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left}.critical{color:#b00020}.warning{color:#a05a00}</style>
</head><body>
<form id="signed-in" method="post" action="/logout" style="float:right">Signed in as ${escape(req.sessionPrincipal?.name)} (${escape(req.sessionPrincipal?.role)})
<input type="hidden" name="_csrf" value="${escape(req.csrfToken?.())}"> <button type="submit">Sign out</button></form>
<h1>Quayside operations</h1>
<h2>Needs attention</h2>
<table id="alerts"><tr><th>Severity</th><th>What</th><th>Why</th><th></th></tr>
${snapshot.alerts.map((a) => `<tr class="${escape(a.severity)}"><td>${escape(a.severity)}</td><td>${escape(a.subject)}</td><td>${escape(a.message)}</td><td>${historyLink(a.workflow_id)}</td></tr>`).join('') || '<tr><td colspan="4">Nothing needs attention.</td></tr>'}
</table>
<h2>Waiting for a decision</h2>
<table id="approvals"><tr><th>Kind</th><th>Waiting</th><th>Escalated</th><th>Oldest</th></tr>
${snapshot.approvals.map((a) => `<tr><td>${escape(a.kind)}</td><td>${escape(a.n)}</td><td>${escape(a.escalated)}</td><td>${escape(ago(a.oldest))}</td></tr>`).join('') || '<tr><td colspan="4">No decisions are waiting.</td></tr>'}
</table>
<h2>Orders by status</h2>
<table id="orders"><tr><th>Status</th><th>Orders</th></tr>
${snapshot.orders.map((r) => `<tr><td>${escape(r.status)}</td><td>${escape(r.n)}</td></tr>`).join('') || '<tr><td colspan="2">No orders yet.</td></tr>'}
</table>
<h2>Syncs (last 24 hours)</h2>
<table id="syncs"><tr><th>Sync</th><th>Last run</th><th>Changes seen</th><th>Sent to the store</th><th>Delay of the last change</th></tr>
${snapshot.syncs.map((r) => `<tr><td>${escape(r.sync)}</td><td>${escape(ago(r.last_run))}</td><td>${escape(r.changed)}</td><td>${escape(r.pushed)}</td><td>${r.last_lag_ms === null ? '—' : `${escape((Number(r.last_lag_ms) / 1000).toFixed(1))} s`}</td></tr>`).join('') || '<tr><td colspan="5">No sync has run in the last 24 hours.</td></tr>'}
</table>
<p id="webhooks">${parked === 0 ? 'Every webhook received was understood.' : `${escape(parked)} webhook(s) could not be understood and are parked for a fix (GET /webhooks/dead-letters).`}</p>
</body></html>`);
  });
  return router;
}
