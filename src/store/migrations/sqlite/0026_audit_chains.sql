-- 0026_audit_chains: one audit chain per application and one for the deployment
-- (core/audit_chain.h), their signed heads, and the public half of the key that signs them.
-- audit_log keeps the rows of the single chain before: they are moved into these chains, and
-- checked once more, at the first start with the keys (service/audit.c), which empties it.
CREATE TABLE audit_events (
  chain TEXT NOT NULL,
  seq INTEGER NOT NULL,
  at_ms INTEGER NOT NULL,
  type TEXT NOT NULL,
  actor TEXT NOT NULL,
  subject TEXT NOT NULL,
  ip TEXT NOT NULL,
  request_id TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash BLOB NOT NULL,
  hash BLOB NOT NULL,
  PRIMARY KEY (chain, seq)
) WITHOUT ROWID; -- one b-tree, in chain order: an append writes one row, not a row and an index entry

-- every chain there is, from its first event on
CREATE TABLE audit_chains (
  chain TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL
);

CREATE TABLE audit_signed_heads (
  chain TEXT NOT NULL,
  seq INTEGER NOT NULL,
  hash BLOB NOT NULL,
  signed_at INTEGER NOT NULL,
  signature BLOB NOT NULL,
  PRIMARY KEY (chain, seq)
) WITHOUT ROWID;

-- the Ed25519 public key of the deployment's audit key (DATA/audit.key): a node with another
-- key refuses to start, as with the master key
CREATE TABLE audit_signing_key (
  one INTEGER PRIMARY KEY CHECK (one = 1),
  public_key BLOB NOT NULL,
  created_at INTEGER NOT NULL
);
