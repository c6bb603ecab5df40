import { Router } from 'express';
import type { Db } from '../../db/pool';

const escape = (s: unknown) =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The operations dashboard: integration health in words a non-technical operator reads. */
export function dashboardRouter({ db, temporalUiUrl, namespace }: { db: Db; temporalUiUrl?: string; namespace: string }): Router {
  const router = Router();
  router.get('/dashboard', async (_req, res) => {
    const [orders, alerts] = await Promise.all([
      db.query(`SELECT status, count(*)::int AS n FROM orders GROUP BY status ORDER BY status`),
      db.query(`SELECT severity, subject, message, workflow_id, created_at FROM alerts WHERE resolved_at IS NULL ORDER BY created_at DESC LIMIT 50`),
    ]);
    const historyLink = (workflowId: string | null) =>
      workflowId && temporalUiUrl
        ? `<a href="${escape(`${temporalUiUrl}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}`)}">history</a>`
        : '';
    res.type('html').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Quayside — operations</title>
<style>body{font:15px system-ui,sans-serif;margin:2rem;max-width:60rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left}.critical{color:#b00020}.warning{color:#a05a00}</style>
</head><body>
<h1>Quayside operations</h1>
<h2>Orders by status</h2>
<table id="orders"><tr><th>Status</th><th>Orders</th></tr>
${orders.rows.map((r) => `<tr><td>${escape(r.status)}</td><td>${escape(r.n)}</td></tr>`).join('') || '<tr><td colspan="2">No orders yet.</td></tr>'}
</table>
<h2>Needs attention</h2>
<table id="alerts"><tr><th>Severity</th><th>What</th><th>Why</th><th></th></tr>
${alerts.rows.map((a) => `<tr class="${escape(a.severity)}"><td>${escape(a.severity)}</td><td>${escape(a.subject)}</td><td>${escape(a.message)}</td><td>${historyLink(a.workflow_id)}</td></tr>`).join('') || '<tr><td colspan="4">Nothing needs attention.</td></tr>'}
</table>
</body></html>`);
  });
  return router;
}
