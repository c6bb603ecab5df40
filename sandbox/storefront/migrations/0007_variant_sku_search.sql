-- Up Migration
-- Shopify's `sku:` search is case-insensitive and indexed: the sandbox compares lower(sku), so it
-- needs that index too. Without it a 250-SKU lookup (`sku:A OR sku:B …`, as the pricing and
-- inventory syncs send) scans every variant once per page: about 20 s on 100k variants.
CREATE INDEX variants_sku_lower_idx ON variants (lower(sku));

-- Down Migration
DROP INDEX variants_sku_lower_idx;
