-- Up Migration
-- One ERP concurrency budget shared by every worker process: a row per slot, leased while a
-- request is in flight. A lease that outlives its holder (a killed worker) expires by itself.
CREATE TABLE erp_budget_slot (
  budget_key   text NOT NULL,
  slot         integer NOT NULL CHECK (slot >= 0),
  holder       text,
  priority     text,
  leased_until timestamptz,
  PRIMARY KEY (budget_key, slot)
);
