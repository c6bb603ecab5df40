-- Up Migration
-- The backordered items of each store as their variants' metafields last said: when each is expected
-- and from what (a purchase order's expected receipt date, or the item's lead time), so a change is
-- written once and an item back in stock has its backorder metafields removed.
CREATE TABLE store_backorders (
  store         text        NOT NULL,
  erp_sku       text        NOT NULL,
  store_sku     text        NOT NULL,
  expected_date date,
  source        text CHECK (source IN ('purchase_order', 'lead_time')),
  since         timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store, erp_sku)
);

-- Down Migration
DROP TABLE store_backorders;
