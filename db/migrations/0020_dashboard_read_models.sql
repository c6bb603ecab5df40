-- Up Migration
-- What the dashboard's home page charts, from Quayside's own records.

-- When the order read model first saw the order's ERP sales order: webhook → ERP latency.
ALTER TABLE orders ADD COLUMN erp_recorded_at timestamptz;
CREATE INDEX orders_created_idx ON orders (created_at DESC);
CREATE INDEX orders_erp_recorded_idx ON orders (erp_recorded_at DESC) WHERE erp_recorded_at IS NOT NULL;
CREATE INDEX webhook_deliveries_workflow_idx ON webhook_deliveries (workflow_id) WHERE workflow_id IS NOT NULL;

-- Calls to the ERP and the store per minute, and how many failed (HTTP 5xx/429, network, timeouts,
-- refusals): every HTTP attempt counts, so retries show as errors.
CREATE TABLE connector_calls (
  system text        NOT NULL CHECK (system IN ('erp', 'store')),
  minute timestamptz NOT NULL,
  calls  integer     NOT NULL,
  errors integer     NOT NULL,
  PRIMARY KEY (system, minute)
);

-- Who acknowledged (resolved by hand) an alert on the dashboard; NULL when its process resolved it.
ALTER TABLE alerts ADD COLUMN resolved_by text;

-- Down Migration
ALTER TABLE alerts DROP COLUMN resolved_by;
DROP TABLE connector_calls;
DROP INDEX webhook_deliveries_workflow_idx;
DROP INDEX orders_erp_recorded_idx;
DROP INDEX orders_created_idx;
ALTER TABLE orders DROP COLUMN erp_recorded_at;
