-- 0016_keyring (PostgreSQL): the key ring, one row: the master key's check value and the data
-- keys wrapped under the master key. Mirrors migrations/sqlite/0016_keyring.sql.
CREATE TABLE keyring (
  one BIGINT PRIMARY KEY CHECK (one = 1),
  check_value BYTEA NOT NULL,
  wrapped_keys BYTEA NOT NULL,
  created_at BIGINT NOT NULL,
  rotated_at BIGINT NOT NULL DEFAULT 0
);
