-- 0008_transactions (PostgreSQL): payments as resources. Mirrors
-- migrations/sqlite/0008_transactions.sql. PostgreSQL has no rowid: challenges gain an
-- insertion ordinal that breaks ties between challenges created in the same millisecond.
CREATE TABLE transactions (
  transaction_id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(user_id),
  amount BIGINT NOT NULL,
  currency TEXT NOT NULL,
  payee_name TEXT NOT NULL,
  payee_account TEXT NOT NULL,
  transaction_hash TEXT NOT NULL,
  external_reference TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('PENDING_CHALLENGE', 'INITIALISED', 'APPROVED')),
  exemption TEXT NOT NULL DEFAULT '',
  challenge_id TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  approved_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX transactions_user ON transactions (app_id, user_id);
ALTER TABLE challenges ADD COLUMN ordinal BIGINT GENERATED ALWAYS AS IDENTITY;
CREATE INDEX challenges_latest ON challenges (session_id, factor_id, purpose, created_at);
