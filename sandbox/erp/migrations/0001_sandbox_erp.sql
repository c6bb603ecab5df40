-- Up Migration
-- The sandbox ERP's own records. Every record carries last_modified, kept by a trigger,
-- so SuiteQL cursors on lastmodifieddate see every change.
CREATE FUNCTION touch_last_modified() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.last_modified := date_trunc('milliseconds', clock_timestamp());
  RETURN NEW;
END $$;

CREATE TABLE location (
  id            serial PRIMARY KEY,
  name          text        NOT NULL UNIQUE,
  external_id   text        UNIQUE,
  last_modified timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
);

CREATE TABLE price_level (
  id            serial PRIMARY KEY,
  name          text          NOT NULL UNIQUE,
  discount_pct  numeric(5, 2) NOT NULL DEFAULT 0,
  last_modified timestamptz   NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
);

CREATE TABLE term (
  id            serial PRIMARY KEY,
  name          text        NOT NULL UNIQUE,
  days_until_due integer    NOT NULL DEFAULT 0,
  last_modified timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
);

CREATE TABLE customer (
  id            serial PRIMARY KEY,
  entity_id     text          NOT NULL,
  external_id   text          UNIQUE,
  company_name  text          NOT NULL,
  email         text,
  credit_limit  numeric(14, 2),
  balance       numeric(14, 2) NOT NULL DEFAULT 0,
  terms         text,
  price_level   text,
  tax_exempt    boolean       NOT NULL DEFAULT false,
  tax_id        text,
  parent_id     integer REFERENCES customer (id),
  last_modified timestamptz   NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
);
CREATE INDEX customer_modified_idx ON customer (last_modified, id);

CREATE TABLE item (
  id            serial PRIMARY KEY,
  item_id       text          NOT NULL UNIQUE,
  external_id   text          UNIQUE,
  display_name  text          NOT NULL,
  item_type     text          NOT NULL CHECK (item_type IN ('InvtPart', 'Kit', 'Assembly', 'NonInvtPart')),
  parent_id     integer,
  serialized    boolean       NOT NULL DEFAULT false,
  hazmat        boolean       NOT NULL DEFAULT false,
  base_price    numeric(14, 2) NOT NULL,
  inactive      boolean       NOT NULL DEFAULT false,
  last_modified timestamptz   NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
);
CREATE INDEX item_modified_idx ON item (last_modified, id);

CREATE TABLE kit_member (
  kit_id    integer NOT NULL REFERENCES item (id),
  member_id integer NOT NULL REFERENCES item (id),
  quantity  integer NOT NULL,
  PRIMARY KEY (kit_id, member_id)
);

-- Price-level rows (customer_id NULL) and customer contract prices (price_level NULL), with quantity breaks.
CREATE TABLE item_price (
  id            bigserial PRIMARY KEY,
  item_id       integer       NOT NULL REFERENCES item (id),
  price_level   text,
  customer_id   integer REFERENCES customer (id),
  min_quantity  integer       NOT NULL DEFAULT 1,
  unit_price    numeric(14, 2) NOT NULL,
  last_modified timestamptz   NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
);
CREATE INDEX item_price_modified_idx ON item_price (last_modified, id);

CREATE TABLE inventory (
  id            bigserial PRIMARY KEY,
  item_id       integer     NOT NULL REFERENCES item (id),
  location_id   integer     NOT NULL REFERENCES location (id),
  on_hand       integer     NOT NULL DEFAULT 0,
  committed     integer     NOT NULL DEFAULT 0,
  last_modified timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
  UNIQUE (item_id, location_id)
);
CREATE INDEX inventory_modified_idx ON inventory (last_modified, id);

-- Transactions: SalesOrd, ItemShip, CustInvc, RtnAuth, CustCred, CustRfnd.
CREATE TABLE txn (
  id            serial PRIMARY KEY,
  type          text          NOT NULL,
  tran_id       text          NOT NULL,
  external_id   text,
  entity_id     integer REFERENCES customer (id),
  status        text          NOT NULL,
  created_from  integer REFERENCES txn (id),
  location_id   integer REFERENCES location (id),
  other_ref_num text,
  project_code  text,
  memo          text,
  terms         text,
  currency      text          NOT NULL DEFAULT 'USD',
  ship_to       jsonb,
  ship_carrier  text,
  tracking_numbers text[]     NOT NULL DEFAULT '{}',
  total         numeric(14, 2) NOT NULL DEFAULT 0,
  due_date      date,
  tran_date     timestamptz   NOT NULL DEFAULT now(),
  last_modified timestamptz   NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
  UNIQUE (type, external_id)
);
CREATE INDEX txn_type_modified_idx ON txn (type, last_modified, id);
CREATE INDEX txn_created_from_idx ON txn (created_from);

CREATE TABLE txn_line (
  id                   bigserial PRIMARY KEY,
  txn_id               integer       NOT NULL REFERENCES txn (id) ON DELETE CASCADE,
  line                 integer       NOT NULL,
  line_key             text,
  item_id              integer       NOT NULL REFERENCES item (id),
  quantity             integer       NOT NULL,
  rate                 numeric(14, 2) NOT NULL DEFAULT 0,
  amount               numeric(14, 2) NOT NULL DEFAULT 0,
  location_id          integer REFERENCES location (id),
  quantity_fulfilled   integer       NOT NULL DEFAULT 0,
  quantity_billed      integer       NOT NULL DEFAULT 0,
  quantity_backordered integer       NOT NULL DEFAULT 0,
  quantity_received    integer       NOT NULL DEFAULT 0,
  closed               boolean       NOT NULL DEFAULT false,
  order_line           integer,
  UNIQUE (txn_id, line)
);

CREATE TRIGGER location_touch BEFORE UPDATE ON location FOR EACH ROW EXECUTE FUNCTION touch_last_modified();
CREATE TRIGGER customer_touch BEFORE UPDATE ON customer FOR EACH ROW EXECUTE FUNCTION touch_last_modified();
CREATE TRIGGER item_touch BEFORE UPDATE ON item FOR EACH ROW EXECUTE FUNCTION touch_last_modified();
CREATE TRIGGER item_price_touch BEFORE UPDATE ON item_price FOR EACH ROW EXECUTE FUNCTION touch_last_modified();
CREATE TRIGGER inventory_touch BEFORE UPDATE ON inventory FOR EACH ROW EXECUTE FUNCTION touch_last_modified();
CREATE TRIGGER txn_touch BEFORE UPDATE ON txn FOR EACH ROW EXECUTE FUNCTION touch_last_modified();

-- Down Migration
DROP TABLE txn_line;
DROP TABLE txn;
DROP TABLE inventory;
DROP TABLE item_price;
DROP TABLE kit_member;
DROP TABLE item;
DROP TABLE customer;
DROP TABLE term;
DROP TABLE price_level;
DROP TABLE location;
DROP FUNCTION touch_last_modified();
