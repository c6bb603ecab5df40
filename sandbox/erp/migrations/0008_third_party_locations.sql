-- Up Migration
-- Third-party (3PL) and consignment locations: stock the account holds at a partner's site, which
-- the partner ships from and reports back as item fulfillments at that location. The location
-- record's custom field custrecord_quayside_3pl marks them (NetSuite has no standard field for it).
ALTER TABLE location ADD COLUMN third_party boolean NOT NULL DEFAULT false;

-- Down Migration
ALTER TABLE location DROP COLUMN third_party;
