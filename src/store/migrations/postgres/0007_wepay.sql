-- 0007_wepay (PostgreSQL): what the WePay v2 face (faces/wepay_*.c) keeps beside the native
-- rows. Mirrors migrations/sqlite/0007_wepay.sql: each user and factor the face shows gets a
-- random long integer id, unique across applications, made on first sight and never changed.
-- Rows go with the user or factor they describe.
CREATE TABLE wepay_users (
  user_id TEXT PRIMARY KEY REFERENCES users(user_id) ON DELETE CASCADE,
  app_id TEXT NOT NULL,
  wepay_user_id BIGINT NOT NULL UNIQUE,
  first_name TEXT NOT NULL DEFAULT '',
  last_name TEXT NOT NULL DEFAULT '',
  scope TEXT NOT NULL DEFAULT '',
  original_ip TEXT NOT NULL DEFAULT '',
  original_device TEXT NOT NULL DEFAULT '',
  tos_acceptance_time BIGINT NOT NULL DEFAULT 0,
  redirect_uri TEXT NOT NULL DEFAULT '',
  callback_uri TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);

CREATE TABLE wepay_mfa (
  factor_id TEXT PRIMARY KEY REFERENCES factors(factor_id) ON DELETE CASCADE,
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  mfa_id BIGINT NOT NULL UNIQUE,
  nickname TEXT NOT NULL DEFAULT '',
  last_challenge_id TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX wepay_mfa_user ON wepay_mfa (app_id, user_id);
