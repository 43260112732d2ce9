/* store_sqlite_sql.c: the SQL of every prepared statement of the SQLite backend, in one
 * place for review: every statement is parameterised and every tenant lookup matches app_id. */
#include "store/store_sqlite_int.h"

#define APP_COLS "app_id, name, client_id, client_secret_sealed, api_key_mac, sandbox, " \
		 "can_mark_email_verified, can_register_sso, redirect_uri_prefixes, sso_login_url, created_at, " \
		 "totp_algorithm, totp_digits, low_value_rates, send_policy"
#define USER_COLS "app_id, user_id, email, type, password_hash, name, mobile, email_verified_at, created_at, first_verified_at"
#define SESSION_COLS "session_id, token_mac, app_id, user_id, kind, created_at, last_seen_at, " \
		     "idle_timeout_ms, absolute_expires_at, revoked_at, stepped_up_at, last_send_at, stepup_sends"
#define OUTBOX_COLS "message_id, app_id, channel, recipient, sealed_body, status, attempts, created_at, next_attempt_at"
#define FACTOR_COLS "factor_id, app_id, user_id, type, status, phone, secret_sealed, totp_algorithm, totp_digits, " \
		    "last_totp_step, preferred, consecutive_failures, blocked_until, created_at, activated_at, enrolment_challenge_id, " \
		    "push_channel, push_public_key, push_address"
#define CHALLENGE_COLS "challenge_id, app_id, user_id, factor_id, session_id, purpose, status, code_mac, attempts, " \
		       "max_attempts, sends, last_sent_at, created_at, expires_at, verified_at, tx_amount, tx_currency, tx_payee_name, " \
		       "tx_payee_account, tx_hash"
#define TXN_COLS "transaction_id, app_id, user_id, amount, currency, payee_name, payee_account, transaction_hash, " \
		 "external_reference, state, exemption, challenge_id, created_at, approved_at"
#define AUDIT_COLS "seq, at_ms, app_id, event, actor, subject, ip, request_id, details, prev_hash, hash"

const char *const stmt_sql[Q__MAX] = {
	[Q_APP_INSERT] = "INSERT INTO apps (" APP_COLS ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[Q_APP_GET] = "SELECT " APP_COLS " FROM apps WHERE app_id = ?",
	[Q_APP_GET_BY_KEY] = "SELECT " APP_COLS " FROM apps WHERE api_key_mac = ?",
	[Q_USER_INSERT] = "INSERT INTO users (" USER_COLS ") VALUES (?,?,?,?,?,?,?,?,?,?)",
	[Q_USER_GET] = "SELECT " USER_COLS " FROM users WHERE app_id = ? AND user_id = ?",
	[Q_USER_GET_BY_EMAIL] = "SELECT " USER_COLS " FROM users WHERE app_id = ? AND email = ?",
	[Q_USER_MARK_VERIFIED] = "UPDATE users SET email_verified_at = ?1, first_verified_at = CASE WHEN first_verified_at = 0 THEN ?1 ELSE first_verified_at END "
			  "WHERE app_id = ?2 AND user_id = ?3 AND email_verified_at = 0",
	[Q_USER_PURGE_SESSIONS] = "DELETE FROM sessions WHERE app_id = ?1 AND user_id IN (SELECT user_id FROM users WHERE app_id = ?1 AND email = ?2 AND first_verified_at = 0 AND created_at < ?3)",
	[Q_USER_PURGE_TOKENS] = "DELETE FROM email_tokens WHERE app_id = ?1 AND user_id IN (SELECT user_id FROM users WHERE app_id = ?1 AND email = ?2 AND first_verified_at = 0 AND created_at < ?3)",
	[Q_USER_PURGE] = "DELETE FROM users WHERE app_id = ?1 AND email = ?2 AND first_verified_at = 0 AND created_at < ?3",
	[Q_SESSION_INSERT] = "INSERT INTO sessions (" SESSION_COLS ") VALUES (?,?,?,?,?,?,?,?,?,?,0,0,0)",
	[Q_SESSION_GET] = "SELECT " SESSION_COLS " FROM sessions WHERE token_mac = ? AND app_id = ?",
	[Q_SESSION_TOUCH] = "UPDATE sessions SET last_seen_at = max(last_seen_at, ?) WHERE session_id = ?",
	[Q_SESSION_REVOKE] = "UPDATE sessions SET revoked_at = ? WHERE app_id = ? AND session_id = ? AND revoked_at = 0",
	[Q_EMAIL_TOKEN_INSERT] = "INSERT INTO email_tokens (token_mac, app_id, user_id, purpose, created_at, expires_at) VALUES (?,?,?,?,?,?)",
	[Q_OUTBOX_INSERT] = "INSERT INTO outbox (" OUTBOX_COLS ") VALUES (?,?,?,?,?,?,?,?,?)",
	[Q_OUTBOX_DUE] = "SELECT " OUTBOX_COLS " FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, created_at LIMIT ?",
	[Q_OUTBOX_SENT] = "UPDATE outbox SET status = 'sent', sent_at = ?, sealed_body = NULL, attempts = attempts + 1 WHERE message_id = ?",
	[Q_OUTBOX_RETRY] = "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE message_id = ?",
	[Q_OUTBOX_FAILED] = "UPDATE outbox SET status = 'failed', sealed_body = NULL, last_error = ? WHERE message_id = ?",
	[Q_AUDIT_LAST] = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
	[Q_AUDIT_INSERT] = "INSERT INTO audit_log (" AUDIT_COLS ") VALUES (?,?,?,?,?,?,?,?,?,?,?)",
	[Q_AUDIT_SCAN] = "SELECT " AUDIT_COLS " FROM audit_log ORDER BY seq",
	[Q_IDEM_GET] = "SELECT fingerprint, created_at, status, body, headers FROM idempotency WHERE scope = ? AND ref = ?",
	[Q_IDEM_INSERT] = "INSERT INTO idempotency (scope, ref, fingerprint, created_at) VALUES (?,?,?,?)",
	[Q_IDEM_REPLACE] = "UPDATE idempotency SET fingerprint = ?, created_at = ?, status = 0, body = NULL, headers = NULL WHERE scope = ? AND ref = ?",
	[Q_IDEM_COMPLETE] = "UPDATE idempotency SET status = ?, body = ?, headers = ? WHERE scope = ? AND ref = ?",
	[Q_IDEM_DELETE] = "DELETE FROM idempotency WHERE scope = ? AND ref = ? AND status = 0",
	[Q_COUNTER_HIT] = "INSERT INTO counters (key, window_start, count) VALUES (?1, ?2, 1) "
			  "ON CONFLICT (key) DO UPDATE SET count = CASE WHEN window_start = ?2 THEN count + 1 ELSE 1 END, "
			  "window_start = ?2 RETURNING count",
	[Q_COUNTER_GET] = "SELECT count FROM counters WHERE key = ? AND window_start = ?",
	[Q_COUNTER_GIVE_BACK] = "UPDATE counters SET count = count - 1 WHERE key = ? AND window_start = ? AND count > 0",
	[Q_PING] = "SELECT 1",
	[Q_SESSION_STEPUP] = "UPDATE sessions SET stepped_up_at = ? WHERE session_id = ?",
	[Q_SESSION_SEND_SWAP] = "UPDATE sessions SET last_send_at = ?1, stepup_sends = ?2 WHERE session_id = ?3 AND last_send_at = ?4 "
				"AND stepup_sends = ?5",
	[Q_SESSION_SEND_STATE] = "SELECT last_send_at, stepup_sends FROM sessions WHERE session_id = ?",
	[Q_FACTOR_SEND_SWAP] = "UPDATE factors SET last_send_at = ?1 WHERE app_id = ?2 AND factor_id = ?3 AND last_send_at = ?4",
	[Q_FACTOR_SEND_STATE] = "SELECT last_send_at FROM factors WHERE app_id = ? AND factor_id = ?",
	[Q_FACTOR_INSERT] = "INSERT INTO factors (" FACTOR_COLS ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[Q_FACTOR_GET] = "SELECT " FACTOR_COLS ", (SELECT count(*) FROM backup_codes b WHERE b.factor_id = factors.factor_id AND b.used_at = 0) "
			 "FROM factors WHERE app_id = ? AND user_id = ? AND factor_id = ?",
	[Q_FACTOR_LIST] = "SELECT " FACTOR_COLS ", (SELECT count(*) FROM backup_codes b WHERE b.factor_id = factors.factor_id AND b.used_at = 0) "
			  "FROM factors WHERE app_id = ? AND user_id = ? ORDER BY created_at, factor_id LIMIT ?",
	[Q_FACTOR_UPDATE] = "UPDATE factors SET status = ?, activated_at = ?, last_totp_step = ?, consecutive_failures = ?, blocked_until = ?, "
			    "enrolment_challenge_id = ? "
			    "WHERE factor_id = ? AND app_id = ?",
	[Q_FACTOR_CLEAR_PREFERRED] = "UPDATE factors SET preferred = 0 WHERE app_id = ? AND user_id = ? AND preferred = 1",
	[Q_FACTOR_SET_PREFERRED] = "UPDATE factors SET preferred = 1 WHERE app_id = ? AND user_id = ? AND factor_id = ?",
	[Q_FACTOR_DELETE] = "DELETE FROM factors WHERE app_id = ? AND user_id = ? AND factor_id = ?",
	[Q_BACKUP_DELETE] = "DELETE FROM backup_codes WHERE factor_id = ?",
	[Q_BACKUP_INSERT] = "INSERT INTO backup_codes (factor_id, idx, code_hash) VALUES (?,?,?)",
	[Q_BACKUP_LIST] = "SELECT idx, code_hash, used_at FROM backup_codes WHERE factor_id = ? ORDER BY idx LIMIT ?",
	[Q_BACKUP_USE] = "UPDATE backup_codes SET used_at = ? WHERE factor_id = ? AND idx = ? AND code_hash = ? AND used_at = 0",
	[Q_DEVICE_INSERT] = "INSERT INTO devices (device_id, app_id, user_id, kind, domain, created_at, expires_at, challenge_id) VALUES (?,?,?,?,?,?,?,?)",
	[Q_DEVICE_LIST] = "SELECT device_id, app_id, user_id, kind, domain, created_at, expires_at, revoked_at, challenge_id FROM devices "
			  "WHERE app_id = ? AND user_id = ? AND revoked_at = 0 AND expires_at > ? ORDER BY created_at DESC LIMIT ?",
	[Q_DEVICE_REVOKE] = "UPDATE devices SET revoked_at = ? WHERE app_id = ? AND user_id = ? AND device_id = ? AND revoked_at = 0",
	[Q_DEVICE_REVOKE_ALL] = "UPDATE devices SET revoked_at = ? WHERE app_id = ? AND user_id = ? AND revoked_at = 0 AND expires_at > ?",
	[Q_DEVICE_REVOKED_SINCE] = "SELECT device_id, revoked_at, expires_at FROM devices WHERE revoked_at >= ? AND revoked_at > 0 AND expires_at > ?",
	[Q_CHALLENGE_INSERT] = "INSERT INTO challenges (" CHALLENGE_COLS ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[Q_CHALLENGE_GET] = "SELECT " CHALLENGE_COLS " FROM challenges WHERE app_id = ? AND user_id = ? AND challenge_id = ?",
	[Q_CHALLENGE_UPDATE] = "UPDATE challenges SET status = ?, code_mac = ?, attempts = ?, sends = ?, last_sent_at = ?, expires_at = ?, verified_at = ? "
			       "WHERE challenge_id = ? AND app_id = ?",
	[Q_CHALLENGE_SUPERSEDE] = "UPDATE challenges SET status = 'superseded' WHERE session_id = ? AND session_id != '' AND factor_id = ? "
				  "AND status = 'pending' AND challenge_id != ?",
	[Q_APP_GET_BY_CLIENT_ID] = "SELECT " APP_COLS " FROM apps WHERE client_id = ?",
	[Q_SSO_TOKEN_INSERT] = "INSERT INTO sso_tokens (token_mac, app_id, user_id, created_at, expires_at) VALUES (?,?,?,?,?)",
	[Q_SSO_TOKEN_REDEEM] = "UPDATE sso_tokens SET used_at = ?1 WHERE token_mac = ?2 AND app_id = ?3 AND used_at = 0 AND expires_at > ?1",
	[Q_SSO_TOKEN_GET] = "SELECT user_id, created_at, expires_at, used_at FROM sso_tokens WHERE token_mac = ? AND app_id = ?",
	[Q_HOSTED_SESSION_INSERT] = "INSERT INTO sessions (" SESSION_COLS ", redirect_uri, mfa_pending) VALUES (?,?,?,?,'hosted',?,?,?,?,0,0,0,0,?,?)",
	[Q_HOSTED_SESSION_INFO] = "SELECT redirect_uri, mfa_pending FROM sessions WHERE session_id = ? AND kind = 'hosted'",
	[Q_HOSTED_SESSION_MFA_PASSED] = "UPDATE sessions SET mfa_pending = 0 WHERE session_id = ? AND kind = 'hosted'",
	[Q_HOSTED_SESSIONS_REVOKE] = "UPDATE sessions SET revoked_at = ? WHERE app_id = ? AND user_id = ? AND kind = 'hosted' AND revoked_at = 0",
	[Q_EMAIL_TOKEN_GET] = "SELECT user_id, purpose, created_at, expires_at FROM email_tokens WHERE token_mac = ?1 AND app_id = ?2 AND used_at = 0 AND expires_at > ?3",
	[Q_EMAIL_TOKEN_USE] = "UPDATE email_tokens SET used_at = ?3 WHERE token_mac = ?1 AND app_id = ?2 AND used_at = 0 AND expires_at > ?3",
	[Q_USER_SET_PASSWORD] = "UPDATE users SET password_hash = ? WHERE app_id = ? AND user_id = ?",
	[Q_AUTH_INSERT] = "INSERT INTO authorizations (authorization_id, app_id, user_id, challenge_id, transaction_hash, created_at, expires_at) VALUES (?,?,?,?,?,?,?)",
	[Q_AUTH_GET] = "SELECT challenge_id, transaction_hash, created_at, expires_at, used_at FROM authorizations WHERE authorization_id = ? AND app_id = ? AND user_id = ?",
	[Q_AUTH_USE] = "UPDATE authorizations SET used_at = ?1 WHERE authorization_id = ?2 AND app_id = ?3 AND user_id = ?4 AND used_at = 0 AND expires_at > ?1 AND transaction_hash = ?5",
	[Q_BEN_INSERT] = "INSERT INTO beneficiaries (beneficiary_id, app_id, user_id, name, account, created_at) VALUES (?,?,?,?,?,?)",
	[Q_BEN_LIST] = "SELECT beneficiary_id, name, account, created_at FROM beneficiaries WHERE app_id = ? AND user_id = ? ORDER BY created_at, beneficiary_id",
	[Q_BEN_DELETE] = "DELETE FROM beneficiaries WHERE app_id = ? AND user_id = ? AND beneficiary_id = ?",
	[Q_BEN_FIND] = "SELECT beneficiary_id, name, account, created_at FROM beneficiaries WHERE app_id = ? AND user_id = ? AND account = ?",
	[Q_SERIES_GET] = "SELECT transaction_hash FROM recurring_series WHERE app_id = ? AND user_id = ? AND series_id = ?",
	[Q_SERIES_PUT] = "INSERT INTO recurring_series (app_id, user_id, series_id, transaction_hash, created_at) VALUES (?1,?2,?3,?4,?5) "
			 "ON CONFLICT (app_id, user_id, series_id) DO UPDATE SET transaction_hash = ?4, created_at = ?5",
	[Q_SCA_GET] = "SELECT last_sca_at, last_account_sca_at, low_value_count, low_value_sum_eur_cents FROM sca_state WHERE app_id = ? AND user_id = ?",
	[Q_SCA_RECORD] = "INSERT INTO sca_state (app_id, user_id, last_sca_at) VALUES (?1,?2,?3) "
			 "ON CONFLICT (app_id, user_id) DO UPDATE SET last_sca_at = ?3, low_value_count = 0, low_value_sum_eur_cents = 0",
	[Q_SCA_RECORD_ACCOUNT] = "INSERT INTO sca_state (app_id, user_id, last_sca_at, last_account_sca_at) VALUES (?1,?2,?3,?3) "
				 "ON CONFLICT (app_id, user_id) DO UPDATE SET last_sca_at = ?3, last_account_sca_at = ?3, low_value_count = 0, low_value_sum_eur_cents = 0",
	[Q_SCA_LOW_VALUE] = "INSERT INTO sca_state (app_id, user_id, low_value_count, low_value_sum_eur_cents) VALUES (?1,?2,1,?3) "
			    "ON CONFLICT (app_id, user_id) DO UPDATE SET low_value_count = low_value_count + 1, low_value_sum_eur_cents = low_value_sum_eur_cents + ?3",
	[Q_LEDGER_INSERT] = "INSERT INTO exemption_ledger (app_id, user_id, exemption, amount, currency, eur_cents, at_ms) VALUES (?,?,?,?,?,?,?)",
	[Q_LEDGER_REPORT] = "SELECT app_id, exemption, currency, count(*), sum(amount), sum(eur_cents) FROM exemption_ledger "
			    "WHERE at_ms >= ? AND at_ms < ? GROUP BY app_id, exemption, currency ORDER BY app_id, exemption, currency",
	[Q_CHALLENGE_LATEST] = "SELECT " CHALLENGE_COLS " FROM challenges WHERE app_id = ? AND user_id = ? AND session_id = ? AND session_id != '' "
			       "AND factor_id = ? AND purpose = ? ORDER BY created_at DESC, rowid DESC LIMIT 1",
	[Q_TXN_INSERT] = "INSERT INTO transactions (" TXN_COLS ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[Q_TXN_GET] = "SELECT " TXN_COLS " FROM transactions WHERE app_id = ? AND user_id = ? AND transaction_id = ?",
	[Q_TXN_UPDATE] = "UPDATE transactions SET state = ?, challenge_id = ?, approved_at = ? WHERE app_id = ? AND transaction_id = ?",
	[Q_TXN_BY_CHALLENGE] = "SELECT " TXN_COLS " FROM transactions WHERE app_id = ? AND challenge_id = ? AND challenge_id != '' ORDER BY transaction_id",
	[Q_APP_DELIVERY_SET] = "UPDATE apps SET delivery_sealed = ? WHERE app_id = ?",
	[Q_APP_DELIVERY_GET] = "SELECT delivery_sealed FROM apps WHERE app_id = ?",
	/* an expired unverified user goes with everything that hangs on it (a factor's backup codes and
	 * challenges go with the factor) */
	[Q_USER_PURGE_FACTORS] = "DELETE FROM factors WHERE app_id = ?1 AND user_id IN (SELECT user_id FROM users WHERE app_id = ?1 AND email = ?2 AND first_verified_at = 0 AND created_at < ?3)",
	[Q_USER_PURGE_DEVICES] = "DELETE FROM devices WHERE app_id = ?1 AND user_id IN (SELECT user_id FROM users WHERE app_id = ?1 AND email = ?2 AND first_verified_at = 0 AND created_at < ?3)",
	[Q_USER_PURGE_SSO] = "DELETE FROM sso_tokens WHERE app_id = ?1 AND user_id IN (SELECT user_id FROM users WHERE app_id = ?1 AND email = ?2 AND first_verified_at = 0 AND created_at < ?3)",
	[Q_USER_PURGE_BENEFICIARIES] = "DELETE FROM beneficiaries WHERE app_id = ?1 AND user_id IN (SELECT user_id FROM users WHERE app_id = ?1 AND email = ?2 AND first_verified_at = 0 AND created_at < ?3)",
	[Q_USER_PURGE_TXNS] = "DELETE FROM transactions WHERE app_id = ?1 AND user_id IN (SELECT user_id FROM users WHERE app_id = ?1 AND email = ?2 AND first_verified_at = 0 AND created_at < ?3)",
	/* the sweeper (store_sqlite_sweep.c): ended rows of every application, a batch of ?2 at a time, found
	 * through an index on the time they ended (tests/api/test_query_plans.py) */
	[Q_SWEEP_SESSIONS] = "DELETE FROM sessions WHERE rowid IN (SELECT rowid FROM sessions WHERE absolute_expires_at < ?1 LIMIT ?2)",
	[Q_SWEEP_CHALLENGES] = "DELETE FROM challenges WHERE rowid IN (SELECT c.rowid FROM challenges c WHERE expires_at < ?1 AND c.challenge_id != COALESCE((SELECT f.enrolment_challenge_id FROM factors f WHERE f.factor_id = c.factor_id AND f.status = 'pending_verification'), '') LIMIT ?2)",
	[Q_SWEEP_SSO] = "DELETE FROM sso_tokens WHERE rowid IN (SELECT rowid FROM sso_tokens WHERE expires_at < ?1 LIMIT ?2)",
	[Q_SWEEP_EMAIL_TOKENS] = "DELETE FROM email_tokens WHERE rowid IN (SELECT rowid FROM email_tokens WHERE expires_at < ?1 LIMIT ?2)",
	[Q_SWEEP_IDEMPOTENCY] = "DELETE FROM idempotency WHERE rowid IN (SELECT rowid FROM idempotency WHERE created_at < ?1 LIMIT ?2)",
	[Q_SWEEP_COUNTERS] = "DELETE FROM counters WHERE rowid IN (SELECT rowid FROM counters WHERE window_start < ?1 LIMIT ?2)",
	[Q_SWEEP_OUTBOX] = "DELETE FROM outbox WHERE rowid IN (SELECT rowid FROM outbox WHERE status IN ('sent', 'failed') AND next_attempt_at < ?1 LIMIT ?2)",
	[Q_SWEEP_DEVICES] = "DELETE FROM devices WHERE rowid IN (SELECT rowid FROM devices WHERE expires_at < ?1 LIMIT ?2)",
	/* the key ring (store_sqlite_keyring.c) */
	[Q_KEYRING_GET] = "SELECT check_value, wrapped_keys, created_at, rotated_at FROM keyring WHERE one = 1",
	[Q_KEYRING_INSERT] = "INSERT OR IGNORE INTO keyring (one, check_value, wrapped_keys, created_at) VALUES (1, ?, ?, ?)",
	[Q_USER_CHANGE_EMAIL] = "UPDATE users SET email = ?3, email_verified_at = 0 WHERE app_id = ?1 AND user_id = ?2",
	[Q_USER_DROP_EMAIL_TOKENS] = "DELETE FROM email_tokens WHERE app_id = ?1 AND user_id = ?2",
	[Q_KEYRING_REPLACE] = "UPDATE keyring SET check_value = ?, wrapped_keys = ?, rotated_at = ? WHERE one = 1",
	/* every sealed value of every application, page by page in primary key order, for re-sealing
	 * under a new key: the key ring's rotation, with the write lock held */
	[Q_SEALED_PAGE_CLIENT_SECRETS] = "SELECT app_id, '', client_secret_sealed FROM apps WHERE app_id > ?1 "
					 "AND length(client_secret_sealed) > 0 ORDER BY app_id LIMIT ?3",
	[Q_SEALED_PAGE_DELIVERY] = "SELECT app_id, '', delivery_sealed FROM apps WHERE app_id > ?1 "
				   "AND length(delivery_sealed) > 0 ORDER BY app_id LIMIT ?3",
	[Q_SEALED_PAGE_FACTORS] = "SELECT factor_id, '', secret_sealed FROM factors WHERE factor_id > ?1 "
				  "AND length(secret_sealed) > 0 ORDER BY factor_id LIMIT ?3",
	[Q_SEALED_PAGE_OUTBOX] = "SELECT message_id, '', sealed_body FROM outbox WHERE message_id > ?1 "
				 "AND length(sealed_body) > 0 ORDER BY message_id LIMIT ?3",
	[Q_SEALED_PAGE_IDEMPOTENCY] = "SELECT scope, ref, body FROM idempotency WHERE (scope, ref) > (?1, ?2) "
				      "AND length(body) > 0 ORDER BY scope, ref LIMIT ?3",
	[Q_SEALED_PUT_CLIENT_SECRET] = "UPDATE apps SET client_secret_sealed = ?1 WHERE app_id = ?2",
	[Q_SEALED_PUT_DELIVERY] = "UPDATE apps SET delivery_sealed = ?1 WHERE app_id = ?2",
	[Q_SEALED_PUT_FACTOR] = "UPDATE factors SET secret_sealed = ?1 WHERE factor_id = ?2",
	[Q_SEALED_PUT_OUTBOX] = "UPDATE outbox SET sealed_body = ?1 WHERE message_id = ?2",
	[Q_SEALED_PUT_IDEMPOTENCY] = "UPDATE idempotency SET body = ?1 WHERE scope = ?2 AND ref = ?3",
	[Q_DEVICES_REVOKE_EVERY] = "UPDATE devices SET revoked_at = ?1 WHERE revoked_at = 0 AND expires_at > ?1",
};
