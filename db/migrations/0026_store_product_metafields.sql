-- Up Migration
-- The catalog's metafields as last written on each product and its variants (owner → key → type:value),
-- so a write sets only the ones that changed and removes only the catalog's own keys an item lost;
-- null for a product written before this was kept (its next write sets them all again).
ALTER TABLE store_products ADD COLUMN metafields jsonb;

-- Down Migration
ALTER TABLE store_products DROP COLUMN metafields;
