-- Up Migration
-- Payments received against a sales order reach its invoices as NetSuite does: a customer deposit
-- linked to the order is applied to each invoice billed from it (a deposit application, DepAppl,
-- `applied_to` the invoice, `created_from` the deposit) until it is used up, so only what the
-- deposits do not cover is owed and raises the customer's open balance. amount_remaining is an
-- invoice's amount still due and a deposit's amount not yet applied (NULL on rows from before:
-- their total).
ALTER TABLE txn
  ADD COLUMN amount_remaining numeric(14, 2),
  ADD COLUMN applied_to       integer REFERENCES txn (id);

-- Down Migration
ALTER TABLE txn DROP COLUMN amount_remaining, DROP COLUMN applied_to;
