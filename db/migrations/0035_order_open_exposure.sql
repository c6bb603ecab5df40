-- Up Migration
-- Each order's part of its customer's credit exposure (domain/credit-exposure.ts, openOrderExposure),
-- in integer minor units of its currency, computed from the very values the row holds when Quayside
-- writes it (db/orders.ts): the credit check and the headroom publication sum it in SQL instead of
-- reading every open order's lines and computing each again. It counts only while the row's last
-- write wrote it, that is while open_minor_at = updated_at (both are that write's now()); a row
-- written before this column, or by a build that does not know it (its writes move updated_at and
-- leave these two), is counted from its lines as before.
ALTER TABLE orders ADD COLUMN open_minor bigint, ADD COLUMN open_minor_at timestamptz;

-- Down Migration
ALTER TABLE orders DROP COLUMN open_minor_at, DROP COLUMN open_minor;
