-- Up Migration
-- Company locations as Shopify keeps them for B2B: an external id (unique in the shop) and tax
-- settings (exempt, registration id, the named exemptions).
ALTER TABLE company_locations
  ADD COLUMN external_id         text UNIQUE,
  ADD COLUMN tax_exempt          boolean NOT NULL DEFAULT false,
  ADD COLUMN tax_registration_id text,
  ADD COLUMN tax_exemptions      text[]  NOT NULL DEFAULT '{}';

-- Down Migration
ALTER TABLE company_locations
  DROP COLUMN tax_exemptions,
  DROP COLUMN tax_registration_id,
  DROP COLUMN tax_exempt,
  DROP COLUMN external_id;
