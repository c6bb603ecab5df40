-- Up Migration
-- A webhook for a switched-off flow is acknowledged and recorded, with why it started nothing.
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_status_check;
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_status_check
  CHECK (status IN ('processing', 'processed', 'dead_lettered', 'ignored', 'switched_off'));
ALTER TABLE webhook_deliveries ADD COLUMN note text;

-- Down Migration
ALTER TABLE webhook_deliveries DROP COLUMN note;
UPDATE webhook_deliveries SET status = 'ignored' WHERE status = 'switched_off';
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_status_check;
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_status_check
  CHECK (status IN ('processing', 'processed', 'dead_lettered', 'ignored'));
