-- Up Migration
-- One row per storefront webhook delivery Quayside accepted. The primary key on the delivery id and the
-- unique (source, topic, event_id) make concurrent identical deliveries collapse to one row.
CREATE TABLE webhook_deliveries (
  source       text        NOT NULL DEFAULT 'shopify',
  webhook_id   text        NOT NULL,
  event_id     text,
  topic        text        NOT NULL,
  shop_domain  text        NOT NULL,
  status       text        NOT NULL DEFAULT 'processing'
               CHECK (status IN ('processing', 'processed', 'dead_lettered', 'ignored')),
  workflow_id  text,
  triggered_at timestamptz,
  received_at  timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz,
  PRIMARY KEY (source, webhook_id)
);
CREATE UNIQUE INDEX webhook_deliveries_event_idx ON webhook_deliveries (source, topic, event_id) WHERE event_id IS NOT NULL;
CREATE INDEX webhook_deliveries_received_idx ON webhook_deliveries (received_at DESC);

-- Signed deliveries Quayside could not understand: kept with their reason until an operator replays them.
CREATE TABLE dead_letters (
  id           bigserial   PRIMARY KEY,
  source       text        NOT NULL DEFAULT 'shopify',
  webhook_id   text,
  event_id     text,
  topic        text        NOT NULL,
  shop_domain  text,
  reason       text        NOT NULL,
  payload      text        NOT NULL,
  -- The corrected body an operator replayed, when it differs from what was delivered.
  replay_payload text,
  headers      jsonb       NOT NULL DEFAULT '{}'::jsonb,
  status       text        NOT NULL DEFAULT 'parked' CHECK (status IN ('parked', 'replayed')),
  attempts     integer     NOT NULL DEFAULT 0,
  workflow_id  text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  replayed_at  timestamptz
);
CREATE INDEX dead_letters_parked_idx ON dead_letters (created_at DESC) WHERE status = 'parked';

-- Down Migration
DROP TABLE dead_letters;
DROP TABLE webhook_deliveries;
