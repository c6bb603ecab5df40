import type { SlaRuleName } from '../domain/alerting';
import type { Db } from './pool';

/** A process waiting in one step, as the read models show it: what the SLA checker measures. */
export interface SlaCandidate {
  rule: SlaRuleName;
  /** The process and step this wait is about; one breach at most per key and rule. */
  subjectKey: string;
  workflowId: string | null;
  summary: string;
  /** When the wait began. */
  since: Date;
}

export interface SlaBreach {
  id: number;
  store: string;
  rule: SlaRuleName;
  subjectKey: string;
  workflowId: string | null;
  summary: string;
  threshold: string;
  since: string;
  detectedAt: string;
  resolvedAt: string | null;
}

type Row = {
  subject_key: string;
  workflow_id: string | null;
  summary: string;
  since: Date;
};

const toCandidates = (rule: SlaRuleName, rows: Row[]): SlaCandidate[] =>
  rows.map((r) => ({
    rule,
    subjectKey: r.subject_key,
    workflowId: r.workflow_id,
    summary: r.summary,
    since: r.since,
  }));

/**
 * The SLA checker's reads and its breach record. Each finder lists one store's processes that have
 * waited in a step for at least `olderThanMs` (calendar time: business-day rules filter further);
 * the breach record keeps one row per (rule, process step), reopened if the same step breaches again.
 */
export function slaRepository(db: Db) {
  const older = (ms: number) => [`${Math.max(0, Math.floor(ms))} milliseconds`];
  return {
    /** Orders with no ERP sales order: since their first webhook (or, without one, since Quayside saw them). */
    async waitingForErpOrder(store: string, olderThanMs: number): Promise<SlaCandidate[]> {
      const res = await db.query<Row>(
        `SELECT o.workflow_id AS subject_key, o.workflow_id,
                'Order ' || COALESCE(o.order_number, o.order_id) || ' has no ERP sales order' AS summary,
                LEAST(o.created_at, w.received_at) AS since
           FROM orders o
           LEFT JOIN LATERAL (SELECT min(received_at) AS received_at FROM webhook_deliveries d
                               WHERE d.workflow_id = o.workflow_id) w ON true
          WHERE o.store = $1 AND o.erp_order_id IS NULL
            AND o.status NOT IN ('completed', 'cancelled')
            AND o.attention_kind IS DISTINCT FROM 'approval'
            AND LEAST(o.created_at, w.received_at) <= now() - $2::interval
         UNION ALL
         SELECT d.workflow_id, d.workflow_id,
                'Order webhook ' || d.webhook_id || ' has no ERP sales order', min(d.received_at)
           FROM webhook_deliveries d
          WHERE d.topic = 'orders/create' AND d.status = 'processed' AND d.workflow_id LIKE $3
            AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.workflow_id = d.workflow_id)
          GROUP BY d.workflow_id, d.webhook_id
         HAVING min(d.received_at) <= now() - $2::interval`,
        [store, ...older(olderThanMs), `order:${store}:%`],
      );
      return toCandidates('erpOrder', res.rows);
    },

    /** Orders in the ERP with units still to ship, since they reached the ERP's fulfilment step. */
    async waitingForShipment(store: string, olderThanMs: number): Promise<SlaCandidate[]> {
      const res = await db.query<Row>(
        `SELECT workflow_id AS subject_key, workflow_id,
                'Order ' || COALESCE(order_number, order_id) || ' has units not shipped' AS summary,
                step_since AS since
           FROM orders
          WHERE store = $1 AND erp_order_id IS NOT NULL AND step = 'fulfilling'
            AND status IN ('inErp', 'backordered', 'partiallyShipped')
            AND step_since <= now() - $2::interval`,
        [store, ...older(olderThanMs)],
      );
      return toCandidates('shipment', res.rows);
    },

    /** Orders with shipped units not invoiced, since the last shipment. */
    async waitingForInvoice(store: string, olderThanMs: number): Promise<SlaCandidate[]> {
      const res = await db.query<Row>(
        `SELECT workflow_id AS subject_key, workflow_id,
                'Order ' || COALESCE(order_number, order_id) || ': ' || (shipped_units - invoiced_units)
                  || ' shipped unit(s) not invoiced' AS summary,
                last_shipped_at AS since
           FROM orders
          WHERE store = $1 AND shipped_units > invoiced_units AND status <> 'cancelled'
            AND last_shipped_at <= now() - $2::interval`,
        [store, ...older(olderThanMs)],
      );
      return toCandidates('invoice', res.rows);
    },

    /** Syncs whose latest run saw ERP changes older than the threshold (the lag it measured). */
    async lagging(store: string, olderThanMs: number): Promise<SlaCandidate[]> {
      const res = await db.query<Row>(
        `SELECT DISTINCT ON (sync) 'sync:' || sync AS subject_key, workflow_id,
                'The ' || sync || ' sync lags ' || round(lag_ms / 60000.0, 1) || ' min behind the ERP' AS summary,
                finished_at - lag_ms * interval '1 millisecond' AS since, lag_ms
           FROM sync_runs
          WHERE sync LIKE '%:' || $1 AND finished_at > now() - interval '1 day'
          ORDER BY sync, finished_at DESC`,
        [store],
      );
      return toCandidates(
        'syncLag',
        res.rows.filter((r) => Number((r as Row & { lag_ms: number | null }).lag_ms ?? 0) >= olderThanMs),
      );
    },

    /** Pending decisions of the given approval kinds (or every kind but those), since they were requested. */
    async waitingForDecision(
      store: string,
      olderThanMs: number,
      kinds: { only?: string[]; except?: string[] },
    ): Promise<SlaCandidate[]> {
      const res = await db.query<Row>(
        `SELECT 'approval:' || approval_id AS subject_key, workflow_id,
                'Decision waiting: ' || summary AS summary, requested_at AS since
           FROM approvals
          WHERE status = 'pending' AND store = $1 AND requested_at <= now() - $2::interval
            AND ($3::text[] IS NULL OR kind = ANY ($3)) AND ($4::text[] IS NULL OR kind <> ALL ($4))`,
        [store, ...older(olderThanMs), kinds.only ?? null, kinds.except ?? null],
      );
      return toCandidates(kinds.only?.includes('customer') ? 'customerDecision' : 'decision', res.rows);
    },

    /** Returns whose goods arrived and wait for the warehouse's inspection. */
    async waitingForInspection(store: string, olderThanMs: number): Promise<SlaCandidate[]> {
      const res = await db.query<Row>(
        `SELECT workflow_id AS subject_key, workflow_id,
                'Return ' || return_id || ' waits for inspection' AS summary, step_since AS since
           FROM returns
          WHERE store = $1 AND status = 'awaitingInspection' AND step_since <= now() - $2::interval`,
        [store, ...older(olderThanMs)],
      );
      return toCandidates('returnInspection', res.rows);
    },

    /**
     * Records a breach (a step that breached again after being resolved is reopened) and answers
     * its id and whether its alert is still to be raised.
     */
    async record(
      store: string,
      c: SlaCandidate,
      threshold: string,
    ): Promise<{ id: number; needsAlert: boolean }> {
      const res = await db.query<{ id: number; needs_alert: boolean }>(
        `INSERT INTO sla_breaches (store, rule, subject_key, workflow_id, summary, threshold, since)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (rule, subject_key) DO UPDATE SET
           summary = CASE WHEN sla_breaches.resolved_at IS NULL THEN sla_breaches.summary ELSE EXCLUDED.summary END,
           threshold = EXCLUDED.threshold,
           since = CASE WHEN sla_breaches.resolved_at IS NULL THEN sla_breaches.since ELSE EXCLUDED.since END,
           detected_at = CASE WHEN sla_breaches.resolved_at IS NULL THEN sla_breaches.detected_at ELSE now() END,
           alerted_at = CASE WHEN sla_breaches.resolved_at IS NULL THEN sla_breaches.alerted_at END,
           resolved_at = NULL
         RETURNING id, alerted_at IS NULL AS needs_alert`,
        [store, c.rule, c.subjectKey, c.workflowId, c.summary, threshold, c.since],
      );
      const row = res.rows[0]!;
      return { id: row.id, needsAlert: row.needs_alert };
    },

    async alerted(id: number): Promise<void> {
      await db.query('UPDATE sla_breaches SET alerted_at = now() WHERE id = $1', [id]);
    },

    /** The store's open breaches of these rules whose step is no longer waiting. */
    async over(
      store: string,
      rules: readonly SlaRuleName[],
      stillOpen: { rule: SlaRuleName; subjectKey: string }[],
    ): Promise<{ id: number; rule: SlaRuleName; subjectKey: string }[]> {
      const res = await db.query<{ id: number; rule: SlaRuleName; subject_key: string }>(
        `SELECT b.id, b.rule, b.subject_key FROM sla_breaches b
          WHERE b.store = $1 AND b.resolved_at IS NULL AND b.rule = ANY ($2)
            AND NOT EXISTS (SELECT 1 FROM unnest($3::text[], $4::text[]) AS k(rule, subject_key)
                             WHERE k.rule = b.rule AND k.subject_key = b.subject_key)`,
        [store, rules, stillOpen.map((s) => s.rule), stillOpen.map((s) => s.subjectKey)],
      );
      return res.rows.map((r) => ({ id: r.id, rule: r.rule, subjectKey: r.subject_key }));
    },

    async resolved(id: number): Promise<void> {
      await db.query('UPDATE sla_breaches SET resolved_at = now() WHERE id = $1 AND resolved_at IS NULL', [
        id,
      ]);
    },

    /** The store's breaches, newest first: open ones only unless `all`. */
    async list(filter: { stores: string[] | null; all?: boolean; limit: number }): Promise<SlaBreach[]> {
      const res = await db.query(
        `SELECT id, store, rule, subject_key, workflow_id, summary, threshold, since, detected_at, resolved_at
           FROM sla_breaches
          WHERE ($1::text[] IS NULL OR store = ANY ($1)) AND ($2::boolean OR resolved_at IS NULL)
          ORDER BY detected_at DESC LIMIT $3`,
        [filter.stores, filter.all ?? false, filter.limit],
      );
      return res.rows.map((r) => ({
        id: r.id,
        store: r.store,
        rule: r.rule,
        subjectKey: r.subject_key,
        workflowId: r.workflow_id,
        summary: r.summary,
        threshold: r.threshold,
        since: (r.since as Date).toISOString(),
        detectedAt: (r.detected_at as Date).toISOString(),
        resolvedAt: r.resolved_at ? (r.resolved_at as Date).toISOString() : null,
      }));
    },
  };
}

export type SlaRepository = ReturnType<typeof slaRepository>;
