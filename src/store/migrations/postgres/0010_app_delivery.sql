-- 0010_app_delivery (PostgreSQL): an application's own delivery settings (Twilio, SMTP), sealed
-- with the server's key because they hold credentials. Mirrors
-- migrations/sqlite/0010_app_delivery.sql.
ALTER TABLE apps ADD COLUMN delivery_sealed BYTEA;
