-- Up Migration
-- API keys, their principals and the failed-authentication counters join the change log a checkout
-- quote checks before it answers (quote_cache_changes, migration 0032): the API holds the active
-- keys and the counters in memory (db/quote-cache.ts), and a key revoked, a principal disabled or
-- given another role or other stores, or a failure counted, in a transaction committed before a
-- quote was asked, is in what that quote is answered with. `last_used_at` is not read by a quote:
-- writing it logs no change.
CREATE TRIGGER api_keys_quote_ins AFTER INSERT ON api_keys REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_quote_cache_changed('api_key', 'key_id', '', 'principal_id,secret_hash,revoked_at');
CREATE TRIGGER api_keys_quote_upd AFTER UPDATE ON api_keys REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_quote_cache_changed('api_key', 'key_id', '', 'principal_id,secret_hash,revoked_at');
CREATE TRIGGER api_keys_quote_del AFTER DELETE ON api_keys REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_quote_cache_changed('api_key', 'key_id', '', 'principal_id,secret_hash,revoked_at');

CREATE TRIGGER principals_quote_ins AFTER INSERT ON principals REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_quote_cache_changed('principal', 'id', '', 'name,email,role,approval_limit,approval_kinds,stores,disabled_at');
CREATE TRIGGER principals_quote_upd AFTER UPDATE ON principals REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_quote_cache_changed('principal', 'id', '', 'name,email,role,approval_limit,approval_kinds,stores,disabled_at');
CREATE TRIGGER principals_quote_del AFTER DELETE ON principals REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_quote_cache_changed('principal', 'id', '', 'name,email,role,approval_limit,approval_kinds,stores,disabled_at');

-- rate-limiter-flexible counts with INSERT … ON CONFLICT DO UPDATE: a new counter fires the INSERT
-- trigger, a counted one the UPDATE trigger; its clean-up of expired counters the DELETE trigger.
CREATE TRIGGER auth_failures_quote_ins AFTER INSERT ON auth_failures REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_quote_cache_changed('auth_failure', 'key', '', 'points,expire');
CREATE TRIGGER auth_failures_quote_upd AFTER UPDATE ON auth_failures REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_quote_cache_changed('auth_failure', 'key', '', 'points,expire');
CREATE TRIGGER auth_failures_quote_del AFTER DELETE ON auth_failures REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quayside_quote_cache_changed('auth_failure', 'key', '', 'points,expire');

-- Down Migration
DROP TRIGGER auth_failures_quote_del ON auth_failures;
DROP TRIGGER auth_failures_quote_upd ON auth_failures;
DROP TRIGGER auth_failures_quote_ins ON auth_failures;
DROP TRIGGER principals_quote_del ON principals;
DROP TRIGGER principals_quote_upd ON principals;
DROP TRIGGER principals_quote_ins ON principals;
DROP TRIGGER api_keys_quote_del ON api_keys;
DROP TRIGGER api_keys_quote_upd ON api_keys;
DROP TRIGGER api_keys_quote_ins ON api_keys;
