-- 0006_transactions_push: PSD2 transaction authentication (SPEC section 4): a challenge carries
-- the transaction it authenticates and its hash (dynamic linking); a verified one leaves a
-- single-use authorisation; trusted beneficiaries, recurring series, each user's SCA state
-- for the low-value and account-information exemptions, and the exemption ledger (RTS art.
-- 21). Push factors keep a channel, the device's Ed25519 public key and a push address; a push
-- challenge can be denied. The challenges table is rebuilt because its status CHECK gains
-- 'denied'.
CREATE TABLE challenges_new (
  challenge_id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  factor_id TEXT NOT NULL REFERENCES factors(factor_id) ON DELETE CASCADE,
  session_id TEXT NOT NULL DEFAULT '',
  purpose TEXT NOT NULL CHECK (purpose IN ('enrolment', 'login', 'stepup', 'transaction')),
  status TEXT NOT NULL CHECK (status IN ('pending', 'verified', 'locked', 'expired', 'superseded', 'denied')),
  code_mac BLOB,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL DEFAULT 5,
  sends INTEGER NOT NULL DEFAULT 0,
  last_sent_at INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  verified_at INTEGER NOT NULL DEFAULT 0,
  tx_amount INTEGER NOT NULL DEFAULT 0,
  tx_currency TEXT NOT NULL DEFAULT '',
  tx_payee_name TEXT NOT NULL DEFAULT '',
  tx_payee_account TEXT NOT NULL DEFAULT '',
  tx_hash TEXT NOT NULL DEFAULT ''
);
INSERT INTO challenges_new (challenge_id, app_id, user_id, factor_id, session_id, purpose, status, code_mac, attempts,
  max_attempts, sends, last_sent_at, created_at, expires_at, verified_at)
  SELECT challenge_id, app_id, user_id, factor_id, session_id, purpose, status, code_mac, attempts, max_attempts, sends,
    last_sent_at, created_at, expires_at, verified_at FROM challenges;
DROP TABLE challenges;
ALTER TABLE challenges_new RENAME TO challenges;
CREATE INDEX challenges_session ON challenges (session_id, status);
CREATE INDEX challenges_factor ON challenges (factor_id, status);

CREATE TABLE authorizations (
  authorization_id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  challenge_id TEXT NOT NULL,
  transaction_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE beneficiaries (
  beneficiary_id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(user_id),
  name TEXT NOT NULL,
  account TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (app_id, user_id, account)
);

CREATE TABLE recurring_series (
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  series_id TEXT NOT NULL,
  transaction_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (app_id, user_id, series_id)
);

CREATE TABLE sca_state (
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  last_sca_at INTEGER NOT NULL DEFAULT 0,
  last_account_sca_at INTEGER NOT NULL DEFAULT 0,
  low_value_count INTEGER NOT NULL DEFAULT 0,
  low_value_sum_eur_cents INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (app_id, user_id)
);

CREATE TABLE exemption_ledger (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  exemption TEXT NOT NULL,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  eur_cents INTEGER NOT NULL,
  at_ms INTEGER NOT NULL
);
CREATE INDEX exemption_ledger_time ON exemption_ledger (at_ms);

ALTER TABLE apps ADD COLUMN low_value_rates TEXT NOT NULL DEFAULT '{}';

ALTER TABLE factors ADD COLUMN push_channel TEXT NOT NULL DEFAULT '';
ALTER TABLE factors ADD COLUMN push_public_key BLOB;
ALTER TABLE factors ADD COLUMN push_address TEXT NOT NULL DEFAULT '';
