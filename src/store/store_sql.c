/*
 * store_sql.c: the SQL of every statement of the store, for both dialects, in one place for
 * review: every statement is parameterised and every tenant lookup matches app_id.
 *
 * One text serves both dialects, with PostgreSQL's placeholders ($1, $2...; the SQLite driver
 * makes them ?1, ?2...) and its COLLATE "C" where rows are ordered by text, so that both order
 * them bytewise (SQLite's default, which its driver keeps by dropping the clause). A dialect has
 * its own text only where the SQL truly differs: PostgreSQL's row locks (FOR UPDATE, SKIP
 * LOCKED), its audit chain's head row and advisory locks, rowid against ctid, and what
 * SQLite's single writer makes unnecessary.
 */
#include "store/store_sql.h"

#define APP_COLS                                                                                                 \
	"app_id, name, client_id, client_secret_sealed, api_key_mac, sandbox, can_mark_email_verified, "           \
	"can_register_sso, redirect_uri_prefixes, sso_login_url, created_at, totp_algorithm, totp_digits, "        \
	"low_value_rates, send_policy"
#define USER_COLS "app_id, user_id, email, type, password_hash, name, mobile, email_verified_at, created_at, first_verified_at"
#define SESSION_COLS                                                                                             \
	"session_id, token_mac, app_id, user_id, kind, created_at, last_seen_at, idle_timeout_ms, "                \
	"absolute_expires_at, revoked_at, stepped_up_at, last_send_at, stepup_sends"
#define OUTBOX_COLS "message_id, app_id, channel, recipient, sealed_body, status, attempts, created_at, next_attempt_at"
#define FACTOR_COLS                                                                                              \
	"factor_id, app_id, user_id, type, status, phone, secret_sealed, totp_algorithm, totp_digits, "            \
	"last_totp_step, preferred, consecutive_failures, blocked_until, created_at, activated_at, "               \
	"enrolment_challenge_id, push_channel, push_public_key, push_address"
#define BACKUP_REMAINING "(SELECT count(*) FROM backup_codes b WHERE b.factor_id = factors.factor_id AND b.used_at = 0)"
#define CHALLENGE_COLS                                                                                           \
	"challenge_id, app_id, user_id, factor_id, session_id, purpose, status, code_mac, attempts, max_attempts, " \
	"sends, last_sent_at, created_at, expires_at, verified_at, tx_amount, tx_currency, tx_payee_name, "        \
	"tx_payee_account, tx_hash"
#define TXN_COLS                                                                                                 \
	"transaction_id, app_id, user_id, amount, currency, payee_name, payee_account, transaction_hash, "         \
	"external_reference, state, exemption, challenge_id, created_at, approved_at"
#define AUDIT_COLS "seq, at_ms, app_id, event, actor, subject, ip, request_id, details, prev_hash, hash"
#define AUDIT_VALUES "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)"
#define WEPAY_USER_COLS                                                                                          \
	"app_id, user_id, wepay_user_id, first_name, last_name, scope, original_ip, original_device, "             \
	"tos_acceptance_time, redirect_uri, callback_uri, created_at"
#define WEPAY_MFA_COLS "app_id, user_id, factor_id, mfa_id, nickname, last_challenge_id, created_at"

/* an expired unverified user goes with everything that hangs on it (a factor's backup codes,
 * challenges and WePay row go with the factor, the user's WePay row with the user) */
#define EXPIRED_USER "app_id = $1 AND email = $2 AND first_verified_at = 0 AND created_at < $3"
#define PURGE(name, table)                                                                                       \
	{name, "DELETE FROM " table " WHERE app_id = $1 AND user_id IN (SELECT user_id FROM users WHERE " EXPIRED_USER ")"}

/* the newest challenge: ties in the same millisecond go to the later insert (PostgreSQL has no
 * rowid: its challenges have an insertion ordinal) */
#define CHALLENGE_LATEST(last)                                                                                   \
	"SELECT " CHALLENGE_COLS " FROM challenges WHERE app_id = $1 AND user_id = $2 AND session_id = $3 "        \
	"AND session_id != '' AND factor_id = $4 AND purpose = $5 ORDER BY created_at DESC, " last " DESC LIMIT 1"

/* a message claimed by one node's outbox worker is left to it for this long */
#define OUTBOX_LEASE "60000"
#define OUTBOX_DUE "WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at, created_at LIMIT $2"

/* the sweeper: ended rows of every application, at most $2, found through an index on the time
 * they ended (tests/api/test_query_plans.py); PostgreSQL finds them again by ctid, as an array
 * so that the delete fetches each by its TID */
#define SWEEP(name, table, from, ended)                                                                          \
	{name, NULL, "DELETE FROM " table " WHERE rowid IN (SELECT rowid FROM " from " WHERE " ended " LIMIT $2)",   \
	 "DELETE FROM " table " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " from " WHERE " ended " LIMIT $2))"}

#define KEYRING_GET "SELECT check_value, wrapped_keys, created_at, rotated_at FROM keyring WHERE one = 1"

/* every sealed value of every application, page by page in primary key order after $1 (and $2),
 * for re-sealing under a new key: the key ring's rotation, in one transaction */
#define SEALED_PAGE(table, key, col)                                                                             \
	{"sealed_page", "SELECT " key ", CAST('' AS TEXT), " col " FROM " table " WHERE " key " > $1 AND length(" col  \
			") > 0 ORDER BY " key " LIMIT $2"}
#define SEALED_PUT(table, key, col) {"sealed_put", "UPDATE " table " SET " col " = $1 WHERE " key " = $2"}

const struct stmt_sql stmt_table[S__MAX] = {
	[S_PING] = {"ping", "SELECT 1"},
	[S_APP_INSERT] = {"app_insert", "INSERT INTO apps (" APP_COLS ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)"},
	[S_APP_GET] = {"app_get", "SELECT " APP_COLS " FROM apps WHERE app_id = $1"},
	[S_APP_GET_BY_KEY] = {"app_get_by_api_key", "SELECT " APP_COLS " FROM apps WHERE api_key_mac = $1"},
	[S_APP_GET_BY_CLIENT_ID] = {"app_get_by_client_id", "SELECT " APP_COLS " FROM apps WHERE client_id = $1"},
	[S_APP_DELIVERY_SET] = {"app_delivery_set", "UPDATE apps SET delivery_sealed = $1 WHERE app_id = $2"},
	[S_APP_DELIVERY_GET] = {"app_delivery_get", "SELECT delivery_sealed FROM apps WHERE app_id = $1"},
	/* a taken email (or id) changes no row: EMAIL_TAKEN, and the transaction goes on */
	[S_USER_INSERT] = {"user_insert", "INSERT INTO users (" USER_COLS ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT DO NOTHING"},
	[S_USER_GET] = {"user_get", "SELECT " USER_COLS " FROM users WHERE app_id = $1 AND user_id = $2", .locks_user = true},
	[S_USER_GET_BY_EMAIL] = {"user_get_by_email", "SELECT " USER_COLS " FROM users WHERE app_id = $1 AND email = $2"},
	[S_USER_MARK_VERIFIED] = {"user_mark_verified", "UPDATE users SET email_verified_at = $1, first_verified_at = "
				  "CASE WHEN first_verified_at = 0 THEN $1 ELSE first_verified_at END "
				  "WHERE app_id = $2 AND user_id = $3 AND email_verified_at = 0"},
	[S_USER_SET_PASSWORD] = {"user_set_password", "UPDATE users SET password_hash = $1 WHERE app_id = $2 AND user_id = $3"},
	[S_USER_DROP_EMAIL_TOKENS] = {"user_drop_email_tokens", "DELETE FROM email_tokens WHERE app_id = $1 AND user_id = $2"},
	[S_USER_CHANGE_EMAIL] = {"user_change_email", "UPDATE users SET email = $3, email_verified_at = 0 WHERE app_id = $1 AND user_id = $2"},
	[S_USER_PURGE_SESSIONS] = PURGE("user_purge_sessions", "sessions"),
	[S_USER_PURGE_TOKENS] = PURGE("user_purge_tokens", "email_tokens"),
	[S_USER_PURGE_FACTORS] = PURGE("user_purge_factors", "factors"),
	[S_USER_PURGE_DEVICES] = PURGE("user_purge_devices", "devices"),
	[S_USER_PURGE_SSO] = PURGE("user_purge_sso", "sso_tokens"),
	[S_USER_PURGE_BENEFICIARIES] = PURGE("user_purge_beneficiaries", "beneficiaries"),
	[S_USER_PURGE_TXNS] = PURGE("user_purge_txns", "transactions"),
	[S_USER_PURGE] = {"user_purge", "DELETE FROM users WHERE " EXPIRED_USER},
	[S_USER_LOCK] = {"lock_user", NULL, NULL, "SELECT pg_advisory_xact_lock(hashtextextended($1::text || '/' || $2::text, 0))"},
	[S_SESSION_INSERT] = {"session_insert", "INSERT INTO sessions (" SESSION_COLS ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,0,0,0)"},
	[S_SESSION_GET] = {"session_get", "SELECT " SESSION_COLS " FROM sessions WHERE token_mac = $1 AND app_id = $2"},
	/* never backwards, and no write when nothing changes */
	[S_SESSION_TOUCH] = {"session_touch", "UPDATE sessions SET last_seen_at = $1 WHERE session_id = $2 AND last_seen_at < $1"},
	[S_SESSION_REVOKE] = {"session_revoke", "UPDATE sessions SET revoked_at = $1 WHERE app_id = $2 AND session_id = $3 AND revoked_at = 0"},
	[S_SESSION_STEPUP] = {"session_set_stepped_up", "UPDATE sessions SET stepped_up_at = $1 WHERE session_id = $2"},
	[S_SESSION_SEND_SWAP] = {"session_send_swap", "UPDATE sessions SET last_send_at = $1, stepup_sends = $2 "
				 "WHERE session_id = $3 AND last_send_at = $4 AND stepup_sends = $5"},
	[S_SESSION_SEND_STATE] = {"session_send_state", "SELECT last_send_at, stepup_sends FROM sessions WHERE session_id = $1"},
	[S_HOSTED_SESSION_INSERT] = {"hosted_session_insert", "INSERT INTO sessions (" SESSION_COLS ", redirect_uri, mfa_pending) "
				     "VALUES ($1,$2,$3,$4,'hosted',$5,$6,$7,$8,0,0,0,0,$9,$10)"},
	[S_HOSTED_SESSION_INFO] = {"hosted_session_info", "SELECT redirect_uri, mfa_pending FROM sessions WHERE session_id = $1 AND kind = 'hosted'"},
	[S_HOSTED_SESSION_MFA_PASSED] = {"hosted_session_mfa_passed", "UPDATE sessions SET mfa_pending = 0 WHERE session_id = $1 AND kind = 'hosted'"},
	[S_HOSTED_SESSIONS_REVOKE] = {"hosted_sessions_revoke", "UPDATE sessions SET revoked_at = $1 WHERE app_id = $2 AND user_id = $3 "
				      "AND kind = 'hosted' AND revoked_at = 0"},
	[S_EMAIL_TOKEN_INSERT] = {"email_token_insert", "INSERT INTO email_tokens (token_mac, app_id, user_id, purpose, created_at, expires_at) "
				  "VALUES ($1,$2,$3,$4,$5,$6)"},
	[S_EMAIL_TOKEN_GET] = {"email_token_get", "SELECT user_id, purpose, created_at, expires_at FROM email_tokens "
			       "WHERE token_mac = $1 AND app_id = $2 AND used_at = 0 AND expires_at > $3"},
	[S_EMAIL_TOKEN_USE] = {"email_token_use", "UPDATE email_tokens SET used_at = $3 WHERE token_mac = $1 AND app_id = $2 AND used_at = 0 "
			       "AND expires_at > $3"},
	[S_SSO_TOKEN_INSERT] = {"sso_token_insert", "INSERT INTO sso_tokens (token_mac, app_id, user_id, created_at, expires_at) VALUES ($1,$2,$3,$4,$5)"},
	[S_SSO_TOKEN_REDEEM] = {"sso_token_redeem", "UPDATE sso_tokens SET used_at = $1 WHERE token_mac = $2 AND app_id = $3 AND used_at = 0 "
				"AND expires_at > $1"},
	[S_SSO_TOKEN_GET] = {"sso_token_get", "SELECT user_id, created_at, expires_at, used_at FROM sso_tokens WHERE token_mac = $1 AND app_id = $2"},
	[S_FACTOR_SEND_SWAP] = {"factor_send_swap", "UPDATE factors SET last_send_at = $1 WHERE app_id = $2 AND factor_id = $3 AND last_send_at = $4"},
	[S_FACTOR_SEND_STATE] = {"factor_send_state", "SELECT last_send_at FROM factors WHERE app_id = $1 AND factor_id = $2"},
	[S_FACTOR_INSERT] = {"factor_insert", "INSERT INTO factors (" FACTOR_COLS ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,"
			     "$16,$17,$18,$19)"},
	[S_FACTOR_GET] = {"factor_get", "SELECT " FACTOR_COLS ", " BACKUP_REMAINING " FROM factors WHERE app_id = $1 AND user_id = $2 AND factor_id = $3", .locks_user = true},
	[S_FACTOR_LIST] = {"factor_list", "SELECT " FACTOR_COLS ", " BACKUP_REMAINING " FROM factors WHERE app_id = $1 AND user_id = $2 "
			   "ORDER BY created_at, factor_id COLLATE \"C\" LIMIT $3", .locks_user = true},
	[S_FACTOR_UPDATE] = {"factor_update", "UPDATE factors SET status = $1, activated_at = $2, last_totp_step = $3, consecutive_failures = $4, "
			     "blocked_until = $5, enrolment_challenge_id = $6 WHERE factor_id = $7 AND app_id = $8"},
	[S_FACTOR_CLEAR_PREFERRED] = {"factor_clear_preferred", "UPDATE factors SET preferred = 0 WHERE app_id = $1 AND user_id = $2 AND preferred = 1", .locks_user = true},
	[S_FACTOR_SET_PREFERRED] = {"factor_set_preferred", "UPDATE factors SET preferred = 1 WHERE app_id = $1 AND user_id = $2 AND factor_id = $3"},
	[S_FACTOR_DELETE] = {"factor_delete", "DELETE FROM factors WHERE app_id = $1 AND user_id = $2 AND factor_id = $3"},
	[S_BACKUP_DELETE] = {"backup_codes_delete", "DELETE FROM backup_codes WHERE factor_id = $1"},
	[S_BACKUP_INSERT] = {"backup_code_insert", "INSERT INTO backup_codes (factor_id, idx, code_hash) VALUES ($1,$2,$3)"},
	[S_BACKUP_LIST] = {"backup_codes_list", "SELECT idx, code_hash, used_at FROM backup_codes WHERE factor_id = $1 ORDER BY idx LIMIT $2"},
	[S_BACKUP_USE] = {"backup_code_use", "UPDATE backup_codes SET used_at = $1 WHERE factor_id = $2 AND idx = $3 AND code_hash = $4 AND used_at = 0"},
	[S_CHALLENGE_INSERT] = {"challenge_insert", "INSERT INTO challenges (" CHALLENGE_COLS ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,"
				"$13,$14,$15,$16,$17,$18,$19,$20)"},
	[S_CHALLENGE_GET] = {"challenge_get", "SELECT " CHALLENGE_COLS " FROM challenges WHERE app_id = $1 AND user_id = $2 AND challenge_id = $3", .locks_user = true},
	[S_CHALLENGE_LATEST] = {"challenge_latest", NULL, CHALLENGE_LATEST("rowid"), CHALLENGE_LATEST("ordinal"), .locks_user = true},
	[S_CHALLENGE_UPDATE] = {"challenge_update", "UPDATE challenges SET status = $1, code_mac = $2, attempts = $3, sends = $4, last_sent_at = $5, "
				"expires_at = $6, verified_at = $7 WHERE challenge_id = $8 AND app_id = $9"},
	[S_CHALLENGE_SUPERSEDE] = {"challenge_supersede", "UPDATE challenges SET status = 'superseded' WHERE session_id = $1 AND session_id != '' "
				   "AND factor_id = $2 AND status = 'pending' AND challenge_id != $3"},
	[S_DEVICE_INSERT] = {"device_insert", "INSERT INTO devices (device_id, app_id, user_id, kind, domain, created_at, expires_at, challenge_id) "
			     "VALUES ($1,$2,$3,$4,$5,$6,$7,$8)"},
	[S_DEVICE_LIST] = {"device_list", "SELECT device_id, app_id, user_id, kind, domain, created_at, expires_at, revoked_at, challenge_id "
			   "FROM devices WHERE app_id = $1 AND user_id = $2 AND revoked_at = 0 AND expires_at > $3 ORDER BY created_at DESC LIMIT $4"},
	[S_DEVICE_REVOKE] = {"device_revoke", "UPDATE devices SET revoked_at = $1 WHERE app_id = $2 AND user_id = $3 AND device_id = $4 AND revoked_at = 0"},
	[S_DEVICE_REVOKE_ALL] = {"device_revoke_all", "UPDATE devices SET revoked_at = $1 WHERE app_id = $2 AND user_id = $3 AND revoked_at = 0 "
				 "AND expires_at > $4"},
	[S_DEVICE_REVOKED_SINCE] = {"device_revoked_since", "SELECT device_id, revoked_at, expires_at FROM devices WHERE revoked_at >= $1 "
				    "AND revoked_at > 0 AND expires_at > $2"},
	[S_DEVICES_REVOKE_EVERY] = {"devices_revoke_every", "UPDATE devices SET revoked_at = $1 WHERE revoked_at = 0 AND expires_at > $1"},
	[S_OUTBOX_INSERT] = {"outbox_insert", "INSERT INTO outbox (" OUTBOX_COLS ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)"},
	/* every PostgreSQL node runs an outbox worker: a due message is claimed (its next attempt
	 * moved past a lease) by exactly one of them; a node that dies leaves it to another after
	 * the lease. Either way a message reads as due at $1. */
	[S_OUTBOX_DUE] = {"outbox_due", NULL, "SELECT " OUTBOX_COLS " FROM outbox " OUTBOX_DUE,
			  "UPDATE outbox SET next_attempt_at = $1 + " OUTBOX_LEASE " WHERE message_id IN (SELECT message_id FROM outbox "
			  OUTBOX_DUE " FOR UPDATE SKIP LOCKED) RETURNING message_id, app_id, channel, recipient, sealed_body, status, "
			  "attempts, created_at, $1"},
	[S_OUTBOX_SENT] = {"outbox_mark_sent", "UPDATE outbox SET status = 'sent', sent_at = $1, sealed_body = NULL, attempts = attempts + 1 "
			   "WHERE message_id = $2"},
	[S_OUTBOX_RETRY] = {"outbox_mark_retry", "UPDATE outbox SET attempts = $1, next_attempt_at = $2, last_error = $3 WHERE message_id = $4"},
	[S_OUTBOX_FAILED] = {"outbox_mark_failed", "UPDATE outbox SET status = 'failed', sealed_body = NULL, last_error = $1 WHERE message_id = $2"},
	/* the chain's last row. PostgreSQL keeps it in a head row, locked until the transaction
	 * ends: one writer of the chain at a time on every node, and each reads the head its
	 * predecessor committed (SQLite's single writer does that by itself). */
	[S_AUDIT_LAST] = {"audit_last", NULL, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
			  "SELECT seq, hash FROM audit_head WHERE one = 1 FOR UPDATE"},
	[S_AUDIT_INSERT] = {"audit_insert", NULL, "INSERT INTO audit_log (" AUDIT_COLS ") VALUES " AUDIT_VALUES,
			    "WITH ins AS (INSERT INTO audit_log (" AUDIT_COLS ") VALUES " AUDIT_VALUES ") "
			    "UPDATE audit_head SET seq = $1, hash = $11 WHERE one = 1"},
	[S_AUDIT_SCAN] = {"audit_scan", "SELECT " AUDIT_COLS " FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"},
	[S_IDEM_INSERT] = {"idem_insert", "INSERT INTO idempotency (scope, ref, fingerprint, created_at) VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING"},
	[S_IDEM_GET] = {"idem_get", "SELECT fingerprint, created_at, status, body, headers FROM idempotency WHERE scope = $1 AND ref = $2"},
	/* taking over an expired record or a dead reservation: only the request that saw it as it is */
	[S_IDEM_REPLACE] = {"idem_replace", "UPDATE idempotency SET fingerprint = $1, created_at = $2, status = 0, body = NULL, headers = NULL "
			    "WHERE scope = $3 AND ref = $4 AND created_at = $5 AND status = $6"},
	[S_IDEM_COMPLETE] = {"idem_complete", "UPDATE idempotency SET status = $1, body = $2, headers = $3 WHERE scope = $4 AND ref = $5"},
	[S_IDEM_DELETE] = {"idem_release", "DELETE FROM idempotency WHERE scope = $1 AND ref = $2 AND status = 0"},
	[S_COUNTER_HIT] = {"counter_hit", "INSERT INTO counters (key, window_start, count) VALUES ($1, $2, 1) ON CONFLICT (key) DO UPDATE SET "
			   "count = CASE WHEN counters.window_start = $2 THEN counters.count + 1 ELSE 1 END, window_start = $2 RETURNING count"},
	[S_COUNTER_GET] = {"counter_get", "SELECT count FROM counters WHERE key = $1 AND window_start = $2"},
	[S_COUNTER_GIVE_BACK] = {"counter_give_back", "UPDATE counters SET count = count - 1 WHERE key = $1 AND window_start = $2 AND count > 0"},
	[S_AUTH_INSERT] = {"authorization_insert", "INSERT INTO authorizations (authorization_id, app_id, user_id, challenge_id, "
			   "transaction_hash, created_at, expires_at) VALUES ($1,$2,$3,$4,$5,$6,$7)"},
	[S_AUTH_USE] = {"authorization_use", "UPDATE authorizations SET used_at = $1 WHERE authorization_id = $2 AND app_id = $3 AND user_id = $4 "
			"AND used_at = 0 AND expires_at > $1 AND transaction_hash = $5"},
	[S_AUTH_GET] = {"authorization_get", "SELECT challenge_id, transaction_hash, created_at, expires_at, used_at FROM authorizations "
			"WHERE authorization_id = $1 AND app_id = $2 AND user_id = $3"},
	/* a listed account changes no row: BENEFICIARY_EXISTS, and the transaction goes on */
	[S_BEN_INSERT] = {"beneficiary_insert", "INSERT INTO beneficiaries (beneficiary_id, app_id, user_id, name, account, created_at) "
			  "VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING"},
	[S_BEN_LIST] = {"beneficiary_list", "SELECT beneficiary_id, name, account, created_at FROM beneficiaries WHERE app_id = $1 AND user_id = $2 "
			"ORDER BY created_at, beneficiary_id COLLATE \"C\"", .locks_user = true},
	[S_BEN_DELETE] = {"beneficiary_delete", "DELETE FROM beneficiaries WHERE app_id = $1 AND user_id = $2 AND beneficiary_id = $3"},
	[S_BEN_FIND] = {"beneficiary_find", "SELECT beneficiary_id, name, account, created_at FROM beneficiaries WHERE app_id = $1 AND user_id = $2 "
			"AND account = $3", .locks_user = true},
	[S_SERIES_GET] = {"series_get", "SELECT transaction_hash FROM recurring_series WHERE app_id = $1 AND user_id = $2 AND series_id = $3", .locks_user = true},
	[S_SERIES_PUT] = {"series_put", "INSERT INTO recurring_series (app_id, user_id, series_id, transaction_hash, created_at) VALUES ($1,$2,$3,$4,$5) "
			  "ON CONFLICT (app_id, user_id, series_id) DO UPDATE SET transaction_hash = $4, created_at = $5"},
	[S_SCA_GET] = {"sca_state_get", "SELECT last_sca_at, last_account_sca_at, low_value_count, low_value_sum_eur_cents FROM sca_state "
		       "WHERE app_id = $1 AND user_id = $2", .locks_user = true},
	[S_SCA_RECORD] = {"sca_state_record", "INSERT INTO sca_state (app_id, user_id, last_sca_at) VALUES ($1,$2,$3) ON CONFLICT (app_id, user_id) "
			  "DO UPDATE SET last_sca_at = $3, low_value_count = 0, low_value_sum_eur_cents = 0"},
	[S_SCA_RECORD_ACCOUNT] = {"sca_state_record", "INSERT INTO sca_state (app_id, user_id, last_sca_at, last_account_sca_at) VALUES ($1,$2,$3,$3) "
				  "ON CONFLICT (app_id, user_id) DO UPDATE SET last_sca_at = $3, last_account_sca_at = $3, "
				  "low_value_count = 0, low_value_sum_eur_cents = 0"},
	[S_SCA_LOW_VALUE] = {"sca_state_add_low_value", "INSERT INTO sca_state (app_id, user_id, low_value_count, low_value_sum_eur_cents) "
			     "VALUES ($1,$2,1,$3) ON CONFLICT (app_id, user_id) DO UPDATE SET low_value_count = sca_state.low_value_count + 1, "
			     "low_value_sum_eur_cents = sca_state.low_value_sum_eur_cents + $3"},
	[S_LEDGER_INSERT] = {"ledger_insert", "INSERT INTO exemption_ledger (app_id, user_id, exemption, amount, currency, eur_cents, at_ms) "
			     "VALUES ($1,$2,$3,$4,$5,$6,$7)"},
	[S_LEDGER_REPORT] = {"ledger_report", "SELECT app_id, exemption, currency, count(*), sum(amount), sum(eur_cents) FROM exemption_ledger "
			     "WHERE at_ms >= $1 AND at_ms < $2 GROUP BY app_id, exemption, currency "
			     "ORDER BY app_id COLLATE \"C\", exemption COLLATE \"C\", currency COLLATE \"C\""},
	[S_TXN_INSERT] = {"txn_insert", "INSERT INTO transactions (" TXN_COLS ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)"},
	[S_TXN_GET] = {"txn_get", "SELECT " TXN_COLS " FROM transactions WHERE app_id = $1 AND user_id = $2 AND transaction_id = $3", .locks_user = true},
	[S_TXN_UPDATE] = {"txn_update", "UPDATE transactions SET state = $1, challenge_id = $2, approved_at = $3 WHERE app_id = $4 AND transaction_id = $5"},
	[S_TXN_BY_CHALLENGE] = {"txn_list_by_challenge", "SELECT " TXN_COLS " FROM transactions WHERE app_id = $1 AND challenge_id = $2 "
				"AND challenge_id != '' ORDER BY transaction_id COLLATE \"C\""},
	/* the WePay face: the id never changes once given; the other fields follow the latest write,
	 * within the row's own application */
	[S_WEPAY_USER_GET] = {"wepay_user_get", "SELECT " WEPAY_USER_COLS " FROM wepay_users WHERE app_id = $1 AND user_id = $2", .locks_user = true},
	[S_WEPAY_USER_PUT] = {"wepay_user_put", "INSERT INTO wepay_users (" WEPAY_USER_COLS ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) "
			      "ON CONFLICT (user_id) DO UPDATE SET first_name = excluded.first_name, last_name = excluded.last_name, "
			      "scope = excluded.scope, original_ip = excluded.original_ip, original_device = excluded.original_device, "
			      "tos_acceptance_time = excluded.tos_acceptance_time, redirect_uri = excluded.redirect_uri, "
			      "callback_uri = excluded.callback_uri WHERE wepay_users.app_id = excluded.app_id", .locks_user = true},
	[S_WEPAY_MFA_LIST] = {"wepay_mfa_list", "SELECT " WEPAY_MFA_COLS " FROM wepay_mfa WHERE app_id = $1 AND user_id = $2 "
			      "ORDER BY created_at, mfa_id LIMIT $3", .locks_user = true},
	[S_WEPAY_MFA_PUT] = {"wepay_mfa_put", "INSERT INTO wepay_mfa (" WEPAY_MFA_COLS ") VALUES ($1,$2,$3,$4,$5,$6,$7) "
			     "ON CONFLICT (factor_id) DO UPDATE SET nickname = excluded.nickname, last_challenge_id = excluded.last_challenge_id "
			     "WHERE wepay_mfa.app_id = excluded.app_id AND wepay_mfa.user_id = excluded.user_id", .locks_user = true},
	[S_SWEEP_SESSIONS] = SWEEP("sweep_sessions", "sessions", "sessions", "absolute_expires_at < $1"),
	/* a pending factor's enrolment challenge stays while the factor waits for it */
	[S_SWEEP_CHALLENGES] = SWEEP("sweep_challenges", "challenges", "challenges c", "expires_at < $1 AND c.challenge_id != COALESCE("
				     "(SELECT f.enrolment_challenge_id FROM factors f WHERE f.factor_id = c.factor_id "
				     "AND f.status = 'pending_verification'), '')"),
	[S_SWEEP_SSO] = SWEEP("sweep_sso", "sso_tokens", "sso_tokens", "expires_at < $1"),
	[S_SWEEP_EMAIL_TOKENS] = SWEEP("sweep_email_tokens", "email_tokens", "email_tokens", "expires_at < $1"),
	[S_SWEEP_OUTBOX] = SWEEP("sweep_outbox", "outbox", "outbox", "status IN ('sent', 'failed') AND next_attempt_at < $1"),
	[S_SWEEP_IDEMPOTENCY] = SWEEP("sweep_idempotency", "idempotency", "idempotency", "created_at < $1"),
	[S_SWEEP_COUNTERS] = SWEEP("sweep_counters", "counters", "counters", "window_start < $1"),
	[S_SWEEP_DEVICES] = SWEEP("sweep_devices", "devices", "devices", "expires_at < $1"),
	/* FOR UPDATE: a node that starts while `twofold key rotate` runs waits for its end (then
	 * finds the new check value) instead of reading the old ring; on SQLite the write lock */
	[S_KEYRING_GET] = {"keyring_get", NULL, KEYRING_GET, KEYRING_GET " FOR UPDATE"},
	[S_KEYRING_INSERT] = {"keyring_insert", "INSERT INTO keyring (one, check_value, wrapped_keys, created_at) VALUES (1, $1, $2, $3) "
			      "ON CONFLICT (one) DO NOTHING"},
	[S_KEYRING_REPLACE] = {"keyring_replace", "UPDATE keyring SET check_value = $1, wrapped_keys = $2, rotated_at = $3 WHERE one = 1"},
	[S_SEALED_PAGE + SEALED_APP_CLIENT_SECRET] = SEALED_PAGE("apps", "app_id", "client_secret_sealed"),
	[S_SEALED_PAGE + SEALED_APP_DELIVERY] = SEALED_PAGE("apps", "app_id", "delivery_sealed"),
	[S_SEALED_PAGE + SEALED_FACTOR_SECRET] = SEALED_PAGE("factors", "factor_id", "secret_sealed"),
	[S_SEALED_PAGE + SEALED_OUTBOX_BODY] = SEALED_PAGE("outbox", "message_id", "sealed_body"),
	[S_SEALED_PAGE + SEALED_IDEMPOTENT_ANSWER] = {"sealed_page", "SELECT scope, ref, body FROM idempotency WHERE (scope, ref) > ($1, $2) "
						      "AND length(body) > 0 ORDER BY scope, ref LIMIT $3"},
	[S_SEALED_PUT + SEALED_APP_CLIENT_SECRET] = SEALED_PUT("apps", "app_id", "client_secret_sealed"),
	[S_SEALED_PUT + SEALED_APP_DELIVERY] = SEALED_PUT("apps", "app_id", "delivery_sealed"),
	[S_SEALED_PUT + SEALED_FACTOR_SECRET] = SEALED_PUT("factors", "factor_id", "secret_sealed"),
	[S_SEALED_PUT + SEALED_OUTBOX_BODY] = SEALED_PUT("outbox", "message_id", "sealed_body"),
	[S_SEALED_PUT + SEALED_IDEMPOTENT_ANSWER] = {"sealed_put", "UPDATE idempotency SET body = $1 WHERE scope = $2 AND ref = $3"},
	/* twofold's connections (application_name, store_pg.c) to this database but this one: nodes
	 * that are serving, or other commands, which a rotation must not run beside. SQLite cannot
	 * tell which other processes have the file open. */
	[S_OTHER_CLIENTS] = {"other_clients", NULL, "SELECT 0", "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
			     "AND application_name = 'twofold' AND pid <> pg_backend_pid()"},
};

const char *stmt_text(enum stmt_id id, enum sql_dialect d)
{
	const struct stmt_sql *s = &stmt_table[id];
	const char *own = d == SQL_SQLITE ? s->sqlite : s->postgres;
	return own ? own : s->both;
}
