-- Up Migration
-- What the credit exposure needs to count an order's open part exactly (domain/credit-exposure.ts,
-- exactOpenValue): the sum of the totals of the order's ERP invoices so far (invoiced_minor) and the
-- order's shipping cost (shipping_minor), both in integer minor units of the order's currency. The
-- ERP bills the whole shipping on the first invoice, so a share of the store total in proportion to
-- the goods not yet invoiced is not what is still open. Orders recorded before have neither (NULL)
-- until their next event records them, and count pro rata until then.
ALTER TABLE orders ADD COLUMN invoiced_minor bigint, ADD COLUMN shipping_minor bigint;

-- Down Migration
ALTER TABLE orders DROP COLUMN invoiced_minor, DROP COLUMN shipping_minor;
