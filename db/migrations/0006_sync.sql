-- Up Migration
-- ERP stock by item and location as last seen, and what was last pushed to the storefront
-- (the compare-and-set value for the next push).
CREATE TABLE inventory_cache (
  erp_sku         text        NOT NULL,
  location        text        NOT NULL,
  on_hand         integer     NOT NULL,
  available       integer     NOT NULL,
  erp_modified    timestamptz NOT NULL,
  pushed_quantity integer,
  pushed_at       timestamptz,
  PRIMARY KEY (erp_sku, location)
);

CREATE TABLE sync_runs (
  id          bigserial   PRIMARY KEY,
  sync        text        NOT NULL,
  workflow_id text        NOT NULL,
  changed     integer     NOT NULL,
  pushed      integer     NOT NULL,
  unmapped    integer     NOT NULL,
  stale       integer     NOT NULL,
  lag_ms      bigint,
  finished_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sync_runs_recent_idx ON sync_runs (sync, finished_at DESC);

-- Down Migration
DROP TABLE sync_runs;
DROP TABLE inventory_cache;
