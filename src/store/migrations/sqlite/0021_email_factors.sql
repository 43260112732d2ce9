-- 0021_email_factors: codes by email as a factor (SPEC section 3, type email): a factor keeps
-- the address its codes go to (lower case, '' for other types). The factors table is rebuilt
-- because its type CHECK gains 'email' (the migration runs with foreign keys off and checks
-- them before it commits, so the rows that reference factors stay).
CREATE TABLE factors_new (
  factor_id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(user_id),
  type TEXT NOT NULL CHECK (type IN ('sms', 'voice', 'totp', 'backup_codes', 'push', 'passkey', 'email')),
  status TEXT NOT NULL CHECK (status IN ('pending_verification', 'active')),
  phone TEXT NOT NULL DEFAULT '',
  secret_sealed BLOB,
  totp_algorithm TEXT NOT NULL DEFAULT 'SHA1',
  totp_digits INTEGER NOT NULL DEFAULT 6,
  last_totp_step INTEGER NOT NULL DEFAULT -1,
  preferred INTEGER NOT NULL DEFAULT 0,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  blocked_until INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  activated_at INTEGER NOT NULL DEFAULT 0,
  enrolment_challenge_id TEXT NOT NULL DEFAULT '',
  push_channel TEXT NOT NULL DEFAULT '',
  push_public_key BLOB,
  push_address TEXT NOT NULL DEFAULT '',
  last_send_at INTEGER NOT NULL DEFAULT 0,
  name TEXT NOT NULL DEFAULT '',
  credential_id TEXT NOT NULL DEFAULT '',
  credential_key BLOB,
  credential_alg INTEGER NOT NULL DEFAULT 0,
  credential_sign_count INTEGER NOT NULL DEFAULT 0,
  credential_aaguid TEXT NOT NULL DEFAULT '',
  credential_flags INTEGER NOT NULL DEFAULT 0,
  credential_transports TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL DEFAULT ''
);
INSERT INTO factors_new (factor_id, app_id, user_id, type, status, phone, secret_sealed, totp_algorithm, totp_digits,
  last_totp_step, preferred, consecutive_failures, blocked_until, created_at, activated_at, enrolment_challenge_id,
  push_channel, push_public_key, push_address, last_send_at, name, credential_id, credential_key, credential_alg,
  credential_sign_count, credential_aaguid, credential_flags, credential_transports)
  SELECT factor_id, app_id, user_id, type, status, phone, secret_sealed, totp_algorithm, totp_digits, last_totp_step,
    preferred, consecutive_failures, blocked_until, created_at, activated_at, enrolment_challenge_id, push_channel,
    push_public_key, push_address, last_send_at, name, credential_id, credential_key, credential_alg,
    credential_sign_count, credential_aaguid, credential_flags, credential_transports FROM factors;
DROP TABLE factors;
ALTER TABLE factors_new RENAME TO factors;
CREATE INDEX factors_by_user ON factors (user_id, app_id);
CREATE UNIQUE INDEX factors_credential ON factors (app_id, credential_id) WHERE credential_id <> '';
