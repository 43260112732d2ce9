-- 0013_lookup_indexes: the indexes that find a user's rows lead with user_id. User ids are
-- unique across applications, so the lookups that name both app_id and user_id are served the
-- same. Deleting a user (an expired unverified one whose email registers again) has the
-- database check that no row still points at it, by user_id alone: led by app_id, these
-- indexes could not serve that check, and each such delete read the index of every session,
-- factor, device, email token and transaction of every application while holding the writer.
-- sso_tokens had no index by user at all, so every registration read the whole table
-- (store_sqlite_sql.c's Q_USER_PURGE_SSO), and the users' deletes read it once more;
-- beneficiaries' unique (app_id, user_id, account) could not serve the check either.
-- IF NOT EXISTS: on a large PostgreSQL database, build these first with CREATE INDEX
-- CONCURRENTLY under the same names (README: several nodes); the migration then only drops.
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_id, app_id);
DROP INDEX IF EXISTS sessions_user;
CREATE INDEX IF NOT EXISTS factors_by_user ON factors (user_id, app_id);
DROP INDEX IF EXISTS factors_user;
CREATE INDEX IF NOT EXISTS devices_by_user ON devices (user_id, app_id);
DROP INDEX IF EXISTS devices_user;
CREATE INDEX IF NOT EXISTS email_tokens_by_user ON email_tokens (user_id, app_id);
DROP INDEX IF EXISTS email_tokens_user;
CREATE INDEX IF NOT EXISTS transactions_by_user ON transactions (user_id, app_id);
DROP INDEX IF EXISTS transactions_user;
CREATE INDEX IF NOT EXISTS sso_tokens_user ON sso_tokens (user_id);
CREATE INDEX IF NOT EXISTS beneficiaries_user ON beneficiaries (user_id);

-- A verified payment challenge approves the transactions it was issued for, found by
-- challenge_id (Q_TXN_BY_CHALLENGE): no index had it, so every approval read all of the
-- application's transactions, in the writer's transaction.
CREATE INDEX IF NOT EXISTS transactions_challenge ON transactions (challenge_id) WHERE challenge_id != '';
