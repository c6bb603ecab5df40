-- Up Migration
-- A sales order's money as NetSuite keeps it: subtotal, one order discount (discount item and
-- rate), shipping method and cost, tax amounts, and the total computed from them. Customer
-- deposits record payments received against a sales order.
ALTER TABLE txn
  ADD COLUMN subtotal       numeric(14, 2),
  ADD COLUMN discount_item  text,
  ADD COLUMN discount_rate  text,
  ADD COLUMN discount_total numeric(14, 2) NOT NULL DEFAULT 0,
  ADD COLUMN ship_method    text,
  ADD COLUMN shipping_cost  numeric(14, 2) NOT NULL DEFAULT 0,
  ADD COLUMN tax_total      numeric(14, 2) NOT NULL DEFAULT 0,
  ADD COLUMN tax_details    jsonb;
