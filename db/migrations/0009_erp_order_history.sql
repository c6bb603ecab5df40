-- Up Migration
-- Which ERP customers already have a sales order in the ERP (entered there or through Quayside): the
-- first-order rule reads it, the ERP is asked only while the answer is still "none yet". A customer
-- who has ordered always has, so a positive answer never goes stale.
CREATE TABLE erp_customer_order_history (
  erp_customer_id text        PRIMARY KEY,
  first_seen_at   timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE erp_customer_order_history;
