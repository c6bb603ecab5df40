-- Up Migration
-- The words of buyer, applicant and approver messages, per store and message kind: every save is a
-- new version with who saved it and why; the newest version is the one sent.
CREATE TABLE notification_templates (
  store      text        NOT NULL,
  key        text        NOT NULL,
  version    integer     NOT NULL,
  subject    text        NOT NULL,
  body       text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text        NOT NULL,
  comment    text,
  PRIMARY KEY (store, key, version)
);

-- Down Migration
DROP TABLE notification_templates;
