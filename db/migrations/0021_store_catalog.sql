-- Up Migration
-- The products the catalog sync made (or found already there) in each store, one per standalone ERP
-- item or matrix parent: where it is, its variants' ids by SKU, and a digest of what was last written,
-- so an unchanged item is not written again.
CREATE TABLE store_products (
  store      text        NOT NULL,
  erp_sku    text        NOT NULL,
  product_id text        NOT NULL,
  handle     text        NOT NULL,
  variants   jsonb       NOT NULL DEFAULT '[]',
  status     text        NOT NULL,
  input_hash text,
  pushed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store, erp_sku)
);
CREATE UNIQUE INDEX store_products_product_idx ON store_products (store, product_id);

-- The item master facts the inventory rules and kits need, beside the item cache's.
ALTER TABLE item_cache ADD COLUMN category text;
ALTER TABLE item_cache ADD COLUMN matrix_role text;
ALTER TABLE item_cache ADD COLUMN discontinued boolean NOT NULL DEFAULT false;
ALTER TABLE item_cache ADD COLUMN drop_ship boolean NOT NULL DEFAULT false;
ALTER TABLE item_cache ADD COLUMN special_order boolean NOT NULL DEFAULT false;
ALTER TABLE item_cache ADD COLUMN lead_time_days integer;

-- Kits' and item groups' members, with the quantity per kit.
CREATE TABLE kit_member_cache (
  kit_sku    text    NOT NULL,
  member_sku text    NOT NULL,
  quantity   integer NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (kit_sku, member_sku)
);
CREATE INDEX kit_member_cache_member_idx ON kit_member_cache (member_sku);

-- Down Migration
DROP TABLE kit_member_cache;
ALTER TABLE item_cache DROP COLUMN lead_time_days, DROP COLUMN special_order, DROP COLUMN drop_ship,
  DROP COLUMN discontinued, DROP COLUMN matrix_role, DROP COLUMN category;
DROP TABLE store_products;
