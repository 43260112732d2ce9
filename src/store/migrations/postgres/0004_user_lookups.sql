-- 0004_user_lookups (PostgreSQL): index email tokens by application and user (purging an
-- expired unverified user finds them). Mirrors migrations/sqlite/0004_user_lookups.sql.
CREATE INDEX email_tokens_user ON email_tokens (app_id, user_id);
