-- Up Migration
-- Alerts reach people: each alert remembers when it last notified and which episode it is in
-- (a raise after a resolve starts a new one), so a problem raised again within the quiet period
-- sends nothing.
ALTER TABLE alerts
  ADD COLUMN episode      integer     NOT NULL DEFAULT 1,
  ADD COLUMN reminders    integer     NOT NULL DEFAULT 0,
  ADD COLUMN notified_at  timestamptz,
  ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();

-- The outbox: one row per (alert, channel, event), written in the raise's or resolve's own
-- transaction and drained by the worker's dispatcher with retries and backoff.
CREATE TABLE alert_deliveries (
  id              bigserial   PRIMARY KEY,
  alert_id        bigint      NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  channel         text        NOT NULL CHECK (channel IN ('slack', 'email')),
  event           text        NOT NULL CHECK (event IN ('raised', 'reminder', 'resolved')),
  event_key       text        NOT NULL,
  status          text        NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
  attempts        integer     NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  lease_until     timestamptz,
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz,
  UNIQUE (alert_id, channel, event_key)
);
CREATE INDEX alert_deliveries_due_idx ON alert_deliveries (next_attempt_at) WHERE status IN ('pending', 'sending');

-- SLA breaches found by the SLA checker: one row per (rule, subject) while it lasts.
CREATE TABLE sla_breaches (
  id          bigserial   PRIMARY KEY,
  rule        text        NOT NULL,
  subject_key text        NOT NULL,
  workflow_id text,
  summary     text        NOT NULL,
  threshold   text        NOT NULL,
  since       timestamptz NOT NULL,
  detected_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  UNIQUE (rule, subject_key)
);
CREATE INDEX sla_breaches_open_idx ON sla_breaches (detected_at DESC) WHERE resolved_at IS NULL;

-- What the SLA checker reads on the order read model: units shipped and invoiced, and when the
-- shipped quantity last grew.
ALTER TABLE orders
  ADD COLUMN shipped_units   integer NOT NULL DEFAULT 0,
  ADD COLUMN invoiced_units  integer NOT NULL DEFAULT 0,
  ADD COLUMN last_shipped_at timestamptz;

-- Down Migration
ALTER TABLE orders DROP COLUMN last_shipped_at, DROP COLUMN invoiced_units, DROP COLUMN shipped_units;
DROP TABLE sla_breaches;
DROP TABLE alert_deliveries;
ALTER TABLE alerts DROP COLUMN last_seen_at, DROP COLUMN notified_at, DROP COLUMN reminders, DROP COLUMN episode;
