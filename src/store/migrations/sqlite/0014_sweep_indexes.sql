-- 0014_sweep_indexes: the sweeper (src/service/sweeper.c) deletes ended rows in batches,
-- found through these indexes by the time they ended; without them each batch would read the
-- whole table. sso_tokens_expiry (0005) and outbox_due (0001) serve their tables already.
-- IF NOT EXISTS: they can be built beforehand with CREATE INDEX CONCURRENTLY (see 0013).
CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (absolute_expires_at);
CREATE INDEX IF NOT EXISTS challenges_expiry ON challenges (expires_at);
CREATE INDEX IF NOT EXISTS email_tokens_expiry ON email_tokens (expires_at);
CREATE INDEX IF NOT EXISTS idempotency_created ON idempotency (created_at);
CREATE INDEX IF NOT EXISTS counters_window ON counters (window_start);
CREATE INDEX IF NOT EXISTS devices_expiry ON devices (expires_at);
