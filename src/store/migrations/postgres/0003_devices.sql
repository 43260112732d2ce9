-- 0003_devices (PostgreSQL): trusted devices (SPEC section 5). A device record backs each device
-- cookie; revocation marks it, and the revocation cache reads revoked_at. Mirrors
-- migrations/sqlite/0003_devices.sql.
CREATE TABLE devices (
  device_id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(user_id),
  kind TEXT NOT NULL CHECK (kind IN ('persistent', 'session')),
  domain TEXT NOT NULL CHECK (domain IN ('api', 'hosted')),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT NOT NULL DEFAULT 0,
  challenge_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX devices_user ON devices (app_id, user_id);
CREATE INDEX devices_revoked ON devices (revoked_at) WHERE revoked_at > 0;
