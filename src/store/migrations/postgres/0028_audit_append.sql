-- 0028_audit_append: PostgreSQL numbers and chains an audit event itself, in the statement that
-- appends it (store_sql.c AUDIT_APPEND), so that a chain's head row is locked and released
-- within the server's own work at a transaction's end: the statement goes with the COMMIT in
-- one pipeline, and no round trip to twofold falls inside the hold.
-- twofold_audit_event_hash: core/audit_chain.c's audit_event_hash (docs/audit.md), in SQL: SHA-256
--   over each part as its length (4 bytes, big-endian) and its UTF-8 bytes; numbers in decimal,
--   the previous hash in lowercase hex.
-- audit_chain_heads.prev_hash: the hash the newest event chains from.
ALTER TABLE audit_chain_heads ADD COLUMN prev_hash BYTEA NOT NULL DEFAULT decode(repeat('00', 32), 'hex');
CREATE FUNCTION twofold_audit_part(t TEXT) RETURNS BYTEA LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT int4send(octet_length(b)) || b FROM (SELECT convert_to(t, 'UTF8') AS b) AS x $$;
CREATE FUNCTION twofold_audit_event_hash(chain TEXT, seq BIGINT, at_ms BIGINT, type TEXT, actor TEXT,
  subject TEXT, ip TEXT, request_id TEXT, details TEXT, prev BYTEA) RETURNS BYTEA
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT sha256(twofold_audit_part('twofold-audit-event-v1') || twofold_audit_part(chain) ||
    twofold_audit_part(seq::text) || twofold_audit_part(at_ms::text) || twofold_audit_part(type) ||
    twofold_audit_part(actor) || twofold_audit_part(subject) || twofold_audit_part(ip) ||
    twofold_audit_part(request_id) || twofold_audit_part(details) ||
    twofold_audit_part(encode(prev, 'hex'))) $$;
