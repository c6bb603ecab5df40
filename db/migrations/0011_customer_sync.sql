-- Up Migration
-- Storefront customers Quayside itself is creating for an approved application, by email: their
-- customers/create webhook belongs to that approval and must not open another one.
CREATE TABLE storefront_customer_expected (
  store           text        NOT NULL,
  email_key       text        NOT NULL,
  erp_customer_id text        NOT NULL,
  workflow_id     text        NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store, email_key)
);

-- The newest storefront change applied to each customer (its updated_at), so a late, stale
-- delivery never overwrites a newer one in the ERP.
CREATE TABLE customer_sync_watermark (
  store       text        NOT NULL,
  customer_id text        NOT NULL,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (store, customer_id)
);

-- Down Migration
DROP TABLE customer_sync_watermark;
DROP TABLE storefront_customer_expected;
