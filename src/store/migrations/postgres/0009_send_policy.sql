-- 0009_send_policy (PostgreSQL): each application's caps on SMS and voice sends and its allowed
-- countries (SPEC section 4, send abuse): a JSON object, '{}' for the server's defaults.
-- Mirrors migrations/sqlite/0009_send_policy.sql.
ALTER TABLE apps ADD COLUMN send_policy TEXT NOT NULL DEFAULT '{}';
