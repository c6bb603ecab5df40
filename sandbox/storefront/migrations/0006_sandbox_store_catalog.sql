-- Up Migration
-- The product model productSet writes: a product's handle, status, description, type, vendor and
-- tags; its options with their values in order; each variant's option values, weight, inventory
-- policy and whether its inventory is tracked; and productSet's asynchronous operations.
ALTER TABLE products ADD COLUMN handle text;
ALTER TABLE products ADD COLUMN status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'ARCHIVED', 'DRAFT'));
ALTER TABLE products ADD COLUMN description_html text NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN product_type text NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN vendor text NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN tags text[] NOT NULL DEFAULT '{}';

-- Shopify makes a handle from the title when none is given; a taken one gets the product's id appended.
CREATE FUNCTION product_handle(title text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT COALESCE(NULLIF(trim(BOTH '-' FROM regexp_replace(lower(title), '[^a-z0-9]+', '-', 'g')), ''), 'product')
$$;
UPDATE products SET handle = product_handle(title) || '-' || id;
ALTER TABLE products ALTER COLUMN handle SET NOT NULL;
CREATE UNIQUE INDEX products_handle_idx ON products (handle);
CREATE FUNCTION default_product_handle() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.handle := product_handle(NEW.title);
  IF EXISTS (SELECT 1 FROM products WHERE handle = NEW.handle) THEN
    NEW.handle := NEW.handle || '-' || NEW.id;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER products_default_handle BEFORE INSERT ON products
  FOR EACH ROW WHEN (NEW.handle IS NULL) EXECUTE FUNCTION default_product_handle();

-- A product without options has Shopify's implicit one: Title, with the value Default Title.
CREATE TABLE product_options (
  product_id bigint  NOT NULL REFERENCES products (id),
  position   integer NOT NULL,
  id         bigint  NOT NULL DEFAULT nextval('object_id') UNIQUE,
  name       text    NOT NULL,
  "values"   text[]  NOT NULL,
  PRIMARY KEY (product_id, position)
);

ALTER TABLE variants ADD COLUMN option_values text[];
ALTER TABLE variants ADD COLUMN position integer NOT NULL DEFAULT 1;
ALTER TABLE variants ADD COLUMN compare_at_price numeric(12, 2);
ALTER TABLE variants ADD COLUMN barcode text;
ALTER TABLE variants ADD COLUMN weight numeric(12, 4);
ALTER TABLE variants ADD COLUMN weight_unit text CHECK (weight_unit IN ('GRAMS', 'KILOGRAMS', 'OUNCES', 'POUNDS'));
ALTER TABLE variants ADD COLUMN inventory_policy text NOT NULL DEFAULT 'DENY' CHECK (inventory_policy IN ('DENY', 'CONTINUE'));
ALTER TABLE variants ADD COLUMN tracked boolean NOT NULL DEFAULT true;
ALTER TABLE variants ADD COLUMN requires_shipping boolean NOT NULL DEFAULT true;
ALTER TABLE variants ADD COLUMN taxable boolean NOT NULL DEFAULT true;
CREATE INDEX variants_product_idx ON variants (product_id);

CREATE TABLE product_operations (
  id          bigint      PRIMARY KEY DEFAULT nextval('object_id'),
  product_id  bigint      REFERENCES products (id),
  user_errors jsonb       NOT NULL DEFAULT '[]',
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE product_operations;
DROP INDEX variants_product_idx;
ALTER TABLE variants DROP COLUMN taxable, DROP COLUMN requires_shipping, DROP COLUMN tracked,
  DROP COLUMN inventory_policy, DROP COLUMN weight_unit, DROP COLUMN weight, DROP COLUMN barcode,
  DROP COLUMN compare_at_price, DROP COLUMN position, DROP COLUMN option_values;
DROP TABLE product_options;
DROP TRIGGER products_default_handle ON products;
DROP FUNCTION default_product_handle();
DROP INDEX products_handle_idx;
DROP FUNCTION product_handle(text);
ALTER TABLE products DROP COLUMN tags, DROP COLUMN vendor, DROP COLUMN product_type,
  DROP COLUMN description_html, DROP COLUMN status, DROP COLUMN handle;
