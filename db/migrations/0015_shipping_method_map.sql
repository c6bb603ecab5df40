-- Up Migration
-- The store's shipping rate codes ↔ the ERP's shipping methods (ship items), like the SKU map.
CREATE TABLE shipping_method_map (
  store          text        NOT NULL,
  store_code     text        NOT NULL,
  erp_ship_method text       NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  updated_by     text        NOT NULL DEFAULT 'system',
  PRIMARY KEY (store, store_code)
);
