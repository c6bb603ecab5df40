-- Up Migration
-- What changed in the caches a checkout quote reads (SKU and customer mappings, items, prices, stock,
-- customer credit and price level), one row per changed key, written by triggers in the writing
-- transaction itself. The API keeps those caches in memory (db/quote-cache.ts) and, before it answers
-- a quote, asks for the rows committed since the snapshot its memory reflects (the writing
-- transaction's id is not visible in that snapshot): whatever a sync committed before the quote was
-- asked is in the answer. Rows are removed once no API process can still need them.
CREATE TABLE quote_cache_changes (
  xid        xid8        NOT NULL DEFAULT pg_current_xact_id(),
  kind       text        NOT NULL,
  store      text        NOT NULL DEFAULT '',
  key        text        NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX quote_cache_changes_xid_idx ON quote_cache_changes (xid);

-- Statement-level (one INSERT per statement, however many rows), keys from the transition tables.
-- TG_ARGV: the change kind, the key column, the store column ('' when the table has none) and, for
-- UPDATE, the columns a quote reads (an update that changes none of them is no change to a quote).
CREATE FUNCTION quayside_quote_cache_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  kind text := TG_ARGV[0];
  key_col text := TG_ARGV[1];
  store_expr text := CASE WHEN TG_ARGV[2] = '' THEN quote_literal('') ELSE quote_ident(TG_ARGV[2]) END;
  cols text := (SELECT string_agg(quote_ident(c), ', ') FROM unnest(string_to_array(TG_ARGV[3], ',')) c);
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE format('INSERT INTO quote_cache_changes (kind, store, key) SELECT DISTINCT %L, %s, %I FROM new_rows',
      kind, store_expr, key_col);
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE format('INSERT INTO quote_cache_changes (kind, store, key) SELECT DISTINCT %L, %s, %I FROM old_rows',
      kind, store_expr, key_col);
  ELSE
    -- A key changed when what a quote reads of its rows differs between before and after.
    EXECUTE format(
      'INSERT INTO quote_cache_changes (kind, store, key)
       SELECT DISTINCT %1$L, s, k FROM (
         (SELECT %2$s AS s, %3$I AS k, %4$s FROM new_rows EXCEPT SELECT %2$s, %3$I, %4$s FROM old_rows)
         UNION ALL
         (SELECT %2$s AS s, %3$I AS k, %4$s FROM old_rows EXCEPT SELECT %2$s, %3$I, %4$s FROM new_rows)
       ) d',
      kind, store_expr, key_col, cols);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER sku_map_quote_ins AFTER INSERT ON sku_map REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_quote_cache_changed('sku_map', 'store_sku', 'store', 'erp_sku');
CREATE TRIGGER sku_map_quote_upd AFTER UPDATE ON sku_map REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_quote_cache_changed('sku_map', 'store_sku', 'store', 'erp_sku');
CREATE TRIGGER sku_map_quote_del AFTER DELETE ON sku_map REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_quote_cache_changed('sku_map', 'store_sku', 'store', 'erp_sku');

CREATE TRIGGER customer_map_quote_ins AFTER INSERT ON customer_map REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_quote_cache_changed('customer_map', 'store_customer_id', 'store', 'erp_customer_id');
CREATE TRIGGER customer_map_quote_upd AFTER UPDATE ON customer_map REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_quote_cache_changed('customer_map', 'store_customer_id', 'store', 'erp_customer_id');
CREATE TRIGGER customer_map_quote_del AFTER DELETE ON customer_map REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_quote_cache_changed('customer_map', 'store_customer_id', 'store', 'erp_customer_id');

CREATE TRIGGER item_cache_quote_ins AFTER INSERT ON item_cache REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_quote_cache_changed('sku', 'erp_sku', '', 'name,base_price,inactive,hazmat');
CREATE TRIGGER item_cache_quote_upd AFTER UPDATE ON item_cache REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_quote_cache_changed('sku', 'erp_sku', '', 'name,base_price,inactive,hazmat');
CREATE TRIGGER item_cache_quote_del AFTER DELETE ON item_cache REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_quote_cache_changed('sku', 'erp_sku', '', 'name,base_price,inactive,hazmat');

CREATE TRIGGER price_cache_quote_ins AFTER INSERT ON price_cache REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_quote_cache_changed('sku', 'erp_sku', '', 'price_level,customer_erp_id,min_quantity,unit_price');
CREATE TRIGGER price_cache_quote_upd AFTER UPDATE ON price_cache REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_quote_cache_changed('sku', 'erp_sku', '', 'price_level,customer_erp_id,min_quantity,unit_price');
CREATE TRIGGER price_cache_quote_del AFTER DELETE ON price_cache REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_quote_cache_changed('sku', 'erp_sku', '', 'price_level,customer_erp_id,min_quantity,unit_price');

CREATE TRIGGER inventory_cache_quote_ins AFTER INSERT ON inventory_cache REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_quote_cache_changed('sku', 'erp_sku', '', 'location,available');
CREATE TRIGGER inventory_cache_quote_upd AFTER UPDATE ON inventory_cache REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_quote_cache_changed('sku', 'erp_sku', '', 'location,available');
CREATE TRIGGER inventory_cache_quote_del AFTER DELETE ON inventory_cache REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_quote_cache_changed('sku', 'erp_sku', '', 'location,available');

CREATE TRIGGER customer_cache_quote_ins AFTER INSERT ON customer_cache REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_quote_cache_changed('customer', 'erp_customer_id', '', 'credit_limit,balance,terms,price_level,refreshed_at');
CREATE TRIGGER customer_cache_quote_upd AFTER UPDATE ON customer_cache REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_quote_cache_changed('customer', 'erp_customer_id', '', 'credit_limit,balance,terms,price_level,refreshed_at');
CREATE TRIGGER customer_cache_quote_del AFTER DELETE ON customer_cache REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_quote_cache_changed('customer', 'erp_customer_id', '', 'credit_limit,balance,terms,price_level,refreshed_at');

-- Down Migration
DROP TRIGGER customer_cache_quote_del ON customer_cache;
DROP TRIGGER customer_cache_quote_upd ON customer_cache;
DROP TRIGGER customer_cache_quote_ins ON customer_cache;
DROP TRIGGER inventory_cache_quote_del ON inventory_cache;
DROP TRIGGER inventory_cache_quote_upd ON inventory_cache;
DROP TRIGGER inventory_cache_quote_ins ON inventory_cache;
DROP TRIGGER price_cache_quote_del ON price_cache;
DROP TRIGGER price_cache_quote_upd ON price_cache;
DROP TRIGGER price_cache_quote_ins ON price_cache;
DROP TRIGGER item_cache_quote_del ON item_cache;
DROP TRIGGER item_cache_quote_upd ON item_cache;
DROP TRIGGER item_cache_quote_ins ON item_cache;
DROP TRIGGER customer_map_quote_del ON customer_map;
DROP TRIGGER customer_map_quote_upd ON customer_map;
DROP TRIGGER customer_map_quote_ins ON customer_map;
DROP TRIGGER sku_map_quote_del ON sku_map;
DROP TRIGGER sku_map_quote_upd ON sku_map;
DROP TRIGGER sku_map_quote_ins ON sku_map;
DROP FUNCTION quayside_quote_cache_changed();
DROP TABLE quote_cache_changes;
