-- Up Migration
CREATE TABLE orders (
  store            text        NOT NULL,
  order_id         text        NOT NULL,
  workflow_id      text        NOT NULL UNIQUE,
  order_number     text,
  customer_id      text,
  po_number        text,
  status           text        NOT NULL,
  attention_reason text,
  total            numeric(14, 2),
  currency         text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store, order_id)
);
CREATE INDEX orders_status_idx ON orders (status, updated_at DESC);

-- Down Migration
DROP TABLE orders;
