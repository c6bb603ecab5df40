-- Up Migration
-- Shopify's mandatory privacy requests (customers/data_request, customers/redact, shop/redact) and
-- what Quayside did about each: the export an operator hands to the merchant, what was erased or
-- anonymised, and what was kept with the legal reason.
CREATE TABLE privacy_requests (
  id               bigserial   PRIMARY KEY,
  webhook_id       text        NOT NULL UNIQUE,
  topic            text        NOT NULL CHECK (topic IN ('customers/data_request', 'customers/redact', 'shop/redact')),
  store            text        NOT NULL,
  shop_domain      text        NOT NULL,
  customer_id      text,
  data_request_id  text,
  order_ids        text[]      NOT NULL DEFAULT '{}',
  export           jsonb,
  erased           jsonb,
  kept             jsonb,
  received_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX privacy_requests_store_idx ON privacy_requests (store, received_at DESC);

-- Down Migration
DROP TABLE privacy_requests;
