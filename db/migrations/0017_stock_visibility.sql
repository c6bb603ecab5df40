-- Up Migration
-- Products the inventory sync hid from the store's sales channels for lack of stock.
CREATE TABLE stock_visibility (
  store      text        NOT NULL,
  erp_sku    text        NOT NULL,
  store_sku  text        NOT NULL,
  hidden     boolean     NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store, erp_sku)
);

-- Every hide and show: what, why (stock against threshold, rules version), when, by which sync.
CREATE TABLE stock_visibility_audit (
  id            bigserial   PRIMARY KEY,
  store         text        NOT NULL,
  erp_sku       text        NOT NULL,
  store_sku     text        NOT NULL,
  action        text        NOT NULL CHECK (action IN ('hide', 'show')),
  sellable      integer     NOT NULL,
  threshold     integer     NOT NULL,
  rules_version integer,
  reason        text        NOT NULL,
  workflow_id   text        NOT NULL,
  at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stock_visibility_audit_sku_idx ON stock_visibility_audit (store, erp_sku, at DESC);

-- Down Migration
DROP TABLE stock_visibility_audit;
DROP TABLE stock_visibility;
