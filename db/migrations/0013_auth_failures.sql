-- Up Migration
-- Failed authentications counted per API key id and per client address (brute-force protection).
-- Shape: rate-limiter-flexible's Postgres store (`key`, consumed `points`, `expire` in epoch ms).
CREATE TABLE auth_failures (
  key    varchar(255) PRIMARY KEY,
  points integer      NOT NULL DEFAULT 0,
  expire bigint
);

-- Down Migration
DROP TABLE auth_failures;
