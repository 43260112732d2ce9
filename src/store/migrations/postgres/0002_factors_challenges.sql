-- 0002_factors_challenges (PostgreSQL): second factors, backup-code sheets, challenges, the
-- step-up state and send counts of a session, and each application's TOTP parameters.
-- Mirrors migrations/sqlite/0002_factors_challenges.sql.
ALTER TABLE apps ADD COLUMN totp_algorithm TEXT NOT NULL DEFAULT 'SHA1';
ALTER TABLE apps ADD COLUMN totp_digits BIGINT NOT NULL DEFAULT 6;

ALTER TABLE sessions ADD COLUMN stepped_up_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN last_send_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN stepup_sends BIGINT NOT NULL DEFAULT 0;

CREATE TABLE factors (
  factor_id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(user_id),
  type TEXT NOT NULL CHECK (type IN ('sms', 'voice', 'totp', 'backup_codes', 'push')),
  status TEXT NOT NULL CHECK (status IN ('pending_verification', 'active')),
  phone TEXT NOT NULL DEFAULT '',
  secret_sealed BYTEA,
  totp_algorithm TEXT NOT NULL DEFAULT 'SHA1',
  totp_digits BIGINT NOT NULL DEFAULT 6,
  last_totp_step BIGINT NOT NULL DEFAULT -1,
  preferred BIGINT NOT NULL DEFAULT 0,
  consecutive_failures BIGINT NOT NULL DEFAULT 0,
  blocked_until BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  activated_at BIGINT NOT NULL DEFAULT 0,
  enrolment_challenge_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX factors_user ON factors (app_id, user_id);

CREATE TABLE backup_codes (
  factor_id TEXT NOT NULL REFERENCES factors(factor_id) ON DELETE CASCADE,
  idx BIGINT NOT NULL,
  code_hash TEXT NOT NULL,
  used_at BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (factor_id, idx)
);

CREATE TABLE challenges (
  challenge_id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  factor_id TEXT NOT NULL REFERENCES factors(factor_id) ON DELETE CASCADE,
  session_id TEXT NOT NULL DEFAULT '',
  purpose TEXT NOT NULL CHECK (purpose IN ('enrolment', 'login', 'stepup', 'transaction')),
  status TEXT NOT NULL CONSTRAINT challenges_status_check
    CHECK (status IN ('pending', 'verified', 'locked', 'expired', 'superseded')),
  code_mac BYTEA,
  attempts BIGINT NOT NULL DEFAULT 0,
  max_attempts BIGINT NOT NULL DEFAULT 5,
  sends BIGINT NOT NULL DEFAULT 0,
  last_sent_at BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  verified_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX challenges_session ON challenges (session_id, status);
CREATE INDEX challenges_factor ON challenges (factor_id, status);
