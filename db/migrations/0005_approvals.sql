-- Up Migration
-- People and services that call the API. Keys are stored as SHA-256 hashes of their random secret.
CREATE TABLE principals (
  id             text        PRIMARY KEY,
  name           text        NOT NULL,
  email          text,
  role           text        NOT NULL CHECK (role IN ('approver', 'operator', 'admin')),
  -- The most money this principal may approve; NULL = no limit for admins, nothing with money for others.
  approval_limit numeric(14, 2) CHECK (approval_limit IS NULL OR approval_limit >= 0),
  -- Which approval kinds and stores the principal sees; NULL = all.
  approval_kinds text[],
  stores         text[],
  created_at     timestamptz NOT NULL DEFAULT now(),
  disabled_at    timestamptz
);

CREATE TABLE api_keys (
  key_id       text        PRIMARY KEY,
  principal_id text        NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
  secret_hash  text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);
CREATE INDEX api_keys_principal_idx ON api_keys (principal_id);

-- Every decision a human is asked for, whichever workflow asks.
CREATE TABLE approvals (
  approval_id  text        PRIMARY KEY,
  kind         text        NOT NULL,
  workflow_id  text        NOT NULL,
  store        text,
  amount       numeric(14, 2),
  currency     text,
  summary      text        NOT NULL,
  context      jsonb       NOT NULL DEFAULT '{}'::jsonb,
  status       text        NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'approve', 'reject', 'adjust', 'requestInfo', 'cancelled', 'expired')),
  escalated    boolean     NOT NULL DEFAULT false,
  reminders    integer     NOT NULL DEFAULT 0,
  requested_at timestamptz NOT NULL,
  closed_at    timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX approvals_pending_idx ON approvals (requested_at) WHERE status = 'pending';
CREATE INDEX approvals_workflow_idx ON approvals (workflow_id);

-- Audit: who decided what, when and why; refused attempts are kept too.
CREATE TABLE approval_decisions (
  id              bigserial   PRIMARY KEY,
  approval_id     text        NOT NULL REFERENCES approvals (approval_id),
  workflow_id     text        NOT NULL,
  principal_id    text        NOT NULL,
  principal_name  text        NOT NULL,
  principal_role  text        NOT NULL,
  approval_limit  numeric(14, 2),
  outcome         text        NOT NULL,
  reason          text,
  decision        jsonb       NOT NULL,
  accepted        boolean     NOT NULL,
  refusal_code    text,
  refusal_message text,
  decided_at      timestamptz NOT NULL,
  recorded_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX approval_decisions_accepted_uq ON approval_decisions (approval_id) WHERE accepted;
CREATE INDEX approval_decisions_principal_idx ON approval_decisions (principal_id, decided_at DESC);

-- Every notification sent to buyers, applicants, approvers and operators; the id makes sending idempotent.
CREATE TABLE notifications (
  id          text        PRIMARY KEY,
  kind        text        NOT NULL,
  channel     text,
  recipient   jsonb       NOT NULL,
  subject     text        NOT NULL,
  payload     jsonb       NOT NULL,
  workflow_id text,
  status      text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'undeliverable')),
  attempts    integer     NOT NULL DEFAULT 0,
  last_error  text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  sent_at     timestamptz
);
CREATE INDEX notifications_workflow_idx ON notifications (workflow_id);

-- Return and new-customer rules per store (validated by zod on write and read), versioned.
CREATE TABLE process_policies (
  store      text        NOT NULL,
  process    text        NOT NULL CHECK (process IN ('return', 'customer')),
  policy     jsonb       NOT NULL,
  version    integer     NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text        NOT NULL DEFAULT 'system',
  PRIMARY KEY (store, process)
);

-- The returns read model: where each return stands, and which quantities it takes back.
CREATE TABLE returns (
  store        text        NOT NULL,
  return_id    text        NOT NULL,
  workflow_id  text        NOT NULL UNIQUE,
  order_id     text        NOT NULL,
  customer_id  text,
  status       text        NOT NULL,
  lines        jsonb       NOT NULL DEFAULT '[]'::jsonb,
  refund_total numeric(14, 2),
  currency     text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store, return_id)
);
CREATE INDEX returns_order_idx ON returns (store, order_id);

-- Down Migration
DROP TABLE returns;
DROP TABLE process_policies;
DROP TABLE notifications;
DROP TABLE approval_decisions;
DROP TABLE approvals;
DROP TABLE api_keys;
DROP TABLE principals;
