-- 0004_user_lookups: purging an expired unverified user found its email tokens by a full scan,
-- so registration slowed as the tables grew; index them by application and user.
CREATE INDEX email_tokens_user ON email_tokens (app_id, user_id);
