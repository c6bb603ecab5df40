-- Up Migration
-- Items whose store quantity must be set again although the ERP's stock of them did not change. The
-- store sells from ERP available − safety stock − Quayside's open reservations not yet on an ERP sales
-- order (domain/inventory.ts). A reservation leaves that last term when its order's ERP sales order is
-- recorded, or when it is released (cancelled) or moved (its line changed) before that. The inventory
-- sync may have pushed a figure that still subtracted it, e.g. it read the ERP's stock after the sales
-- order committed the units but before the order recorded its ERP id: the order was subtracted twice,
-- and no ERP change would come to correct it. Triggers mark the items in the changing transaction
-- itself, one row per store with an inventory sync (an `inventory:<store>` cursor) and ERP SKU; each
-- store's sync sets them again from the ERP's current stock every round and removes the rows it did
-- (a row marked again meanwhile has a new `mark`, and stays for the next round).
CREATE SEQUENCE stock_repush_mark;
CREATE TABLE stock_repush (
  store     text        NOT NULL,
  erp_sku   text        NOT NULL,
  mark      bigint      NOT NULL DEFAULT nextval('stock_repush_mark'),
  marked_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store, erp_sku)
);

CREATE FUNCTION quayside_mark_repush(skus text[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO stock_repush (store, erp_sku)
  SELECT DISTINCT substring(c.name FROM length('inventory:') + 1), s
    FROM sync_cursors c CROSS JOIN unnest(skus) AS s
   WHERE c.name LIKE 'inventory:%' AND position(':' IN substring(c.name FROM length('inventory:') + 1)) = 0
  ON CONFLICT (store, erp_sku) DO UPDATE SET mark = nextval('stock_repush_mark'), marked_at = now()
$$;

-- The order's ERP sales order is recorded (or forgotten): its open reservations leave (or enter) the set.
CREATE FUNCTION quayside_order_erp_id_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM quayside_mark_repush(ARRAY(
    SELECT DISTINCT sku FROM stock_reservations WHERE workflow_id = NEW.workflow_id AND released_at IS NULL));
  RETURN NULL;
END $$;
CREATE TRIGGER orders_erp_id_repush_ins AFTER INSERT ON orders
  FOR EACH ROW WHEN (NEW.erp_order_id IS NOT NULL) EXECUTE FUNCTION quayside_order_erp_id_changed();
CREATE TRIGGER orders_erp_id_repush_upd AFTER UPDATE OF erp_order_id ON orders
  FOR EACH ROW WHEN (OLD.erp_order_id IS DISTINCT FROM NEW.erp_order_id) EXECUTE FUNCTION quayside_order_erp_id_changed();

-- An open reservation of an order not yet in the ERP is released, moved, resized or removed.
CREATE FUNCTION quayside_reservation_left() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM orders WHERE workflow_id = OLD.workflow_id AND erp_order_id IS NOT NULL) THEN
    PERFORM quayside_mark_repush(ARRAY[OLD.sku]);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER stock_reservations_repush_upd AFTER UPDATE ON stock_reservations
  FOR EACH ROW WHEN (OLD.released_at IS NULL AND (NEW.released_at IS NOT NULL
    OR (NEW.sku, NEW.location, NEW.quantity) IS DISTINCT FROM (OLD.sku, OLD.location, OLD.quantity)))
  EXECUTE FUNCTION quayside_reservation_left();
CREATE TRIGGER stock_reservations_repush_del AFTER DELETE ON stock_reservations
  FOR EACH ROW WHEN (OLD.released_at IS NULL) EXECUTE FUNCTION quayside_reservation_left();

-- Down Migration
DROP TRIGGER stock_reservations_repush_del ON stock_reservations;
DROP TRIGGER stock_reservations_repush_upd ON stock_reservations;
DROP FUNCTION quayside_reservation_left();
DROP TRIGGER orders_erp_id_repush_upd ON orders;
DROP TRIGGER orders_erp_id_repush_ins ON orders;
DROP FUNCTION quayside_order_erp_id_changed();
DROP FUNCTION quayside_mark_repush(text[]);
DROP TABLE stock_repush;
DROP SEQUENCE stock_repush_mark;
