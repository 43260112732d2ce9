-- 0010_app_delivery: an application's own delivery settings (Twilio, SMTP), sealed with the
-- server's key because they hold credentials.
ALTER TABLE apps ADD COLUMN delivery_sealed BLOB;
