-- Up Migration
-- The store's financial status of each order (pending, authorized, paid …): an order paid at
-- checkout is no credit exposure (domain/credit-exposure.ts, onAccount). Orders recorded before
-- this migration have none, and count as on account until their next event records it.
ALTER TABLE orders ADD COLUMN financial_status text;

-- Down Migration
ALTER TABLE orders DROP COLUMN financial_status;
