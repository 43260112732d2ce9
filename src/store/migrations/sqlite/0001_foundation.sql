-- 0001_foundation: applications, users, sessions, email tokens, outbox, audit chain,
-- idempotency records and rate counters. Times are milliseconds since the epoch (UTC).
CREATE TABLE apps (
  app_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  client_id TEXT NOT NULL UNIQUE,
  client_secret_sealed BLOB NOT NULL,
  api_key_mac BLOB NOT NULL UNIQUE,
  sandbox INTEGER NOT NULL DEFAULT 0,
  can_mark_email_verified INTEGER NOT NULL DEFAULT 0,
  can_register_sso INTEGER NOT NULL DEFAULT 1,
  redirect_uri_prefixes TEXT NOT NULL DEFAULT '[]',
  sso_login_url TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);

CREATE TABLE users (
  user_id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(app_id),
  email TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('standard', 'sso')),
  password_hash TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL DEFAULT '',
  mobile TEXT NOT NULL DEFAULT '',
  email_verified_at INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  UNIQUE (app_id, email)
);

CREATE TABLE sessions (
  session_id TEXT PRIMARY KEY,
  token_mac BLOB NOT NULL UNIQUE,
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(user_id),
  kind TEXT NOT NULL CHECK (kind IN ('api', 'hosted')),
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  idle_timeout_ms INTEGER NOT NULL,
  absolute_expires_at INTEGER NOT NULL,
  revoked_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_user ON sessions (app_id, user_id);

CREATE TABLE email_tokens (
  token_mac BLOB PRIMARY KEY,
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(user_id),
  purpose TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE outbox (
  message_id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  recipient TEXT NOT NULL,
  sealed_body BLOB,
  status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  sent_at INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  at_ms INTEGER NOT NULL,
  app_id TEXT NOT NULL,
  event TEXT NOT NULL,
  actor TEXT NOT NULL,
  subject TEXT NOT NULL,
  ip TEXT NOT NULL,
  request_id TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash BLOB NOT NULL,
  hash BLOB NOT NULL
);

CREATE TABLE idempotency (
  scope TEXT NOT NULL,
  ref TEXT NOT NULL,
  fingerprint BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  status INTEGER NOT NULL DEFAULT 0,
  body TEXT,
  headers TEXT,
  PRIMARY KEY (scope, ref)
);

CREATE TABLE counters (
  key TEXT PRIMARY KEY,
  window_start INTEGER NOT NULL,
  count INTEGER NOT NULL
);
