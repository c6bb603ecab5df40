-- Up Migration
-- Every change to the identity mappings (SKU, customer, location, shipping method), whoever made it:
-- the API, the dashboard, an order's fix, the sandbox seeding. Written by statement triggers, so a
-- bulk fill costs one set-based insert. Who: the `quayside.actor` setting of the transaction when
-- set (the dashboard sets it for deletes), else the row's `updated_by`.
ALTER TABLE location_map ADD COLUMN updated_by text NOT NULL DEFAULT 'system';

CREATE TABLE mapping_history (
  id         bigserial   PRIMARY KEY,
  store      text        NOT NULL,
  mapping    text        NOT NULL CHECK (mapping IN ('sku', 'customer', 'location', 'shipping')),
  store_key  text        NOT NULL,
  -- NULL old_value: added; NULL new_value: deleted.
  old_value  text,
  new_value  text,
  changed_by text        NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mapping_history_key_idx ON mapping_history (store, mapping, store_key, id DESC);
CREATE INDEX mapping_history_recent_idx ON mapping_history (store, mapping, id DESC);

CREATE FUNCTION quayside_mapping_history() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  kind    text := TG_ARGV[0];
  key_col text := TG_ARGV[1];
  val_col text := TG_ARGV[2];
  actor   text := NULLIF(current_setting('quayside.actor', true), '');
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE format(
      'INSERT INTO mapping_history (store, mapping, store_key, old_value, new_value, changed_by)
       SELECT n.store, %L, n.%I, NULL, n.%I, COALESCE($1, n.updated_by) FROM new_rows n',
      kind, key_col, val_col) USING actor;
  ELSIF TG_OP = 'UPDATE' THEN
    EXECUTE format(
      'INSERT INTO mapping_history (store, mapping, store_key, old_value, new_value, changed_by)
       SELECT n.store, %L, n.%I, o.%I, n.%I, COALESCE($1, n.updated_by)
         FROM new_rows n JOIN old_rows o ON o.store = n.store AND o.%I = n.%I
        WHERE o.%I IS DISTINCT FROM n.%I',
      kind, key_col, val_col, val_col, key_col, key_col, val_col, val_col) USING actor;
  ELSE
    EXECUTE format(
      'INSERT INTO mapping_history (store, mapping, store_key, old_value, new_value, changed_by)
       SELECT o.store, %L, o.%I, o.%I, NULL, COALESCE($1, ''system'') FROM old_rows o',
      kind, key_col, val_col) USING actor;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER sku_map_history_ins AFTER INSERT ON sku_map REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_mapping_history('sku', 'store_sku', 'erp_sku');
CREATE TRIGGER sku_map_history_upd AFTER UPDATE ON sku_map REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_mapping_history('sku', 'store_sku', 'erp_sku');
CREATE TRIGGER sku_map_history_del AFTER DELETE ON sku_map REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_mapping_history('sku', 'store_sku', 'erp_sku');

CREATE TRIGGER customer_map_history_ins AFTER INSERT ON customer_map REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_mapping_history('customer', 'store_customer_id', 'erp_customer_id');
CREATE TRIGGER customer_map_history_upd AFTER UPDATE ON customer_map REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_mapping_history('customer', 'store_customer_id', 'erp_customer_id');
CREATE TRIGGER customer_map_history_del AFTER DELETE ON customer_map REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_mapping_history('customer', 'store_customer_id', 'erp_customer_id');

CREATE TRIGGER location_map_history_ins AFTER INSERT ON location_map REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_mapping_history('location', 'store_location', 'erp_location');
CREATE TRIGGER location_map_history_upd AFTER UPDATE ON location_map REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_mapping_history('location', 'store_location', 'erp_location');
CREATE TRIGGER location_map_history_del AFTER DELETE ON location_map REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_mapping_history('location', 'store_location', 'erp_location');

CREATE TRIGGER shipping_method_map_history_ins AFTER INSERT ON shipping_method_map REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_mapping_history('shipping', 'store_code', 'erp_ship_method');
CREATE TRIGGER shipping_method_map_history_upd AFTER UPDATE ON shipping_method_map REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_mapping_history('shipping', 'store_code', 'erp_ship_method');
CREATE TRIGGER shipping_method_map_history_del AFTER DELETE ON shipping_method_map REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_mapping_history('shipping', 'store_code', 'erp_ship_method');

-- Down Migration
DROP TRIGGER shipping_method_map_history_del ON shipping_method_map;
DROP TRIGGER shipping_method_map_history_upd ON shipping_method_map;
DROP TRIGGER shipping_method_map_history_ins ON shipping_method_map;
DROP TRIGGER location_map_history_del ON location_map;
DROP TRIGGER location_map_history_upd ON location_map;
DROP TRIGGER location_map_history_ins ON location_map;
DROP TRIGGER customer_map_history_del ON customer_map;
DROP TRIGGER customer_map_history_upd ON customer_map;
DROP TRIGGER customer_map_history_ins ON customer_map;
DROP TRIGGER sku_map_history_del ON sku_map;
DROP TRIGGER sku_map_history_upd ON sku_map;
DROP TRIGGER sku_map_history_ins ON sku_map;
DROP FUNCTION quayside_mapping_history();
DROP TABLE mapping_history;
ALTER TABLE location_map DROP COLUMN updated_by;
