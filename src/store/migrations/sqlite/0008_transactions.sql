-- 0008_transactions: payments as resources (transaction SCA): POST /v1/transactions
-- creates one in PENDING_CHALLENGE, or INITIALISED when an exemption applies; a verified
-- transaction challenge approves it (the Weavr face's sends and confirmation challenges).
CREATE TABLE transactions (
  transaction_id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(user_id),
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  payee_name TEXT NOT NULL,
  payee_account TEXT NOT NULL,
  transaction_hash TEXT NOT NULL,
  external_reference TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('PENDING_CHALLENGE', 'INITIALISED', 'APPROVED')),
  exemption TEXT NOT NULL DEFAULT '',
  challenge_id TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  approved_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX transactions_user ON transactions (app_id, user_id);
CREATE INDEX challenges_latest ON challenges (session_id, factor_id, purpose, created_at);
