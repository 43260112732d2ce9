-- 0005_sso_hosted (PostgreSQL): one-time SSO tokens (SPEC section 7) and what a hosted-pages
-- session remembers (SPEC section 8). Mirrors migrations/sqlite/0005_sso_hosted.sql.
CREATE TABLE sso_tokens (
  token_mac BYTEA PRIMARY KEY,
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(user_id),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX sso_tokens_expiry ON sso_tokens (expires_at);

ALTER TABLE sessions ADD COLUMN redirect_uri TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN mfa_pending BIGINT NOT NULL DEFAULT 0;
