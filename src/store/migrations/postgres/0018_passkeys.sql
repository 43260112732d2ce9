-- 0018_passkeys: WebAuthn credentials as factors (SPEC section 3, type passkey). An application
-- keeps its relying-party settings (JSON, '' when it has none); a user gets an opaque random
-- user handle the first time a passkey is made; a passkey factor keeps its credential id
-- (base64url, unique in the application), its COSE public key, signature counter, AAGUID, flags
-- and transports; a challenge keeps the WebAuthn challenge it issued. The factors type CHECK
-- gains 'passkey'.
ALTER TABLE apps ADD COLUMN webauthn TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN webauthn_user_handle TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX users_webauthn_handle ON users (app_id, webauthn_user_handle) WHERE webauthn_user_handle <> '';

ALTER TABLE factors DROP CONSTRAINT factors_type_check;
ALTER TABLE factors ADD CONSTRAINT factors_type_check
  CHECK (type IN ('sms', 'voice', 'totp', 'backup_codes', 'push', 'passkey'));
ALTER TABLE factors ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE factors ADD COLUMN credential_id TEXT NOT NULL DEFAULT '';
ALTER TABLE factors ADD COLUMN credential_key BYTEA;
ALTER TABLE factors ADD COLUMN credential_alg INTEGER NOT NULL DEFAULT 0;
ALTER TABLE factors ADD COLUMN credential_sign_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE factors ADD COLUMN credential_aaguid TEXT NOT NULL DEFAULT '';
ALTER TABLE factors ADD COLUMN credential_flags INTEGER NOT NULL DEFAULT 0;
ALTER TABLE factors ADD COLUMN credential_transports TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX factors_credential ON factors (app_id, credential_id) WHERE credential_id <> '';

ALTER TABLE challenges ADD COLUMN webauthn_challenge TEXT NOT NULL DEFAULT '';
