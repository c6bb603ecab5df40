import type { OrderFacts, TemplateText } from '../domain/notification-templates';
import { withTransaction, type Db } from './pool';

export interface TemplateVersion extends TemplateText {
  key: string;
  version: number;
  createdAt: string;
  createdBy: string;
  comment: string | null;
}

const toVersion = (r: {
  key: string;
  version: number;
  subject: string;
  body: string;
  created_at: Date;
  created_by: string;
  comment: string | null;
}): TemplateVersion => ({
  key: r.key,
  version: r.version,
  subject: r.subject,
  body: r.body,
  createdAt: r.created_at.toISOString(),
  createdBy: r.created_by,
  comment: r.comment,
});

/** Notification templates per store and key, every save a version (validated by the caller). */
export function templateRepository(db: Db) {
  const COLUMNS = 'key, version, subject, body, created_at, created_by, comment';
  return {
    async current(store: string, key: string): Promise<TemplateVersion | null> {
      const res = await db.query(
        `SELECT ${COLUMNS} FROM notification_templates WHERE store = $1 AND key = $2 ORDER BY version DESC LIMIT 1`,
        [store, key],
      );
      return res.rows[0] ? toVersion(res.rows[0]) : null;
    },

    /** The newest version of each key the store has saved. */
    async currentAll(store: string): Promise<Map<string, TemplateVersion>> {
      const res = await db.query(
        `SELECT DISTINCT ON (key) ${COLUMNS} FROM notification_templates WHERE store = $1 ORDER BY key, version DESC`,
        [store],
      );
      return new Map(res.rows.map((r) => [r.key as string, toVersion(r)]));
    },

    /** Every version, newest first: who changed what, when and why. */
    async history(store: string, key: string, limit = 50): Promise<TemplateVersion[]> {
      const res = await db.query(
        `SELECT ${COLUMNS} FROM notification_templates WHERE store = $1 AND key = $2 ORDER BY version DESC LIMIT $3`,
        [store, key, limit],
      );
      return res.rows.map(toVersion);
    },

    async save(
      store: string,
      key: string,
      t: TemplateText,
      by: string,
      comment?: string,
    ): Promise<TemplateVersion> {
      return withTransaction(db, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
          `notification_templates:${store}:${key}`,
        ]);
        const res = await client.query(
          `INSERT INTO notification_templates (store, key, version, subject, body, created_by, comment)
           SELECT $1, $2, COALESCE(MAX(version), 0) + 1, $3, $4, $5, $6
             FROM notification_templates WHERE store = $1 AND key = $2
           RETURNING ${COLUMNS}`,
          [store, key, t.subject, t.body, by, comment ?? null],
        );
        return toVersion(res.rows[0]);
      });
    },

    /** What a message may quote of an order: by its storefront id, or by the order process's workflow id. */
    async orderFacts(
      q: { store: string; orderId: string } | { workflowId: string },
    ): Promise<OrderFacts | null> {
      const res = await db.query(
        `SELECT order_id, order_number, po_number, total, currency, customer_id FROM orders
          WHERE ${'workflowId' in q ? 'workflow_id = $1' : 'store = $1 AND order_id = $2'}`,
        'workflowId' in q ? [q.workflowId] : [q.store, q.orderId],
      );
      const r = res.rows[0];
      return r
        ? {
            orderId: r.order_id,
            orderNumber: r.order_number,
            poNumber: r.po_number,
            orderTotal: r.total,
            currency: r.currency,
            customerId: r.customer_id,
          }
        : null;
    },
  };
}
