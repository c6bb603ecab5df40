-- Up Migration
-- Quayside's read caches of the ERP's catalog, prices and customer credit, refreshed by the sync
-- workflows; checkout quotes are answered from here and never call the ERP live.
CREATE TABLE item_cache (
  erp_sku      text        PRIMARY KEY,
  erp_id       text        NOT NULL,
  name         text        NOT NULL,
  kind         text        NOT NULL,
  parent_sku   text,
  hazmat       boolean     NOT NULL DEFAULT false,
  serialized   boolean     NOT NULL DEFAULT false,
  base_price   numeric(14, 4) NOT NULL,
  inactive     boolean     NOT NULL DEFAULT false,
  erp_modified timestamptz NOT NULL
);

CREATE TABLE price_cache (
  erp_sku         text           NOT NULL,
  price_level     text           NOT NULL DEFAULT '',
  customer_erp_id text           NOT NULL DEFAULT '',
  min_quantity    integer        NOT NULL,
  unit_price      numeric(14, 4) NOT NULL,
  erp_modified    timestamptz    NOT NULL,
  PRIMARY KEY (erp_sku, price_level, customer_erp_id, min_quantity)
);

CREATE TABLE customer_cache (
  erp_customer_id text        PRIMARY KEY,
  company_name    text        NOT NULL,
  credit_limit    numeric(14, 2),
  balance         numeric(14, 2) NOT NULL,
  terms           text,
  price_level     text,
  tax_exempt      boolean     NOT NULL DEFAULT false,
  parent_erp_id   text,
  refreshed_at    timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE customer_cache;
DROP TABLE price_cache;
DROP TABLE item_cache;
