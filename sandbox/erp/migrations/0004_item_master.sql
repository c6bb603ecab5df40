-- Up Migration
-- The item master's merchandising and compliance fields, as NetSuite carries them on an item record:
-- descriptions, weight (with its unit), search keywords, drop-ship / special-order flags and the
-- purchase lead time are standard fields; category, dimensions, hazmat details, discontinuation and
-- the matrix options are the account's custom item fields (custitem_quayside_*). Matrix items have a
-- PARENT (the product, not stocked) and CHILD items (its variants) pointing at it through parent_id.
ALTER TABLE item ADD COLUMN sales_description text;
ALTER TABLE item ADD COLUMN store_description text;
ALTER TABLE item ADD COLUMN weight numeric(12, 4);
ALTER TABLE item ADD COLUMN weight_unit text CHECK (weight_unit IN ('lb', 'oz', 'kg', 'g'));
ALTER TABLE item ADD COLUMN length numeric(12, 4);
ALTER TABLE item ADD COLUMN width numeric(12, 4);
ALTER TABLE item ADD COLUMN height numeric(12, 4);
ALTER TABLE item ADD COLUMN dimension_unit text CHECK (dimension_unit IN ('in', 'ft', 'mm', 'cm', 'm'));
ALTER TABLE item ADD COLUMN category text;
ALTER TABLE item ADD COLUMN search_keywords text;
ALTER TABLE item ADD COLUMN hazmat_id text;
ALTER TABLE item ADD COLUMN hazmat_class text;
ALTER TABLE item ADD COLUMN discontinued boolean NOT NULL DEFAULT false;
ALTER TABLE item ADD COLUMN matrix_type text CHECK (matrix_type IN ('PARENT', 'CHILD'));
ALTER TABLE item ADD COLUMN option_color text;
ALTER TABLE item ADD COLUMN option_size text;
ALTER TABLE item ADD COLUMN option_finish text;
ALTER TABLE item ADD COLUMN drop_ship boolean NOT NULL DEFAULT false;
ALTER TABLE item ADD COLUMN special_order boolean NOT NULL DEFAULT false;
ALTER TABLE item ADD COLUMN lead_time integer;
CREATE INDEX item_parent_idx ON item (parent_id);

-- Item groups: sold as one line, exploded into their members on the sales order.
ALTER TABLE item DROP CONSTRAINT item_item_type_check;
ALTER TABLE item ADD CONSTRAINT item_item_type_check
  CHECK (item_type IN ('InvtPart', 'Kit', 'Assembly', 'NonInvtPart', 'Group'));

-- A kit's members are part of the kit record: changing them changes the kit.
CREATE FUNCTION touch_kit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE item SET last_modified = date_trunc('milliseconds', clock_timestamp())
   WHERE id = COALESCE(NEW.kit_id, OLD.kit_id);
  RETURN NULL;
END $$;
CREATE TRIGGER kit_member_touch AFTER INSERT OR UPDATE OR DELETE ON kit_member
  FOR EACH ROW EXECUTE FUNCTION touch_kit();

-- Down Migration
DROP TRIGGER kit_member_touch ON kit_member;
DROP FUNCTION touch_kit();
ALTER TABLE item DROP CONSTRAINT item_item_type_check;
ALTER TABLE item ADD CONSTRAINT item_item_type_check
  CHECK (item_type IN ('InvtPart', 'Kit', 'Assembly', 'NonInvtPart'));
DROP INDEX item_parent_idx;
ALTER TABLE item DROP COLUMN lead_time, DROP COLUMN special_order, DROP COLUMN drop_ship,
  DROP COLUMN option_finish, DROP COLUMN option_size, DROP COLUMN option_color, DROP COLUMN matrix_type,
  DROP COLUMN discontinued, DROP COLUMN hazmat_class, DROP COLUMN hazmat_id, DROP COLUMN search_keywords,
  DROP COLUMN category, DROP COLUMN dimension_unit, DROP COLUMN height, DROP COLUMN width, DROP COLUMN length,
  DROP COLUMN weight_unit, DROP COLUMN weight, DROP COLUMN store_description, DROP COLUMN sales_description;
