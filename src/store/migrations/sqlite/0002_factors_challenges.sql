-- 0002_factors_challenges: second factors, backup-code sheets, challenges, the step-up state
-- and send counts of a session, and each application's TOTP parameters.
ALTER TABLE apps ADD COLUMN totp_algorithm TEXT NOT NULL DEFAULT 'SHA1';
ALTER TABLE apps ADD COLUMN totp_digits INTEGER NOT NULL DEFAULT 6;

ALTER TABLE sessions ADD COLUMN stepped_up_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN last_send_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN stepup_sends INTEGER NOT NULL DEFAULT 0;

CREATE TABLE factors (
  factor_id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(user_id),
  type TEXT NOT NULL CHECK (type IN ('sms', 'voice', 'totp', 'backup_codes', 'push')),
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
  enrolment_challenge_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX factors_user ON factors (app_id, user_id);

CREATE TABLE backup_codes (
  factor_id TEXT NOT NULL REFERENCES factors(factor_id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  code_hash TEXT NOT NULL,
  used_at INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (factor_id, idx)
);

CREATE TABLE challenges (
  challenge_id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  factor_id TEXT NOT NULL REFERENCES factors(factor_id) ON DELETE CASCADE,
  session_id TEXT NOT NULL DEFAULT '',
  purpose TEXT NOT NULL CHECK (purpose IN ('enrolment', 'login', 'stepup', 'transaction')),
  status TEXT NOT NULL CHECK (status IN ('pending', 'verified', 'locked', 'expired', 'superseded')),
  code_mac BLOB,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL DEFAULT 5,
  sends INTEGER NOT NULL DEFAULT 0,
  last_sent_at INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  verified_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX challenges_session ON challenges (session_id, status);
CREATE INDEX challenges_factor ON challenges (factor_id, status);
