-- Up Migration
-- Business rules for the order process: every edit is a new version with who, when and why.
CREATE TABLE business_rules (
  name       text        NOT NULL,
  version    integer     NOT NULL,
  rules      jsonb       NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text        NOT NULL,
  comment    text,
  PRIMARY KEY (name, version)
);

-- Where each change poller and sync has got to (ERP fulfillments, invoices, stock, items, prices).
CREATE TABLE sync_cursors (
  name       text        PRIMARY KEY,
  cursor     text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Quayside's reservations: stock promised to an order line until it ships or is cancelled.
CREATE TABLE stock_reservations (
  workflow_id text        NOT NULL,
  line_key    text        NOT NULL,
  sku         text        NOT NULL,
  location    text        NOT NULL,
  quantity    integer     NOT NULL CHECK (quantity >= 0),
  created_at  timestamptz NOT NULL DEFAULT now(),
  released_at timestamptz,
  PRIMARY KEY (workflow_id, line_key)
);
CREATE INDEX stock_reservations_open_idx ON stock_reservations (sku, location) WHERE released_at IS NULL;

-- The order read model carries the line ledger and where the process stands.
ALTER TABLE orders
  ADD COLUMN step          text,
  ADD COLUMN lines         jsonb NOT NULL DEFAULT '[]'::jsonb,
  ADD COLUMN attention_kind text,
  ADD COLUMN erp_order_id  text,
  ADD COLUMN erp_tran_id   text,
  ADD COLUMN rules_version integer;
CREATE INDEX orders_attention_idx ON orders (updated_at DESC) WHERE attention_reason IS NOT NULL;
CREATE INDEX orders_customer_idx ON orders (store, customer_id);

-- Down Migration
DROP INDEX orders_customer_idx;
DROP INDEX orders_attention_idx;
ALTER TABLE orders
  DROP COLUMN rules_version,
  DROP COLUMN erp_tran_id,
  DROP COLUMN erp_order_id,
  DROP COLUMN attention_kind,
  DROP COLUMN lines,
  DROP COLUMN step;
DROP TABLE stock_reservations;
DROP TABLE sync_cursors;
DROP TABLE business_rules;
