-- Up Migration
-- Identity translation between the storefront and the ERP is data, not code.
CREATE TABLE sku_map (
  store      text        NOT NULL,
  store_sku  text        NOT NULL,
  erp_sku    text        NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text        NOT NULL DEFAULT 'system',
  PRIMARY KEY (store, store_sku)
);
CREATE INDEX sku_map_erp_idx ON sku_map (store, erp_sku);

CREATE TABLE customer_map (
  store             text        NOT NULL,
  store_customer_id text        NOT NULL,
  erp_customer_id   text        NOT NULL,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  updated_by        text        NOT NULL DEFAULT 'system',
  PRIMARY KEY (store, store_customer_id)
);
CREATE INDEX customer_map_erp_idx ON customer_map (store, erp_customer_id);

CREATE TABLE location_map (
  store          text        NOT NULL,
  store_location text        NOT NULL,
  erp_location   text        NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store, store_location)
);
CREATE INDEX location_map_erp_idx ON location_map (store, erp_location);

-- Alerts for operators: parked processes, dead-lettered webhooks, escalations.
CREATE TABLE alerts (
  id          bigserial   PRIMARY KEY,
  dedupe_key  text        UNIQUE,
  severity    text        NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  kind        text        NOT NULL,
  subject     text        NOT NULL,
  message     text        NOT NULL,
  workflow_id text,
  details     jsonb       NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz
);
CREATE INDEX alerts_open_idx ON alerts (created_at DESC) WHERE resolved_at IS NULL;

-- Down Migration
DROP TABLE alerts;
DROP TABLE location_map;
DROP TABLE customer_map;
DROP TABLE sku_map;
