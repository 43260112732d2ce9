-- 0017_email_change: when the user first confirmed an email address. A user whose address
-- changed (WePay's /user/change_email) is unconfirmed again, but one who has confirmed an
-- address before is never purged as an unconfirmed registration (unverified_user_ttl).
ALTER TABLE users ADD COLUMN IF NOT EXISTS first_verified_at BIGINT NOT NULL DEFAULT 0;
UPDATE users SET first_verified_at = email_verified_at WHERE first_verified_at = 0;
