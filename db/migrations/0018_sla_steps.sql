-- Up Migration
-- When each process entered the step it is in, so the SLA checker can tell how long it has waited.
ALTER TABLE orders ADD COLUMN step_since timestamptz;
UPDATE orders SET step_since = updated_at;
ALTER TABLE orders ALTER COLUMN step_since SET DEFAULT now(), ALTER COLUMN step_since SET NOT NULL;
ALTER TABLE returns ADD COLUMN step_since timestamptz;
UPDATE returns SET step_since = updated_at;
ALTER TABLE returns ALTER COLUMN step_since SET DEFAULT now(), ALTER COLUMN step_since SET NOT NULL;

-- The order read model's shipped and invoiced units, filled from its lines for what is already there.
UPDATE orders o SET
  shipped_units  = COALESCE((SELECT sum((l ->> 'shipped')::int)  FROM jsonb_array_elements(o.lines) l), 0),
  invoiced_units = COALESCE((SELECT sum((l ->> 'invoiced')::int) FROM jsonb_array_elements(o.lines) l), 0);
UPDATE orders SET last_shipped_at = updated_at WHERE shipped_units > 0 AND last_shipped_at IS NULL;

-- A breach belongs to one store's process and step; the checker resolves a store's own breaches.
ALTER TABLE sla_breaches ADD COLUMN store text NOT NULL DEFAULT '';
ALTER TABLE sla_breaches ALTER COLUMN store DROP DEFAULT;
-- When the breach's alert was raised: a pass that died between recording and raising raises it next time.
ALTER TABLE sla_breaches ADD COLUMN alerted_at timestamptz;
CREATE INDEX sla_breaches_store_open_idx ON sla_breaches (store, rule) WHERE resolved_at IS NULL;

-- Down Migration
DROP INDEX sla_breaches_store_open_idx;
ALTER TABLE sla_breaches DROP COLUMN alerted_at, DROP COLUMN store;
ALTER TABLE returns DROP COLUMN step_since;
ALTER TABLE orders DROP COLUMN step_since;
