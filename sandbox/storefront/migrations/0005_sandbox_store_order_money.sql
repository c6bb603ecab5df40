-- Up Migration
-- An order's whole money as Shopify keeps it: the discount codes applied (each allocated over the
-- lines), the shipping lines chosen at checkout, and the tax charged on each line at the ship-to rate.
ALTER TABLE orders
  ADD COLUMN discount_codes jsonb      NOT NULL DEFAULT '[]',
  ADD COLUMN shipping_lines jsonb      NOT NULL DEFAULT '[]',
  ADD COLUMN tax_exempt     boolean    NOT NULL DEFAULT false,
  ADD COLUMN tax_title      text,
  ADD COLUMN tax_rate       numeric(8, 6);
ALTER TABLE order_lines
  ADD COLUMN discount numeric(12, 2) NOT NULL DEFAULT 0,
  ADD COLUMN tax      numeric(12, 2) NOT NULL DEFAULT 0;

-- Down Migration
ALTER TABLE order_lines DROP COLUMN tax, DROP COLUMN discount;
ALTER TABLE orders DROP COLUMN tax_rate, DROP COLUMN tax_title, DROP COLUMN tax_exempt,
  DROP COLUMN shipping_lines, DROP COLUMN discount_codes;
