-- 0009_send_policy: each application's caps on SMS and voice sends and its allowed countries
-- (SPEC section 4, send abuse): a JSON object, '{}' for the server's defaults.
ALTER TABLE apps ADD COLUMN send_policy TEXT NOT NULL DEFAULT '{}';
