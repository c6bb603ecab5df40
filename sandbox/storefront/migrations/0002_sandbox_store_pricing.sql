-- Up Migration
-- B2B pricing as Shopify models it: catalogs (assigned to company locations) each with a price list; a
-- price list's percentage adjustment of the base price, its fixed prices per variant, and quantity
-- price breaks (volume pricing) on top of a fixed price. The first cut of this schema kept one price
-- list per company location; a location can have several catalogs, so assignments get a table of their own.
CREATE TABLE catalogs (
  id            bigint      PRIMARY KEY DEFAULT nextval('object_id'),
  title         text        NOT NULL,
  status        text        NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'ARCHIVED', 'DRAFT')),
  price_list_id bigint      UNIQUE REFERENCES price_lists (id),
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX catalogs_title_idx ON catalogs (title);

CREATE TABLE catalog_company_locations (
  catalog_id          bigint NOT NULL REFERENCES catalogs (id) ON DELETE CASCADE,
  company_location_id bigint NOT NULL REFERENCES company_locations (id),
  PRIMARY KEY (catalog_id, company_location_id)
);
CREATE INDEX catalog_company_locations_location_idx ON catalog_company_locations (company_location_id);

ALTER TABLE price_lists
  ADD COLUMN adjustment_type  text NOT NULL DEFAULT 'PERCENTAGE_DECREASE'
    CHECK (adjustment_type IN ('PERCENTAGE_DECREASE', 'PERCENTAGE_INCREASE')),
  ADD COLUMN adjustment_value numeric(9, 4) NOT NULL DEFAULT 0 CHECK (adjustment_value >= 0);

INSERT INTO catalogs (id, title, price_list_id) SELECT catalog_id, name, id FROM price_lists;
INSERT INTO catalog_company_locations (catalog_id, company_location_id)
  SELECT p.catalog_id, l.id FROM company_locations l JOIN price_lists p ON p.id = l.price_list_id;
ALTER TABLE price_lists ALTER COLUMN catalog_id DROP NOT NULL, ALTER COLUMN catalog_id DROP DEFAULT;
UPDATE price_lists SET catalog_id = NULL;

CREATE TABLE price_list_prices (
  price_list_id bigint         NOT NULL REFERENCES price_lists (id) ON DELETE CASCADE,
  variant_id    bigint         NOT NULL REFERENCES variants (id),
  price         numeric(12, 2) NOT NULL,
  updated_at    timestamptz    NOT NULL DEFAULT now(),
  PRIMARY KEY (price_list_id, variant_id)
);

CREATE TABLE quantity_price_breaks (
  id               bigint         PRIMARY KEY DEFAULT nextval('object_id'),
  price_list_id    bigint         NOT NULL,
  variant_id       bigint         NOT NULL,
  minimum_quantity integer        NOT NULL CHECK (minimum_quantity > 1),
  price            numeric(12, 2) NOT NULL,
  UNIQUE (price_list_id, variant_id, minimum_quantity),
  FOREIGN KEY (price_list_id, variant_id) REFERENCES price_list_prices (price_list_id, variant_id) ON DELETE CASCADE
);

-- Down Migration
DROP TABLE quantity_price_breaks;
DROP TABLE price_list_prices;
UPDATE price_lists p SET catalog_id = c.id FROM catalogs c WHERE c.price_list_id = p.id;
UPDATE price_lists SET catalog_id = nextval('object_id') WHERE catalog_id IS NULL;
ALTER TABLE price_lists ALTER COLUMN catalog_id SET DEFAULT nextval('object_id'), ALTER COLUMN catalog_id SET NOT NULL;
ALTER TABLE price_lists DROP COLUMN adjustment_value, DROP COLUMN adjustment_type;
DROP TABLE catalog_company_locations;
DROP TABLE catalogs;
