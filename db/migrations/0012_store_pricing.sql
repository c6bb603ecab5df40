-- Up Migration
-- What Quayside has put into the store's B2B pricing: a catalog and price list per ERP price level and
-- per contract customer, the entries (fixed price and breaks) written to each, and which company
-- locations each catalog is assigned to. Incremental pushes diff against these; a full resync rewrites them.
CREATE TABLE store_price_lists (
  store              text        NOT NULL,
  list_key           text        NOT NULL,
  catalog_id         text        NOT NULL,
  price_list_id      text        NOT NULL,
  adjustment_percent text,
  standalone         boolean     NOT NULL DEFAULT false,
  price_level        text,
  updated_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store, list_key)
);

CREATE TABLE store_price_entries (
  store    text           NOT NULL,
  list_key text           NOT NULL,
  erp_sku  text           NOT NULL,
  price    text           NOT NULL,
  breaks   jsonb          NOT NULL DEFAULT '[]'::jsonb,
  PRIMARY KEY (store, list_key, erp_sku)
);

CREATE TABLE store_catalog_locations (
  store               text NOT NULL,
  list_key            text NOT NULL,
  erp_customer_id     text NOT NULL,
  company_location_id text NOT NULL,
  PRIMARY KEY (store, list_key, erp_customer_id)
);
CREATE INDEX store_catalog_locations_customer_idx ON store_catalog_locations (store, erp_customer_id);

-- The ERP's price levels and their flat percentage, as last read.
CREATE TABLE price_level_cache (
  name         text PRIMARY KEY,
  discount_pct text NOT NULL DEFAULT '0'
);

-- The credit headroom last published to each company location.
CREATE TABLE store_credit_headroom (
  store               text        NOT NULL,
  erp_customer_id     text        NOT NULL,
  company_location_id text        NOT NULL,
  headroom            text,
  currency            text        NOT NULL,
  published_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store, erp_customer_id)
);

-- Down Migration
DROP TABLE store_credit_headroom;
DROP TABLE price_level_cache;
DROP TABLE store_catalog_locations;
DROP TABLE store_price_entries;
DROP TABLE store_price_lists;
