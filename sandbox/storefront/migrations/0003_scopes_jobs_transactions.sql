-- Up Migration
-- Access tokens with the scopes they were granted (the development token's scopes come from the
-- sandbox's options; these are the extra tokens tests and scripts create with fewer scopes).
CREATE TABLE access_tokens (
  token      text        PRIMARY KEY,
  scopes     text[]      NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Asynchronous jobs (orderCancel answers with one; `job(id)` reports when it is done).
CREATE TABLE jobs (
  id         bigint      PRIMARY KEY DEFAULT nextval('object_id'),
  kind       text        NOT NULL,
  payload    jsonb       NOT NULL,
  run_at     timestamptz NOT NULL,
  done       boolean     NOT NULL DEFAULT false,
  result     jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_pending_idx ON jobs (run_at) WHERE NOT done;

-- An order's payment transactions: a refund names the SALE or CAPTURE it refunds (its parent).
CREATE TABLE order_transactions (
  id         bigint      PRIMARY KEY DEFAULT nextval('object_id'),
  order_id   bigint      NOT NULL REFERENCES orders (id),
  parent_id  bigint      REFERENCES order_transactions (id),
  refund_id  bigint      REFERENCES refunds (id),
  kind       text        NOT NULL CHECK (kind IN ('AUTHORIZATION', 'CAPTURE', 'SALE', 'VOID', 'REFUND')),
  status     text        NOT NULL DEFAULT 'SUCCESS',
  gateway    text        NOT NULL,
  amount     numeric     NOT NULL CHECK (amount >= 0),
  currency   text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_transactions_order_idx ON order_transactions (order_id, id);

-- Down Migration
DROP TABLE order_transactions;
DROP TABLE jobs;
DROP TABLE access_tokens;
