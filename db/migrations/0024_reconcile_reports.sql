-- Up Migration
-- One report per reconciliation pass: the window it compared, what it found, what it repaired and
-- what it could not repair (with why), for the dashboard and the API.
CREATE TABLE reconcile_reports (
  id             bigserial   PRIMARY KEY,
  store          text        NOT NULL,
  workflow_id    text        NOT NULL UNIQUE,
  window_from    timestamptz NOT NULL,
  window_to      timestamptz NOT NULL,
  orders_checked integer     NOT NULL,
  stock_checked  integer     NOT NULL,
  found          integer     NOT NULL,
  repaired       integer     NOT NULL,
  failed         integer     NOT NULL,
  entries        jsonb       NOT NULL DEFAULT '[]',
  notes          text[]      NOT NULL DEFAULT '{}',
  finished_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reconcile_reports_store_idx ON reconcile_reports (store, finished_at DESC);

-- Down Migration
DROP TABLE reconcile_reports;
