-- 0016_keyring: the key ring (src/service/keyring.c), one row: the master key's check value
-- (a node whose master key gives another refuses to start) and the data keys (MACs, sealing,
-- the audit chain, device cookies) wrapped under the master key, so that the master key can be
-- replaced (`twofold key rotate`) while they stay. Filled at the first start, not here: a
-- database migrated by `twofold migrate` alone has no key yet.
CREATE TABLE keyring (
  one INTEGER PRIMARY KEY CHECK (one = 1),
  check_value BLOB NOT NULL,
  wrapped_keys BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  rotated_at INTEGER NOT NULL DEFAULT 0
);
