-- 0005_sso_hosted: one-time SSO tokens (SPEC section 7) and what a hosted-pages session
-- remembers: where the application wants the user back, and whether the user still owes
-- a second factor before any page but the challenge (SPEC section 8).
CREATE TABLE sso_tokens (
  token_mac BLOB PRIMARY KEY,
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(user_id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sso_tokens_expiry ON sso_tokens (expires_at);

ALTER TABLE sessions ADD COLUMN redirect_uri TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN mfa_pending INTEGER NOT NULL DEFAULT 0;
