-- 0006_transactions_push (PostgreSQL): PSD2 transaction authentication (SPEC section 4) and push
-- factors. Mirrors migrations/sqlite/0006_transactions_push.sql; where SQLite rebuilds the
-- challenges table to widen its status CHECK with 'denied', PostgreSQL replaces the constraint.
ALTER TABLE challenges DROP CONSTRAINT challenges_status_check;
ALTER TABLE challenges ADD CONSTRAINT challenges_status_check
  CHECK (status IN ('pending', 'verified', 'locked', 'expired', 'superseded', 'denied'));
ALTER TABLE challenges ADD COLUMN tx_amount BIGINT NOT NULL DEFAULT 0;
ALTER TABLE challenges ADD COLUMN tx_currency TEXT NOT NULL DEFAULT '';
ALTER TABLE challenges ADD COLUMN tx_payee_name TEXT NOT NULL DEFAULT '';
ALTER TABLE challenges ADD COLUMN tx_payee_account TEXT NOT NULL DEFAULT '';
ALTER TABLE challenges ADD COLUMN tx_hash TEXT NOT NULL DEFAULT '';

CREATE TABLE authorizations (
  authorization_id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  challenge_id TEXT NOT NULL,
  transaction_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE beneficiaries (
  beneficiary_id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(user_id),
  name TEXT NOT NULL,
  account TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (app_id, user_id, account)
);

CREATE TABLE recurring_series (
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  series_id TEXT NOT NULL,
  transaction_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (app_id, user_id, series_id)
);

CREATE TABLE sca_state (
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  last_sca_at BIGINT NOT NULL DEFAULT 0,
  last_account_sca_at BIGINT NOT NULL DEFAULT 0,
  low_value_count BIGINT NOT NULL DEFAULT 0,
  low_value_sum_eur_cents BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (app_id, user_id)
);

CREATE TABLE exemption_ledger (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  exemption TEXT NOT NULL,
  amount BIGINT NOT NULL,
  currency TEXT NOT NULL,
  eur_cents BIGINT NOT NULL,
  at_ms BIGINT NOT NULL
);
CREATE INDEX exemption_ledger_time ON exemption_ledger (at_ms);

ALTER TABLE apps ADD COLUMN low_value_rates TEXT NOT NULL DEFAULT '{}';

ALTER TABLE factors ADD COLUMN push_channel TEXT NOT NULL DEFAULT '';
ALTER TABLE factors ADD COLUMN push_public_key BYTEA;
ALTER TABLE factors ADD COLUMN push_address TEXT NOT NULL DEFAULT '';
