-- Up Migration
-- The order read model's money as the domain's Money holds it: integer minor units of the order's
-- currency (total_minor, with currency), so 0-, 3- and 4-decimal currencies (JPY, KWD, BHD, CLF) are
-- exact; numeric(14,2) rounded a KWD 12.345 to 12.35. `total` stays for reading and SQL sums,
-- generated from total_minor at the currency's own scale ("12.345", "37.00", "1500").
-- currency_decimals is domain/money.ts's currencyDecimals (test/orders/read-model-money.test.ts checks them alike).
CREATE FUNCTION currency_decimals(code text) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN upper(code) IN ('BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI',
                         'VND', 'VUV', 'XAF', 'XOF', 'XPF') THEN 0
    WHEN upper(code) IN ('BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND') THEN 3
    WHEN upper(code) IN ('CLF', 'UYW') THEN 4
    ELSE 2
  END
$$;

ALTER TABLE orders ADD COLUMN total_minor bigint;
-- Orders recorded before keep what numeric(14,2) held (a 3-decimal total already rounded to 2).
UPDATE orders SET total_minor = round(total * 10::numeric ^ currency_decimals(COALESCE(currency, 'USD')))::bigint
 WHERE total IS NOT NULL;
ALTER TABLE orders DROP COLUMN total;
ALTER TABLE orders ADD COLUMN total numeric GENERATED ALWAYS AS (
  round(total_minor::numeric / 10::numeric ^ currency_decimals(COALESCE(currency, 'USD')),
        currency_decimals(COALESCE(currency, 'USD')))
) STORED;

-- Down Migration
ALTER TABLE orders DROP COLUMN total;
ALTER TABLE orders ADD COLUMN total numeric(14, 2);
UPDATE orders SET total = total_minor::numeric / 10::numeric ^ currency_decimals(COALESCE(currency, 'USD'))
 WHERE total_minor IS NOT NULL;
ALTER TABLE orders DROP COLUMN total_minor;
DROP FUNCTION currency_decimals(text);
