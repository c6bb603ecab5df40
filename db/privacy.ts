import { customerWorkflowId, orderWorkflowId } from '../domain/contracts';
import type { PrivacyTopic } from '../domain/privacy';
import { withTransaction, type Db, type DbClient } from './pool';

export interface PrivacyRequest {
  id: number;
  webhookId: string;
  topic: PrivacyTopic;
  store: string;
  shopDomain: string;
  customerId: string | null;
  dataRequestId: string | null;
  orderIds: string[];
  export: Record<string, unknown> | null;
  erased: Record<string, number> | null;
  kept: { what: string; reason: string }[] | null;
  receivedAt: string;
}

export interface CustomerSubject {
  store: string;
  customerId: string;
  /** Orders Shopify names (`orders_requested` / `orders_to_redact`), beside those Quayside links to the customer. */
  orderIds: string[];
}

const REDACTED = '[redacted on the customer’s request]';

/** What the law makes Quayside keep, and why; recorded with every erasure. */
function keptForAccounting(orderIds: string[], workflowIds: string[]): { what: string; reason: string }[] {
  return [
    {
      what: `The ERP's documents for ${orderIds.length ? `orders ${orderIds.join(', ')}` : 'the customer’s orders'}: sales orders, invoices, credit memos, return authorizations and refunds (in NetSuite, not in Quayside)`,
      reason:
        'Commercial and tax law require invoices and the records behind them to be kept for the statutory period (e.g. 6 to 10 years); the ERP is the system of record for them.',
    },
    {
      what: "Quayside's order and return records: ids, order numbers, PO numbers, amounts, currency and status (no name, email or address)",
      reason:
        'They tie the retained ERP documents to the storefront orders and carry no personal details beyond the ids.',
    },
    {
      what: `Temporal histories of ${workflowIds.length} process(es)${workflowIds.length ? ` (${workflowIds.slice(0, 20).join(', ')}${workflowIds.length > 20 ? ', …' : ''})` : ''}`,
      reason:
        "Their payloads are encrypted with Quayside's payload keys and their search attributes hold ids only; Temporal deletes them when the namespace's retention period ends.",
    },
  ];
}

const toRequest = (r: Record<string, unknown>): PrivacyRequest => ({
  id: Number(r.id),
  webhookId: r.webhook_id as string,
  topic: r.topic as PrivacyTopic,
  store: r.store as string,
  shopDomain: r.shop_domain as string,
  customerId: (r.customer_id as string | null) ?? null,
  dataRequestId: (r.data_request_id as string | null) ?? null,
  orderIds: (r.order_ids as string[]) ?? [],
  export: (r.export as Record<string, unknown> | null) ?? null,
  erased: (r.erased as Record<string, number> | null) ?? null,
  kept: (r.kept as { what: string; reason: string }[] | null) ?? null,
  receivedAt: new Date(r.received_at as string).toISOString(),
});

/** The customer's processes: their orders (known to Quayside or named by Shopify), returns and registration. */
async function workflowsOf(q: Db | DbClient, s: CustomerSubject) {
  const orders = await q.query<{ order_id: string; workflow_id: string }>(
    'SELECT order_id, workflow_id FROM orders WHERE store = $1 AND (customer_id = $2 OR order_id = ANY ($3))',
    [s.store, s.customerId, s.orderIds],
  );
  const returns = await q.query<{ workflow_id: string }>(
    'SELECT workflow_id FROM returns WHERE store = $1 AND (customer_id = $2 OR order_id = ANY ($3))',
    [s.store, s.customerId, s.orderIds],
  );
  const orderIds = [...new Set([...orders.rows.map((r) => r.order_id), ...s.orderIds])];
  const workflowIds = [
    ...new Set([
      ...orders.rows.map((r) => r.workflow_id),
      ...s.orderIds.map((id) => orderWorkflowId(s.store, id)),
      ...returns.rows.map((r) => r.workflow_id),
      customerWorkflowId(s.store, s.customerId),
    ]),
  ];
  return { orderIds, workflowIds };
}

/** Raw webhook bodies (dead letters) that name the customer by id. */
const DEAD_LETTERS_OF = `shop_domain IS NOT DISTINCT FROM $1 AND payload ~ ('"id"\\s*:\\s*' || $2 || '\\M')`;

/**
 * Privacy requests: the export of everything Quayside holds about a storefront customer, the
 * erasure of their personal details across Quayside's tables and caches, and the record of each.
 */
export function privacyRepository(db: Db) {
  async function exportCustomer(s: CustomerSubject & { shopDomain: string }) {
    const { orderIds, workflowIds } = await workflowsOf(db, s);
    const q = async (sql: string, params: unknown[]) => (await db.query(sql, params)).rows;
    const mapping = await q(
      'SELECT erp_customer_id, updated_at, updated_by FROM customer_map WHERE store = $1 AND store_customer_id = $2',
      [s.store, s.customerId],
    );
    const erpCustomerIds = mapping.map((m) => m.erp_customer_id as string);
    return {
      subject: { store: s.store, shopDomain: s.shopDomain, shopifyCustomerId: s.customerId, orderIds },
      customerMapping: mapping,
      erpCustomerCache: await q('SELECT * FROM customer_cache WHERE erp_customer_id = ANY ($1)', [
        erpCustomerIds,
      ]),
      orders: await q(
        'SELECT * FROM orders WHERE store = $1 AND (customer_id = $2 OR order_id = ANY ($3)) ORDER BY created_at',
        [s.store, s.customerId, orderIds],
      ),
      returns: await q(
        'SELECT * FROM returns WHERE store = $1 AND (customer_id = $2 OR order_id = ANY ($3)) ORDER BY created_at',
        [s.store, s.customerId, orderIds],
      ),
      approvals: await q('SELECT * FROM approvals WHERE workflow_id = ANY ($1) ORDER BY requested_at', [
        workflowIds,
      ]),
      notifications: await q(
        `SELECT * FROM notifications WHERE workflow_id = ANY ($1) OR recipient->>'id' = $2 ORDER BY created_at`,
        [workflowIds, s.customerId],
      ),
      alerts: await q('SELECT * FROM alerts WHERE workflow_id = ANY ($1) ORDER BY created_at', [workflowIds]),
      webhookDeadLetters: await q(`SELECT * FROM dead_letters WHERE ${DEAD_LETTERS_OF} ORDER BY id`, [
        s.shopDomain,
        s.customerId,
      ]),
      temporalWorkflows: workflowIds,
    };
  }

  async function redactCustomer(c: DbClient, s: CustomerSubject & { shopDomain: string }) {
    const { orderIds, workflowIds } = await workflowsOf(c, s);
    const count = async (sql: string, params: unknown[]) => (await c.query(sql, params)).rowCount ?? 0;
    const erpIds = (
      await c.query<{ erp_customer_id: string }>(
        'SELECT erp_customer_id FROM customer_map WHERE store = $1 AND store_customer_id = $2',
        [s.store, s.customerId],
      )
    ).rows.map((r) => r.erp_customer_id);
    const erased: Record<string, number> = {
      notifications: await count(
        `UPDATE notifications SET recipient = jsonb_build_object('role', recipient->'role', 'redacted', true),
                subject = $3, payload = '{"redacted": true}'::jsonb, last_error = NULL
          WHERE (workflow_id = ANY ($1) OR recipient->>'id' = $2) AND NOT (recipient ? 'redacted')`,
        [workflowIds, s.customerId, REDACTED],
      ),
      approvals: await count(
        `UPDATE approvals SET summary = $2, context = '{}'::jsonb WHERE workflow_id = ANY ($1) AND summary <> $2`,
        [workflowIds, REDACTED],
      ),
      alerts: await count(
        `UPDATE alerts SET subject = $2, message = $2, details = '{}'::jsonb WHERE workflow_id = ANY ($1) AND message <> $2`,
        [workflowIds, REDACTED],
      ),
      orderReasons: await count(
        'UPDATE orders SET attention_reason = NULL WHERE workflow_id = ANY ($1) AND attention_reason IS NOT NULL',
        [workflowIds],
      ),
      webhookDeadLetters: await count(`DELETE FROM dead_letters WHERE ${DEAD_LETTERS_OF}`, [
        s.shopDomain,
        s.customerId,
      ]),
      customerMapping: await count('DELETE FROM customer_map WHERE store = $1 AND store_customer_id = $2', [
        s.store,
        s.customerId,
      ]).then(async (n) => {
        // The mapping's history (its delete just added a row) goes with it.
        await c.query(
          `DELETE FROM mapping_history WHERE store = $1 AND mapping = 'customer' AND store_key = $2`,
          [s.store, s.customerId],
        );
        return n;
      }),
      erpCustomerCache:
        (await count('DELETE FROM customer_cache WHERE erp_customer_id = ANY ($1)', [erpIds])) +
        (await count('DELETE FROM erp_customer_order_history WHERE erp_customer_id = ANY ($1)', [erpIds])),
    };
    return { erased, kept: keptForAccounting(orderIds, workflowIds), orderIds };
  }

  async function redactShop(c: DbClient, store: string, shopDomain: string) {
    const count = async (sql: string, params: unknown[]) => (await c.query(sql, params)).rowCount ?? 0;
    const workflows = (
      await c.query<{ workflow_id: string }>(
        'SELECT workflow_id FROM orders WHERE store = $1 UNION SELECT workflow_id FROM returns WHERE store = $1',
        [store],
      )
    ).rows.map((r) => r.workflow_id);
    const prefix = `%:${store}:%`;
    const erased: Record<string, number> = {
      notifications: await count(
        `UPDATE notifications SET recipient = jsonb_build_object('role', recipient->'role', 'redacted', true),
                subject = $3, payload = '{"redacted": true}'::jsonb, last_error = NULL
          WHERE (workflow_id = ANY ($1) OR workflow_id LIKE $2 OR recipient->>'store' = $4) AND NOT (recipient ? 'redacted')`,
        [workflows, prefix, REDACTED, store],
      ),
      approvals: await count(
        `UPDATE approvals SET summary = $3, context = '{}'::jsonb WHERE (store = $1 OR workflow_id LIKE $2) AND summary <> $3`,
        [store, prefix, REDACTED],
      ),
      alerts: await count(
        `UPDATE alerts SET subject = $2, message = $2, details = '{}'::jsonb WHERE workflow_id LIKE $1 AND message <> $2`,
        [prefix, REDACTED],
      ),
      orderReasons: await count(
        'UPDATE orders SET attention_reason = NULL WHERE store = $1 AND attention_reason IS NOT NULL',
        [store],
      ),
      webhookDeadLetters: await count('DELETE FROM dead_letters WHERE shop_domain = $1', [shopDomain]),
      customerMappings: await count('DELETE FROM customer_map WHERE store = $1', [store]).then(async (n) => {
        await c.query(`DELETE FROM mapping_history WHERE store = $1 AND mapping = 'customer'`, [store]);
        return n;
      }),
    };
    return { erased, kept: keptForAccounting([], workflows) };
  }

  return {
    /** Records and carries out one request, once per webhook id; a repeat delivery returns the first record. */
    async handle(input: {
      webhookId: string;
      topic: PrivacyTopic;
      store: string;
      shopDomain: string;
      customerId?: string;
      dataRequestId?: string;
      orderIds?: string[];
    }): Promise<PrivacyRequest> {
      const orderIds = input.orderIds ?? [];
      return withTransaction(db, async (c) => {
        const existing = await c.query('SELECT * FROM privacy_requests WHERE webhook_id = $1', [
          input.webhookId,
        ]);
        if (existing.rows[0]) return toRequest(existing.rows[0] as Record<string, unknown>);
        let result: { export?: unknown; erased?: unknown; kept?: unknown; orderIds?: string[] } = {};
        const subject = {
          store: input.store,
          shopDomain: input.shopDomain,
          customerId: input.customerId ?? '',
          orderIds,
        };
        if (input.topic === 'customers/data_request') result = { export: await exportCustomer(subject) };
        else if (input.topic === 'customers/redact') result = await redactCustomer(c, subject);
        else result = await redactShop(c, input.store, input.shopDomain);
        const row = await c.query(
          `INSERT INTO privacy_requests (webhook_id, topic, store, shop_domain, customer_id, data_request_id, order_ids, export, erased, kept)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
          [
            input.webhookId,
            input.topic,
            input.store,
            input.shopDomain,
            input.customerId ?? null,
            input.dataRequestId ?? null,
            result.orderIds ?? orderIds,
            result.export === undefined ? null : JSON.stringify(result.export),
            result.erased === undefined ? null : JSON.stringify(result.erased),
            result.kept === undefined ? null : JSON.stringify(result.kept),
          ],
        );
        return toRequest(row.rows[0] as Record<string, unknown>);
      });
    },

    async get(id: number): Promise<PrivacyRequest | null> {
      const res = await db.query('SELECT * FROM privacy_requests WHERE id = $1', [id]);
      return res.rows[0] ? toRequest(res.rows[0] as Record<string, unknown>) : null;
    },

    /** Requests, newest first, without their exports (fetch one by id for that). */
    async list(stores: string[] | null, limit = 100): Promise<Omit<PrivacyRequest, 'export'>[]> {
      const res = await db.query(
        `SELECT * FROM privacy_requests WHERE $1::text[] IS NULL OR store = ANY ($1) ORDER BY id DESC LIMIT $2`,
        [stores, limit],
      );
      return res.rows.map((r) => {
        const { export: _omit, ...rest } = toRequest(r as Record<string, unknown>);
        return rest;
      });
    },
  };
}
