import type { Db } from './pool';

const emailKey = (email: string) => email.trim().toLowerCase();

/** What Quayside knows about storefront customers beyond the customer map. */
export function customerSyncRepository(db: Db) {
  return {
    /** Records that an approval is creating the storefront customer with this email for this ERP customer. */
    async expectStorefrontCustomer(input: {
      store: string;
      email: string;
      erpCustomerId: string;
      workflowId: string;
    }): Promise<void> {
      await db.query(
        `INSERT INTO storefront_customer_expected (store, email_key, erp_customer_id, workflow_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (store, email_key) DO UPDATE SET erp_customer_id = EXCLUDED.erp_customer_id, workflow_id = EXCLUDED.workflow_id`,
        [input.store, emailKey(input.email), input.erpCustomerId, input.workflowId],
      );
    },

    async expectedStorefrontCustomer(
      store: string,
      email: string,
    ): Promise<{ erpCustomerId: string; workflowId: string } | null> {
      const res = await db.query<{ erp_customer_id: string; workflow_id: string }>(
        'SELECT erp_customer_id, workflow_id FROM storefront_customer_expected WHERE store = $1 AND email_key = $2',
        [store, emailKey(email)],
      );
      const row = res.rows[0];
      return row ? { erpCustomerId: row.erp_customer_id, workflowId: row.workflow_id } : null;
    },

    /**
     * Claims the right to apply a change made at `updatedAt`: false when a newer change was already
     * applied. The same change may be claimed again (a retried activity applies it again, harmlessly).
     */
    async claimChange(store: string, customerId: string, updatedAt: string): Promise<boolean> {
      const res = await db.query(
        `INSERT INTO customer_sync_watermark (store, customer_id, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (store, customer_id) DO UPDATE SET updated_at = EXCLUDED.updated_at
         WHERE customer_sync_watermark.updated_at <= EXCLUDED.updated_at
         RETURNING 1`,
        [store, customerId, updatedAt],
      );
      return (res.rowCount ?? 0) > 0;
    },
  };
}
