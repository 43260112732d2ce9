-- 0026_audit_chains (PostgreSQL): one audit chain per application and one for the deployment
-- (core/audit_chain.h), their signed heads, and the public half of the key that signs them.
-- audit_log keeps the rows of the single chain before: they are moved into these chains, and
-- checked once more, at the first start with the keys (service/audit.c), which empties it.
CREATE TABLE audit_events (
  chain TEXT NOT NULL,
  seq BIGINT NOT NULL,
  at_ms BIGINT NOT NULL,
  type TEXT NOT NULL,
  actor TEXT NOT NULL,
  subject TEXT NOT NULL,
  ip TEXT NOT NULL,
  request_id TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash BYTEA NOT NULL,
  hash BYTEA NOT NULL,
  PRIMARY KEY (chain, seq)
);

-- every chain there is, from its first event on
CREATE TABLE audit_chains (
  chain TEXT PRIMARY KEY,
  created_at BIGINT NOT NULL
);

CREATE TABLE audit_signed_heads (
  chain TEXT NOT NULL,
  seq BIGINT NOT NULL,
  hash BYTEA NOT NULL,
  signed_at BIGINT NOT NULL,
  signature BYTEA NOT NULL,
  PRIMARY KEY (chain, seq)
);

-- the Ed25519 public key of the deployment's audit key (DATA/audit.key): a node with another
-- key refuses to start, as with the master key
CREATE TABLE audit_signing_key (
  one BIGINT PRIMARY KEY CHECK (one = 1),
  public_key BYTEA NOT NULL,
  created_at BIGINT NOT NULL
);

-- each chain's newest event, locked FOR UPDATE by the chain's writers until they commit, so that
-- the chain stays one line across nodes (SQLite's single writer does that by itself); writers of
-- different chains never wait for each other. It replaces audit_head, the one row every write
-- of every application took.
CREATE TABLE audit_chain_heads (
  chain TEXT PRIMARY KEY,
  seq BIGINT NOT NULL,
  hash BYTEA NOT NULL
);
DROP TABLE audit_head;
