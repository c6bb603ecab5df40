-- Up Migration
-- A customer's contract prices by customer: each customer's catalog in the store pricing sync reads
-- them, which scanned the whole price cache (every level row of every item) once per customer.
CREATE INDEX price_cache_customer_idx ON price_cache (customer_erp_id, erp_sku) WHERE customer_erp_id <> '';

-- Down Migration
DROP INDEX price_cache_customer_idx;
