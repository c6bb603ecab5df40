-- Up Migration
-- Purchase orders (txn type PurchOrd) from the warehouse's buyers: each line carries the vendor's
-- expected receipt date (NetSuite's transaction line field expectedreceiptdate); receipts count in
-- quantity_received.
ALTER TABLE txn_line ADD COLUMN expected_receipt_date date;

-- Down Migration
ALTER TABLE txn_line DROP COLUMN expected_receipt_date;
