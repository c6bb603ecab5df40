import { parse as parseLossless } from 'lossless-json';
import {
  skuOfReason,
  type AlertSource,
  type DeadLetterSource,
  type ParkedOrderSource,
} from '../domain/attention';
import { storeOfWorkflowId } from '../domain/contracts';
import type { Db } from './pool';

/**
 * What a principal may see on the dashboard: only its stores (`stores` null = every store). Orders
 * and approvals carry their store; an alert, a sync run and a sync cursor belong to the store of
 * their workflow or name, a store's call counts to that store; parked webhooks and alerts of no
 * workflow belong to the store this deployment serves (`homeStore`), as do store calls counted
 * before calls were kept per store.
 */
export interface DashboardScope {
  stores: string[] | null;
  homeStore: string;
  /** Approval kinds the principal sees (null = all). */
  approvalKinds?: string[] | null;
}

const seesStore = (scope: DashboardScope, store: string | null) =>
  scope.stores === null || (store !== null && scope.stores.includes(store));
const seesWorkflow = (scope: DashboardScope, workflowId: string | null) =>
  seesStore(scope, workflowId ? (storeOfWorkflowId(workflowId) ?? scope.homeStore) : scope.homeStore);

/** The storefront order a dead-lettered orders/* payload is about (its top-level id), when it parses. */
export function orderIdOfPayload(topic: string, payload: string): string | null {
  if (!topic.startsWith('orders/')) return null;
  try {
    const body = parseLossless(payload) as Record<string, unknown> | null;
    const id = body && typeof body === 'object' ? body.id : undefined;
    return id === undefined || id === null ? null : String(id);
  } catch {
    return null;
  }
}

interface AlertRow {
  id: number;
  dedupe_key: string | null;
  severity: AlertSource['severity'];
  kind: string;
  subject: string;
  message: string;
  workflow_id: string | null;
  details: Record<string, unknown>;
  created_at: Date;
}
const ALERT_COLUMNS = 'id, dedupe_key, severity, kind, subject, message, workflow_id, details, created_at';
const toAlertSource = (a: AlertRow): AlertSource => ({
  id: a.id,
  dedupeKey: a.dedupe_key,
  severity: a.severity,
  kind: a.kind,
  subject: a.subject,
  message: a.message,
  workflowId: a.workflow_id,
  details: a.details ?? {},
  createdAt: a.created_at.toISOString(),
});

/** The sources of the needs-attention queue (domain/attention.ts merges and groups them). */
export async function attentionSources(
  db: Db,
  scope: DashboardScope,
): Promise<{ orders: ParkedOrderSource[]; alerts: AlertSource[]; deadLetters: DeadLetterSource[] }> {
  const home = seesStore(scope, scope.homeStore);
  const [orders, alerts, letters] = await Promise.all([
    db.query<{
      workflow_id: string;
      store: string;
      order_id: string;
      order_number: string | null;
      attention_kind: string | null;
      attention_reason: string;
      po_number: string | null;
      updated_at: Date;
    }>(
      `SELECT workflow_id, store, order_id, order_number, attention_kind, attention_reason, po_number, updated_at
         FROM orders WHERE attention_reason IS NOT NULL AND ($1::text[] IS NULL OR store = ANY($1))
        ORDER BY updated_at LIMIT 500`,
      [scope.stores],
    ),
    db.query<AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM alerts WHERE resolved_at IS NULL ORDER BY created_at DESC LIMIT 1000`,
    ),
    home
      ? db.query<{ id: number; topic: string; reason: string; payload: string; created_at: Date }>(
          `SELECT id, topic, reason, COALESCE(replay_payload, payload) AS payload, created_at
             FROM dead_letters WHERE status = 'parked' ORDER BY id LIMIT 500`,
        )
      : Promise.resolve({ rows: [] }),
  ]);
  return {
    orders: orders.rows.map((r) => ({
      workflowId: r.workflow_id,
      store: r.store,
      orderId: r.order_id,
      orderNumber: r.order_number,
      attentionKind: r.attention_kind,
      attentionReason: r.attention_reason,
      poNumber: r.po_number,
      updatedAt: r.updated_at.toISOString(),
    })),
    alerts: alerts.rows.filter((a) => seesWorkflow(scope, a.workflow_id)).map(toAlertSource),
    deadLetters: letters.rows.map((d) => ({
      id: d.id,
      topic: d.topic,
      reason: d.reason,
      orderId: orderIdOfPayload(d.topic, d.payload),
      createdAt: d.created_at.toISOString(),
    })),
  };
}

export interface HourlyPoint {
  /** The hour's start. */
  hour: Date;
  value: number;
}

export interface HomeFigures {
  inFlight: number;
  completedToday: number;
  waitingForDecision: number;
  overdueDecisions: number;
  byStatus: { status: string; n: number }[];
  ordersPerHour: HourlyPoint[];
  /** Webhook → ERP sales order, per hour of arrival in the ERP: median and 95th percentile (ms). */
  latencyP50: HourlyPoint[];
  latencyP95: HourlyPoint[];
  /** The last 24 h overall. */
  latency: { reachedErp: number; p95Ms: number | null };
  /** Per sync (sync_runs.sync), the largest lag of each hour (ms). */
  syncLag: { sync: string; points: HourlyPoint[] }[];
  /** Sync cursors: when each last moved. */
  cursors: { name: string; updatedAt: Date }[];
  /** Per system, calls and errors per hour; and the last hour. */
  connectorCalls: { system: 'erp' | 'store'; hour: Date; calls: number; errors: number }[];
  lastHourCalls: Record<'erp' | 'store', { calls: number; errors: number }>;
}

/** The home page's figures for the last 24 hours, from the read models, within the scope. */
export async function homeFigures(db: Db, scope: DashboardScope): Promise<HomeFigures> {
  const home = seesStore(scope, scope.homeStore);
  const stores = scope.stores;
  const [counts, statuses, decisions, perHour, latency, overall, runs, cursors, calls] = await Promise.all([
    db.query<{ in_flight: number; completed_today: number }>(
      `SELECT count(*) FILTER (WHERE status NOT IN ('completed', 'cancelled'))::int AS in_flight,
              count(*) FILTER (WHERE status = 'completed' AND updated_at >= date_trunc('day', now()))::int AS completed_today
         FROM orders WHERE $1::text[] IS NULL OR store = ANY($1)`,
      [stores],
    ),
    db.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM orders WHERE $1::text[] IS NULL OR store = ANY($1)
        GROUP BY status ORDER BY status`,
      [stores],
    ),
    db.query<{ n: number; overdue: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE escalated)::int AS overdue FROM approvals
        WHERE status = 'pending' AND ($1::text[] IS NULL OR store = ANY($1))
          AND ($2::text[] IS NULL OR kind = ANY($2))`,
      [stores, scope.approvalKinds ?? null],
    ),
    db.query<{ hour: Date; n: number }>(
      `SELECT date_trunc('hour', created_at) AS hour, count(*)::int AS n FROM orders
        WHERE created_at > now() - interval '24 hours' AND ($1::text[] IS NULL OR store = ANY($1))
        GROUP BY 1 ORDER BY 1`,
      [stores],
    ),
    db.query<{ hour: Date; p50: number; p95: number }>(
      `${LATENCY_ROWS}
       SELECT date_trunc('hour', erp_recorded_at) AS hour,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY ms) AS p95
         FROM latency GROUP BY 1 ORDER BY 1`,
      [stores],
    ),
    db.query<{ n: number; p95: number | null }>(
      `${LATENCY_ROWS}
       SELECT count(*)::int AS n, percentile_cont(0.95) WITHIN GROUP (ORDER BY ms) AS p95 FROM latency`,
      [stores],
    ),
    db.query<{ sync: string; workflow_id: string; hour: Date; lag: number | null }>(
      `SELECT sync, max(workflow_id) AS workflow_id, date_trunc('hour', finished_at) AS hour, max(lag_ms) AS lag
         FROM sync_runs WHERE finished_at > now() - interval '24 hours'
        GROUP BY sync, 3 ORDER BY sync, 3`,
    ),
    db.query<{ name: string; updated_at: Date }>('SELECT name, updated_at FROM sync_cursors ORDER BY name'),
    db.query<{ system: 'erp' | 'store'; hour: Date; calls: number; errors: number; last_hour: boolean }>(
      `SELECT system, date_trunc('hour', minute) AS hour, sum(calls)::int AS calls, sum(errors)::int AS errors,
              false AS last_hour
         FROM connector_calls WHERE minute > now() - interval '24 hours' AND ${CALLS_IN_SCOPE} GROUP BY 1, 2
       UNION ALL
       SELECT system, now(), sum(calls)::int, sum(errors)::int, true
         FROM connector_calls WHERE minute > now() - interval '1 hour' AND ${CALLS_IN_SCOPE} GROUP BY 1
       ORDER BY 1, 2`,
      [stores, home],
    ),
  ]);

  const syncLag = new Map<string, HourlyPoint[]>();
  for (const r of runs.rows) {
    if (!seesWorkflow(scope, r.workflow_id)) continue;
    const points = syncLag.get(r.sync) ?? [];
    points.push({ hour: r.hour, value: Number(r.lag ?? 0) });
    syncLag.set(r.sync, points);
  }
  const lastHourCalls = { erp: { calls: 0, errors: 0 }, store: { calls: 0, errors: 0 } };
  for (const r of calls.rows) if (r.last_hour) lastHourCalls[r.system] = { calls: r.calls, errors: r.errors };

  return {
    inFlight: counts.rows[0]?.in_flight ?? 0,
    completedToday: counts.rows[0]?.completed_today ?? 0,
    waitingForDecision: decisions.rows[0]?.n ?? 0,
    overdueDecisions: decisions.rows[0]?.overdue ?? 0,
    byStatus: statuses.rows,
    ordersPerHour: perHour.rows.map((r) => ({ hour: r.hour, value: r.n })),
    latencyP50: latency.rows.map((r) => ({ hour: r.hour, value: Number(r.p50) })),
    latencyP95: latency.rows.map((r) => ({ hour: r.hour, value: Number(r.p95) })),
    latency: {
      reachedErp: overall.rows[0]?.n ?? 0,
      p95Ms:
        overall.rows[0]?.p95 === null || overall.rows[0]?.p95 === undefined
          ? null
          : Number(overall.rows[0].p95),
    },
    syncLag: [...syncLag.entries()].map(([sync, points]) => ({ sync, points })),
    cursors: cursors.rows
      .filter((c) => seesStore(scope, storeOfCursor(c.name) ?? scope.homeStore))
      .map((c) => ({ name: c.name, updatedAt: c.updated_at })),
    connectorCalls: calls.rows.filter((r) => !r.last_hour),
    lastHourCalls,
  };
}

/**
 * The calls the page shows: the ERP's (one account for every store), and the store calls of the
 * stores in scope ($1, null = every store); another store's calls and errors are that store's. Store
 * rows from before calls were kept per store (store '') were the one store's of then, the
 * deployment's primary store: they count when it is in scope ($2).
 */
const CALLS_IN_SCOPE = `(system = 'erp' OR (store = '' AND $2) OR (store <> '' AND ($1::text[] IS NULL OR store = ANY($1))))`;

/**
 * Orders that reached the ERP in the last 24 hours with the time from their first webhook (or,
 * for an order created through the API, from the read model's first row) to the ERP sales order.
 */
const LATENCY_ROWS = `WITH latency AS (
  SELECT o.erp_recorded_at,
         GREATEST(0, extract(epoch FROM o.erp_recorded_at - COALESCE(w.first, o.created_at)) * 1000) AS ms
    FROM orders o
    LEFT JOIN LATERAL (SELECT min(d.received_at) AS first FROM webhook_deliveries d WHERE d.workflow_id = o.workflow_id) w ON true
   WHERE o.erp_recorded_at > now() - interval '24 hours' AND ($1::text[] IS NULL OR o.store = ANY($1)))`;

/** The store a sync cursor name belongs to: `inventory:<store>`, `erp:<store>:invoices` … */
export function storeOfCursor(name: string): string | null {
  const parts = name.split(':');
  return parts.length >= 2 ? (parts[1] ?? null) : null;
}

/** ERP items from Quayside's item cache by SKU (prefix) or name (anywhere), exact SKU first. */
export async function searchItems(
  db: Db,
  q: string,
  limit = 20,
): Promise<{ erpSku: string; name: string; inactive: boolean }[]> {
  const term = q.trim();
  if (!term) return [];
  const like = term.replace(/[\\%_]/g, (c) => `\\${c}`);
  const res = await db.query<{ erp_sku: string; name: string; inactive: boolean }>(
    `SELECT erp_sku, name, inactive FROM item_cache
      WHERE erp_sku ILIKE $1 || '%' OR name ILIKE '%' || $1 || '%'
      ORDER BY (upper(erp_sku) = upper($2)) DESC, inactive, erp_sku LIMIT $3`,
    [like, term, limit],
  );
  return res.rows.map((r) => ({ erpSku: r.erp_sku, name: r.name, inactive: r.inactive }));
}

/** ERP customers from Quayside's customer cache by id or company name. */
export async function searchCustomers(
  db: Db,
  q: string,
  limit = 20,
): Promise<{ erpCustomerId: string; companyName: string }[]> {
  const term = q.trim();
  if (!term) return [];
  const like = term.replace(/[\\%_]/g, (c) => `\\${c}`);
  const res = await db.query<{ erp_customer_id: string; company_name: string }>(
    `SELECT erp_customer_id, company_name FROM customer_cache
      WHERE erp_customer_id = $2 OR company_name ILIKE '%' || $1 || '%'
      ORDER BY (erp_customer_id = $2) DESC, company_name LIMIT $3`,
    [like, term, limit],
  );
  return res.rows.map((r) => ({ erpCustomerId: r.erp_customer_id, companyName: r.company_name }));
}

/** The parked orders (in the scope) an unmapped-SKU or unmapped-customer fix applies to. */
export async function ordersParkedOn(
  db: Db,
  scope: DashboardScope,
  cause: { kind: 'unmappedSku'; sku: string } | { kind: 'unmappedCustomer'; customerId: string },
): Promise<{ orderId: string; store: string; workflowId: string; reason: string }[]> {
  const res = await db.query<{
    order_id: string;
    store: string;
    workflow_id: string;
    attention_reason: string;
  }>(
    `SELECT order_id, store, workflow_id, attention_reason FROM orders
      WHERE attention_kind = $1 AND ($2::text[] IS NULL OR store = ANY($2))
        AND ($1 <> 'unmappedCustomer' OR customer_id = $3)
      ORDER BY updated_at`,
    [cause.kind, scope.stores, cause.kind === 'unmappedSku' ? cause.sku : cause.customerId],
  );
  return res.rows
    .filter((r) => cause.kind === 'unmappedCustomer' || skuOfReason(r.attention_reason) === cause.sku)
    .map((r) => ({
      orderId: r.order_id,
      store: r.store,
      workflowId: r.workflow_id,
      reason: r.attention_reason,
    }));
}

/** An open alert, when the scope may see it. */
export async function visibleAlert(db: Db, scope: DashboardScope, id: number): Promise<AlertSource | null> {
  const res = await db.query<AlertRow>(
    `SELECT ${ALERT_COLUMNS} FROM alerts WHERE id = $1 AND resolved_at IS NULL`,
    [id],
  );
  const a = res.rows[0];
  if (!a || !seesWorkflow(scope, a.workflow_id)) return null;
  return toAlertSource(a);
}

/** The store's most recent orders (for a template preview with a real order). */
export async function recentOrders(
  db: Db,
  store: string,
  limit = 20,
): Promise<{ orderId: string; orderNumber: string | null }[]> {
  const res = await db.query<{ order_id: string; order_number: string | null }>(
    'SELECT order_id, order_number FROM orders WHERE store = $1 ORDER BY created_at DESC LIMIT $2',
    [store, limit],
  );
  return res.rows.map((r) => ({ orderId: r.order_id, orderNumber: r.order_number }));
}

/** The lines of these orders as the read model has them, by workflow id. */
export async function orderLinesOf(
  db: Db,
  workflowIds: string[],
): Promise<Map<string, { sku: string; title?: string; ordered: number; unitPrice: string }[]>> {
  if (workflowIds.length === 0) return new Map();
  const res = await db.query<{
    workflow_id: string;
    lines: { sku: string; title?: string; ordered: number; unitPrice: string }[];
  }>('SELECT workflow_id, lines FROM orders WHERE workflow_id = ANY($1)', [workflowIds]);
  return new Map(res.rows.map((r) => [r.workflow_id, r.lines ?? []]));
}
