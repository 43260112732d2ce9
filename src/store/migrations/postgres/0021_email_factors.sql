-- 0021_email_factors: codes by email as a factor (SPEC section 3, type email): a factor keeps
-- the address its codes go to (lower case, '' for other types). The factors type CHECK gains
-- 'email'.
ALTER TABLE factors DROP CONSTRAINT factors_type_check;
ALTER TABLE factors ADD CONSTRAINT factors_type_check
  CHECK (type IN ('sms', 'voice', 'totp', 'backup_codes', 'push', 'passkey', 'email'));
ALTER TABLE factors ADD COLUMN email TEXT NOT NULL DEFAULT '';
