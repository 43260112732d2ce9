-- 0014_sweep_indexes: the sweeper (src/service/sweeper.c) deletes ended rows in batches,
-- found through these indexes by the time they ended; without them each batch would read the
-- whole table. sso_tokens_expiry (0005) and outbox_due (0001) serve their tables already.
CREATE INDEX sessions_expiry ON sessions (absolute_expires_at);
CREATE INDEX challenges_expiry ON challenges (expires_at);
CREATE INDEX email_tokens_expiry ON email_tokens (expires_at);
CREATE INDEX idempotency_created ON idempotency (created_at);
CREATE INDEX counters_window ON counters (window_start);
CREATE INDEX devices_expiry ON devices (expires_at);
