-- Up Migration
-- Several stores on one Quayside. The ERP's stock (inventory_cache) is the ERP's, one row per item and
-- location for every store; what was last pushed to a store (the compare value of its next push) is
-- that store's own: with one pushed quantity for all, the second store's push compared against the
-- first store's quantity and skipped or failed.
CREATE TABLE store_inventory_pushed (
  store           text        NOT NULL,
  erp_sku         text        NOT NULL,
  location        text        NOT NULL,
  pushed_quantity integer     NOT NULL,
  pushed_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store, erp_sku, location)
);
-- What was pushed before belongs to the store whose inventory sync pushed it: the one store with an
-- `inventory:<store>` cursor (each store's sync keeps one).
INSERT INTO store_inventory_pushed (store, erp_sku, location, pushed_quantity, pushed_at)
SELECT substring(c.name FROM length('inventory:') + 1), i.erp_sku, i.location, i.pushed_quantity, COALESCE(i.pushed_at, now())
  FROM inventory_cache i
  CROSS JOIN sync_cursors c
 WHERE c.name LIKE 'inventory:%' AND position(':' IN substring(c.name FROM length('inventory:') + 1)) = 0
   AND i.pushed_quantity IS NOT NULL;
COMMENT ON COLUMN inventory_cache.pushed_quantity IS 'Superseded by store_inventory_pushed (0031); no longer written.';

-- The store's HTTP calls per store: one store's errors are not another's on the dashboard. ERP calls
-- (one account for every store) and the rows from before keep the store ''.
ALTER TABLE connector_calls ADD COLUMN store text NOT NULL DEFAULT '';
ALTER TABLE connector_calls DROP CONSTRAINT connector_calls_pkey;
ALTER TABLE connector_calls ADD PRIMARY KEY (system, store, minute);

-- Down Migration
CREATE TEMP TABLE connector_calls_summed ON COMMIT DROP AS
  SELECT system, minute, sum(calls)::int AS calls, sum(errors)::int AS errors FROM connector_calls GROUP BY 1, 2;
DELETE FROM connector_calls;
ALTER TABLE connector_calls DROP CONSTRAINT connector_calls_pkey;
ALTER TABLE connector_calls DROP COLUMN store;
ALTER TABLE connector_calls ADD PRIMARY KEY (system, minute);
INSERT INTO connector_calls SELECT system, minute, calls, errors FROM connector_calls_summed;
COMMENT ON COLUMN inventory_cache.pushed_quantity IS NULL;
DROP TABLE store_inventory_pushed;
