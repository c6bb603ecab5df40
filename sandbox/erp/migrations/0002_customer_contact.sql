-- Up Migration
-- A customer's phone and default address (the first line of its address book).
ALTER TABLE customer ADD COLUMN phone text;
ALTER TABLE customer ADD COLUMN default_address jsonb;

-- Down Migration
ALTER TABLE customer DROP COLUMN default_address;
ALTER TABLE customer DROP COLUMN phone;
