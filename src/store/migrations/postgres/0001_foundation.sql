-- 0001_foundation (PostgreSQL): applications, users, sessions, email tokens, outbox, audit chain,
-- idempotency records and rate counters. Times are milliseconds since the epoch (UTC). Mirrors
-- migrations/sqlite/0001_foundation.sql: INTEGER is BIGINT and BLOB is BYTEA here. audit_head
-- is PostgreSQL's own: the chain's last row, one row locked FOR UPDATE by each writer of the
-- chain (SQLite's single writer serialises the chain by itself).
CREATE TABLE apps (
  app_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  client_id TEXT NOT NULL UNIQUE,
  client_secret_sealed BYTEA NOT NULL,
  api_key_mac BYTEA NOT NULL UNIQUE,
  sandbox BIGINT NOT NULL DEFAULT 0,
  can_mark_email_verified BIGINT NOT NULL DEFAULT 0,
  can_register_sso BIGINT NOT NULL DEFAULT 1,
  redirect_uri_prefixes TEXT NOT NULL DEFAULT '[]',
  sso_login_url TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);

CREATE TABLE users (
  user_id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(app_id),
  email TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('standard', 'sso')),
  password_hash TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL DEFAULT '',
  mobile TEXT NOT NULL DEFAULT '',
  email_verified_at BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  UNIQUE (app_id, email)
);

CREATE TABLE sessions (
  session_id TEXT PRIMARY KEY,
  token_mac BYTEA NOT NULL UNIQUE,
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(user_id),
  kind TEXT NOT NULL CHECK (kind IN ('api', 'hosted')),
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  idle_timeout_ms BIGINT NOT NULL,
  absolute_expires_at BIGINT NOT NULL,
  revoked_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX sessions_user ON sessions (app_id, user_id);

CREATE TABLE email_tokens (
  token_mac BYTEA PRIMARY KEY,
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(user_id),
  purpose TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE outbox (
  message_id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  recipient TEXT NOT NULL,
  sealed_body BYTEA,
  status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
  attempts BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  sent_at BIGINT NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY,
  at_ms BIGINT NOT NULL,
  app_id TEXT NOT NULL,
  event TEXT NOT NULL,
  actor TEXT NOT NULL,
  subject TEXT NOT NULL,
  ip TEXT NOT NULL,
  request_id TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash BYTEA NOT NULL,
  hash BYTEA NOT NULL
);

CREATE TABLE audit_head (
  one BIGINT PRIMARY KEY CHECK (one = 1),
  seq BIGINT NOT NULL,
  hash BYTEA NOT NULL
);
INSERT INTO audit_head (one, seq, hash) VALUES (1, 0, '\x0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE idempotency (
  scope TEXT NOT NULL,
  ref TEXT NOT NULL,
  fingerprint BYTEA NOT NULL,
  created_at BIGINT NOT NULL,
  status BIGINT NOT NULL DEFAULT 0,
  body BYTEA,
  headers TEXT,
  PRIMARY KEY (scope, ref)
);

CREATE TABLE counters (
  key TEXT PRIMARY KEY,
  window_start BIGINT NOT NULL,
  count BIGINT NOT NULL
);
