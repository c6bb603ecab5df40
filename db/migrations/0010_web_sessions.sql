-- Up Migration
-- Signed-in browser sessions (the dashboard and the other pages with business data), kept server-side
-- so logout, expiry and a disabled user or revoked key end them at once. Shape: connect-pg-simple's.
-- `sess` holds the principal id, the id of the key it signed in with, the sign-in time and the CSRF
-- token; never the key itself.
CREATE TABLE web_sessions (
  sid    text        PRIMARY KEY,
  sess   json        NOT NULL,
  expire timestamptz NOT NULL
);
CREATE INDEX web_sessions_expire_idx ON web_sessions (expire);

-- Down Migration
DROP TABLE web_sessions;
