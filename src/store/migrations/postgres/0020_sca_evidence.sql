-- 0020_sca_evidence: what a passkey's verified answer proved, kept beside the SCA it counts as
-- (SPEC section 3, passkeys): the assertion as signed (authenticator data, client data,
-- signature; base64url), the credential and its public key (COSE), the PSD2 elements it
-- proved and, for a payment, the transaction hash, so that anyone can check it afterwards.
CREATE TABLE sca_evidence (
  challenge_id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  factor_id TEXT NOT NULL,
  purpose TEXT NOT NULL,
  transaction_hash TEXT NOT NULL DEFAULT '',
  credential_id TEXT NOT NULL,
  public_key BYTEA NOT NULL,
  alg BIGINT NOT NULL,
  authenticator_data TEXT NOT NULL,
  client_data TEXT NOT NULL,
  signature TEXT NOT NULL,
  user_verified BIGINT NOT NULL,
  spc BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX sca_evidence_user ON sca_evidence (app_id, user_id);
