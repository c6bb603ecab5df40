-- Up Migration
-- Serial (inventory) numbers: NetSuite's inventoryNumber records, and the inventory assignments that
-- say which numbers an item fulfillment line shipped (its inventory detail).
CREATE TABLE inventory_number (
  id               serial PRIMARY KEY,
  item_id          integer NOT NULL REFERENCES item (id),
  inventory_number text    NOT NULL,
  UNIQUE (item_id, inventory_number)
);
CREATE TABLE inventory_assignment (
  id                  bigserial PRIMARY KEY,
  txn_id              integer NOT NULL REFERENCES txn (id) ON DELETE CASCADE,
  line                integer NOT NULL,
  inventory_number_id integer NOT NULL REFERENCES inventory_number (id),
  quantity            integer NOT NULL DEFAULT 1
);
CREATE INDEX inventory_assignment_txn_idx ON inventory_assignment (txn_id);

-- Down Migration
DROP TABLE inventory_assignment;
DROP TABLE inventory_number;
