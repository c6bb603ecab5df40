-- Up Migration
-- The sandbox store's own data, in schema sandbox_store. Object ids come from one sequence that starts
-- above 2^53, so every id Quayside sees exercises lossless parsing, as real Shopify ids can.
CREATE SEQUENCE object_id START WITH 9007199254741001;
CREATE SEQUENCE order_number START WITH 1001;

CREATE TABLE locations (
  id   bigint PRIMARY KEY DEFAULT nextval('object_id'),
  name text   NOT NULL UNIQUE
);

CREATE TABLE publications (
  id   bigint PRIMARY KEY DEFAULT nextval('object_id'),
  name text   NOT NULL UNIQUE
);

CREATE TABLE products (
  id         bigint      PRIMARY KEY DEFAULT nextval('object_id'),
  title      text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE product_publications (
  product_id     bigint NOT NULL REFERENCES products (id),
  publication_id bigint NOT NULL REFERENCES publications (id),
  PRIMARY KEY (product_id, publication_id)
);

CREATE TABLE variants (
  id                bigint        PRIMARY KEY DEFAULT nextval('object_id'),
  product_id        bigint        NOT NULL REFERENCES products (id),
  sku               text          NOT NULL UNIQUE,
  title             text          NOT NULL DEFAULT 'Default Title',
  price             numeric(12, 2) NOT NULL,
  inventory_item_id bigint        NOT NULL UNIQUE DEFAULT nextval('object_id')
);

CREATE TABLE inventory_levels (
  inventory_item_id bigint      NOT NULL,
  location_id       bigint      NOT NULL REFERENCES locations (id),
  available         integer     NOT NULL DEFAULT 0,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (inventory_item_id, location_id)
);

CREATE TABLE price_lists (
  id         bigint PRIMARY KEY DEFAULT nextval('object_id'),
  catalog_id bigint NOT NULL UNIQUE DEFAULT nextval('object_id'),
  name       text   NOT NULL UNIQUE,
  currency   text   NOT NULL DEFAULT 'USD'
);

CREATE TABLE payment_terms_templates (
  id          bigint  PRIMARY KEY DEFAULT nextval('object_id'),
  name        text    NOT NULL UNIQUE,
  terms_type  text    NOT NULL,
  due_in_days integer
);

CREATE TABLE customers (
  id         bigint      PRIMARY KEY DEFAULT nextval('object_id'),
  email      text        NOT NULL UNIQUE,
  first_name text,
  last_name  text,
  phone      text,
  note       text,
  tax_exempt boolean     NOT NULL DEFAULT false,
  tags       text[]      NOT NULL DEFAULT '{}',
  company    text,
  address    jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE companies (
  id          bigint      PRIMARY KEY DEFAULT nextval('object_id'),
  name        text        NOT NULL,
  external_id text        UNIQUE,
  note        text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE company_contacts (
  id          bigint PRIMARY KEY DEFAULT nextval('object_id'),
  company_id  bigint NOT NULL REFERENCES companies (id),
  customer_id bigint NOT NULL REFERENCES customers (id),
  UNIQUE (company_id, customer_id)
);

CREATE TABLE company_locations (
  id                        bigint      PRIMARY KEY DEFAULT nextval('object_id'),
  company_id                bigint      NOT NULL REFERENCES companies (id),
  name                      text        NOT NULL,
  price_list_id             bigint      REFERENCES price_lists (id),
  payment_terms_template_id bigint      REFERENCES payment_terms_templates (id),
  address                   jsonb,
  created_at                timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE metafields (
  owner_id   bigint      NOT NULL,
  namespace  text        NOT NULL,
  key        text        NOT NULL,
  type       text        NOT NULL,
  value      text        NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (owner_id, namespace, key)
);

CREATE TABLE orders (
  id                  bigint      PRIMARY KEY DEFAULT nextval('object_id'),
  number              integer     NOT NULL UNIQUE DEFAULT nextval('order_number'),
  customer_id         bigint      NOT NULL REFERENCES customers (id),
  company_id          bigint      REFERENCES companies (id),
  company_location_id bigint      REFERENCES company_locations (id),
  email               text,
  po_number           text,
  currency            text        NOT NULL DEFAULT 'USD',
  note                text,
  note_attributes     jsonb       NOT NULL DEFAULT '[]'::jsonb,
  tags                text[]      NOT NULL DEFAULT '{}',
  financial_status    text        NOT NULL DEFAULT 'pending',
  shipping_address    jsonb,
  cancel_reason       text,
  cancelled_at        timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE order_lines (
  id                 bigint         PRIMARY KEY DEFAULT nextval('object_id'),
  order_id           bigint         NOT NULL REFERENCES orders (id),
  position           integer        NOT NULL,
  variant_id         bigint,
  product_id         bigint,
  sku                text           NOT NULL,
  title              text           NOT NULL,
  quantity           integer        NOT NULL CHECK (quantity > 0),
  price              numeric(12, 2) NOT NULL,
  fulfilled_quantity integer        NOT NULL DEFAULT 0,
  refunded_quantity  integer        NOT NULL DEFAULT 0
);
CREATE INDEX order_lines_order_idx ON order_lines (order_id, position);

CREATE TABLE fulfillments (
  id               bigint      PRIMARY KEY DEFAULT nextval('object_id'),
  order_id         bigint      NOT NULL REFERENCES orders (id),
  status           text        NOT NULL DEFAULT 'SUCCESS',
  tracking_company text,
  tracking_numbers text[]      NOT NULL DEFAULT '{}',
  tracking_urls    text[]      NOT NULL DEFAULT '{}',
  notify_customer  boolean     NOT NULL DEFAULT false,
  lines            jsonb       NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE refunds (
  id         bigint         PRIMARY KEY DEFAULT nextval('object_id'),
  order_id   bigint         NOT NULL REFERENCES orders (id),
  note       text,
  amount     numeric(12, 2) NOT NULL,
  currency   text           NOT NULL,
  lines      jsonb          NOT NULL,
  created_at timestamptz    NOT NULL DEFAULT now()
);

CREATE TABLE returns (
  id             bigint      PRIMARY KEY DEFAULT nextval('object_id'),
  order_id       bigint      NOT NULL REFERENCES orders (id),
  status         text        NOT NULL DEFAULT 'REQUESTED',
  lines          jsonb       NOT NULL,
  decline_reason text,
  decline_note   text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

-- @idempotent(key:) results: a repeated key returns the original result instead of acting twice.
CREATE TABLE idempotency_keys (
  key        text        NOT NULL,
  mutation   text        NOT NULL,
  result     jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (mutation, key)
);

CREATE TABLE webhook_subscriptions (
  id                   bigint      PRIMARY KEY DEFAULT nextval('object_id'),
  topic                text        NOT NULL,
  uri                  text        NOT NULL,
  format               text        NOT NULL DEFAULT 'JSON',
  consecutive_failures integer     NOT NULL DEFAULT 0,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  UNIQUE (topic, uri)
);

CREATE TABLE webhook_deliveries (
  id              bigserial   PRIMARY KEY,
  subscription_id bigint      NOT NULL,
  topic           text        NOT NULL,
  uri             text        NOT NULL,
  webhook_id      text        NOT NULL,
  event_id        text        NOT NULL,
  status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        integer     NOT NULL DEFAULT 0,
  last_status     integer,
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  delivered_at    timestamptz
);
CREATE INDEX webhook_deliveries_created_idx ON webhook_deliveries (created_at DESC);

INSERT INTO locations (name) VALUES ('Chicago Warehouse'), ('Dallas Warehouse'), ('Reno Warehouse');
INSERT INTO publications (name) VALUES ('Online Store');
INSERT INTO price_lists (name, currency) VALUES ('Tier A', 'USD'), ('Tier B', 'USD'), ('Contract', 'USD');
INSERT INTO payment_terms_templates (name, terms_type, due_in_days)
  VALUES ('Due on receipt', 'RECEIPT', NULL), ('Net 15', 'NET', 15), ('Net 30', 'NET', 30), ('Net 60', 'NET', 60);

-- Down Migration
DROP TABLE webhook_deliveries;
DROP TABLE webhook_subscriptions;
DROP TABLE idempotency_keys;
DROP TABLE returns;
DROP TABLE refunds;
DROP TABLE fulfillments;
DROP TABLE order_lines;
DROP TABLE orders;
DROP TABLE metafields;
DROP TABLE company_locations;
DROP TABLE company_contacts;
DROP TABLE companies;
DROP TABLE customers;
DROP TABLE payment_terms_templates;
DROP TABLE price_lists;
DROP TABLE inventory_levels;
DROP TABLE variants;
DROP TABLE product_publications;
DROP TABLE products;
DROP TABLE publications;
DROP TABLE locations;
DROP SEQUENCE order_number;
DROP SEQUENCE object_id;
