-- 0019_passkey_logins: the challenges of sign-ins without a username (POST /v1/login/passkey):
-- made before the user is known, so they name only the application; each is used once, right
-- or wrong, and swept once expired.
CREATE TABLE login_challenges (
  challenge_id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  challenge TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX login_challenges_expiry ON login_challenges (expires_at);
