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
	"low_value_rates, send_policy, webauthn, enabled_factor_types, default_locale, brand_color, brand_logo_type, "    \
	"brand_logo_bytes, tra, events_url"
#define USER_COLS                                                                                                \
	"app_id, user_id, email, type, password_hash, name, mobile, email_verified_at, created_at, first_verified_at, " \
	"webauthn_user_handle, locale"
#define SESSION_COLS                                                                                             \
	"session_id, token_mac, app_id, user_id, kind, created_at, last_seen_at, idle_timeout_ms, "                \
	"absolute_expires_at, revoked_at, stepped_up_at, last_send_at, stepup_sends"
#define OUTBOX_COLS "message_id, app_id, channel, recipient, sealed_body, status, attempts, created_at, next_attempt_at"
#define FACTOR_COLS                                                                                              \
	"factor_id, app_id, user_id, type, status, phone, secret_sealed, totp_algorithm, totp_digits, "            \
	"last_totp_step, preferred, consecutive_failures, blocked_until, created_at, activated_at, "               \
	"enrolment_challenge_id, push_channel, push_public_key, push_address, name, credential_id, credential_key, " \
	"credential_alg, credential_sign_count, credential_aaguid, credential_flags, credential_transports, email"
#define BACKUP_REMAINING "(SELECT count(*) FROM backup_codes b WHERE b.factor_id = factors.factor_id AND b.used_at = 0)"
#define CHALLENGE_COLS                                                                                           \
	"challenge_id, app_id, user_id, factor_id, session_id, purpose, status, code_mac, attempts, max_attempts, " \
	"sends, last_sent_at, created_at, expires_at, verified_at, tx_amount, tx_currency, tx_payee_name, "        \
	"tx_payee_account, tx_hash, webauthn_challenge"
#define TXN_COLS                                                                                                 \
	"transaction_id, app_id, user_id, amount, currency, payee_name, payee_account, transaction_hash, "         \
	"external_reference, state, exemption, challenge_id, created_at, approved_at"
#define AUDIT_COLS "seq, at_ms, app_id, event, actor, subject, ip, request_id, details, prev_hash, hash"
#define AUDIT_EVENT_COLS "chain, seq, at_ms, type, actor, subject, ip, request_id, details, prev_hash, hash"
#define AUDIT_EVENT_VALUES "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)"
#define AUDIT_EVENT_VALUES_2 "($12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22)"
#define AUDIT_NEWEST "SELECT seq, hash FROM audit_events WHERE chain = $1 ORDER BY seq DESC LIMIT 1"
#define WEPAY_USER_COLS                                                                                          \
	"app_id, user_id, wepay_user_id, first_name, last_name, scope, original_ip, original_device, "             \
	"tos_acceptance_time, redirect_uri, callback_uri, created_at"
#define EVIDENCE_COLS                                                                                            \
	"challenge_id, app_id, user_id, factor_id, purpose, transaction_hash, credential_id, public_key, alg, "      \
	"authenticator_data, client_data, signature, user_verified, spc, created_at"
#define PAYMENT_COLS                                                                                             \
	"app_id, payment_id, user_id, type, exemption, band, amount, currency, eur_cents, payee_account, client_ip, " \
	"day, executed_at, imported, cancelled_at, fraud_kind, fraud_reported_at, fraud_recorded_at"
/* a bucket or a payer's day gains a payment (count 1) or loses one (count -1); the largest only grows */
#define PAYER_DAY_ADD(max)                                                                                       \
	"INSERT INTO payer_days (app_id, user_id, day, count, sum_eur_cents, largest_eur_cents) "                  \
	"VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (app_id, user_id, day) DO UPDATE "                                 \
	"SET count = payer_days.count + excluded.count, sum_eur_cents = payer_days.sum_eur_cents + excluded.sum_eur_cents, " \
	"largest_eur_cents = " max "(payer_days.largest_eur_cents, excluded.largest_eur_cents)"
#define SEEN_PUT(min, max)                                                                                       \
	"INSERT INTO payer_seen (app_id, user_id, kind, value, first_seen_at, last_seen_at) "                      \
	"VALUES ($1,$2,$3,$4,$5,$5) ON CONFLICT (app_id, user_id, kind, value) DO UPDATE "                         \
	"SET first_seen_at = " min "(payer_seen.first_seen_at, excluded.first_seen_at), "                          \
	"last_seen_at = " max "(payer_seen.last_seen_at, excluded.last_seen_at)"
#define TRA_SUMS(where)                                                                                          \
	"SELECT app_id, type, exemption, band, sum(count), sum(value_eur_cents), sum(fraud_count), "               \
	"sum(fraud_eur_cents) FROM tra_days WHERE " where " GROUP BY app_id, type, exemption, band "               \
	"ORDER BY app_id COLLATE \"C\", type COLLATE \"C\", exemption COLLATE \"C\", band"
#define TRA_BAND_COLS "app_id, type, band, last_quarter, quarters_over, suspended, changed_at"
#define TRA_EVAL_COLS                                                                                            \
	"app_id, type, band, quarter, fraud_eur_cents, total_eur_cents, over, suspended, change, evaluated_at"
#define WEPAY_MFA_COLS "app_id, user_id, factor_id, mfa_id, nickname, last_challenge_id, created_at"

/* an expired unverified user goes with everything that hangs on it (a factor's backup codes,
 * challenges and WePay row go with the factor, the user's WePay row with the user) */
#define EXPIRED_USER "app_id = $1 AND email = $2 AND first_verified_at = 0 AND created_at < $3"
#define PURGE(table)                                                                                             \
	"DELETE FROM " table " WHERE app_id = $1 AND user_id IN (SELECT user_id FROM users WHERE " EXPIRED_USER ")"

/* the newest challenge: ties in the same millisecond go to the later insert (PostgreSQL has no
 * rowid: its challenges have an insertion ordinal) */
#define CHALLENGE_LATEST(last)                                                                                   \
	"SELECT " CHALLENGE_COLS " FROM challenges WHERE app_id = $1 AND user_id = $2 AND session_id = $3 "        \
	"AND session_id != '' AND factor_id = $4 AND purpose = $5 ORDER BY created_at DESC, " last " DESC LIMIT 1"

/* the pending challenges of a session and factor, through the index of pending ones: SQLite's
 * planner, knowing no row counts, might take challenges_latest, which holds every challenge the
 * session ever had (tests/api/test_challenges.py) */
#define CHALLENGE_SUPERSEDE(sqlite_index)                                                                        \
	"UPDATE challenges" sqlite_index " SET status = 'superseded' WHERE session_id = $1 AND session_id != '' "  \
	"AND factor_id = $2 AND status = 'pending' AND challenge_id != $3"

/* a message claimed by one node's outbox worker is left to it for this long */
#define OUTBOX_LEASE "60000"
/* a message with an order key is due when it is the first of its key still pending: a lookup
 * of that key in the index of pending keyed messages, per message (not a join over them all) */
#define OUTBOX_DUE                                                                                               \
	"WHERE status = 'pending' AND next_attempt_at <= $1 AND (order_key = '' OR order_seq = (SELECT "            \
	"min(e.order_seq) FROM outbox e WHERE e.order_key = outbox.order_key AND e.order_key <> '' "               \
	"AND e.status = 'pending')) ORDER BY next_attempt_at, created_at LIMIT $2"

/* the sweeper: ended rows of every application, at most $2, found through an index on the time
 * they ended (tests/api/test_query_plans.py); PostgreSQL finds them again by ctid, as an array
 * so that the delete fetches each by its TID */
#define SWEEP(table, from, ended)                                                                                \
	NULL, "DELETE FROM " table " WHERE rowid IN (SELECT rowid FROM " from " WHERE " ended " LIMIT $2)",          \
	"DELETE FROM " table " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " from " WHERE " ended " LIMIT $2))"

#define KEYRING_GET "SELECT check_value, wrapped_keys, created_at, rotated_at FROM keyring WHERE one = 1"

/* every sealed value of every application, page by page in primary key order after $1 (and $2),
 * for re-sealing under a new key: the key ring's rotation, in one transaction */
#define SEALED_PAGE(table, key, col)                                                                             \
	"SELECT " key ", CAST('' AS TEXT), " col " FROM " table " WHERE " key " > $1 AND length(" col ") > 0 "      \
	"ORDER BY " key " LIMIT $2"
#define SEALED_PUT(table, key, col) "UPDATE " table " SET " col " = $1 WHERE " key " = $2"

/* [S_ID] = {"ID", the text for both dialects, or NULL and SQLite's own and PostgreSQL's own, ...} */
#define STMT(id, ...) [S_##id] = {.name = #id, __VA_ARGS__}
/* [S_SEALED_PAGE + col] = {"SEALED_PAGE", ...}, and the same for S_SEALED_PUT */
#define SEALED(op, col, ...) [S_##op + col] = {.name = #op, __VA_ARGS__}

const struct stmt_sql stmt_table[S__MAX] = {
	STMT(PING, "SELECT 1"),
	STMT(APP_INSERT, "INSERT INTO apps (" APP_COLS ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,"
			 "$19,$20,$21,$22,$23)"),
	STMT(APP_GET, "SELECT " APP_COLS " FROM apps WHERE app_id = $1"),
	STMT(APP_GET_BY_KEY, "SELECT " APP_COLS " FROM apps WHERE api_key_mac = $1"),
	STMT(APP_GET_BY_CLIENT_ID, "SELECT " APP_COLS " FROM apps WHERE client_id = $1"),
	STMT(APP_DELIVERY_SET, "UPDATE apps SET delivery_sealed = $1 WHERE app_id = $2"),
	STMT(APP_DELIVERY_GET, "SELECT delivery_sealed FROM apps WHERE app_id = $1"),
	/* a taken email (or id) changes no row: EMAIL_TAKEN, and the transaction goes on */
	STMT(USER_INSERT, "INSERT INTO users (" USER_COLS ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) "
			  "ON CONFLICT DO NOTHING"),
	STMT(USER_GET, "SELECT " USER_COLS " FROM users WHERE app_id = $1 AND user_id = $2", .locks_user = true),
	STMT(USER_GET_BY_EMAIL, "SELECT " USER_COLS " FROM users WHERE app_id = $1 AND email = $2"),
	STMT(USER_MARK_VERIFIED, "UPDATE users SET email_verified_at = $1, first_verified_at = CASE WHEN "
				 "first_verified_at = 0 THEN $1 ELSE first_verified_at END WHERE app_id = $2 "
				 "AND user_id = $3 AND email_verified_at = 0"),
	STMT(USER_SET_PASSWORD, "UPDATE users SET password_hash = $1 WHERE app_id = $2 AND user_id = $3"),
	STMT(USER_DROP_EMAIL_TOKENS, "DELETE FROM email_tokens WHERE app_id = $1 AND user_id = $2"),
	STMT(USER_CHANGE_EMAIL, "UPDATE users SET email = $3, email_verified_at = 0 WHERE app_id = $1 "
				"AND user_id = $2"),
	STMT(USER_PURGE_SESSIONS, PURGE("sessions")),
	STMT(USER_PURGE_TOKENS, PURGE("email_tokens")),
	STMT(USER_PURGE_FACTORS, PURGE("factors")),
	STMT(USER_PURGE_DEVICES, PURGE("devices")),
	STMT(USER_PURGE_SSO, PURGE("sso_tokens")),
	STMT(USER_PURGE_BENEFICIARIES, PURGE("beneficiaries")),
	STMT(USER_PURGE_TXNS, PURGE("transactions")),
	STMT(USER_PURGE, "DELETE FROM users WHERE " EXPIRED_USER),
	STMT(USER_LOCK, NULL, NULL, "SELECT pg_advisory_xact_lock(hashtextextended($1::text || '/' || $2::text, 0))",
	     .pipelined = true),
	STMT(SESSION_INSERT, "INSERT INTO sessions (" SESSION_COLS ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,0,0,0)"),
	STMT(SESSION_GET, "SELECT " SESSION_COLS " FROM sessions WHERE token_mac = $1 AND app_id = $2",
	     .batch_read = true),
	/* never backwards, and no write when nothing changes */
	STMT(SESSION_TOUCH, "UPDATE sessions SET last_seen_at = $1 WHERE session_id = $2 AND last_seen_at < $1"),
	STMT(SESSION_REVOKE, "UPDATE sessions SET revoked_at = $1 WHERE app_id = $2 AND session_id = $3 "
			     "AND revoked_at = 0"),
	STMT(SESSION_STEPUP, "UPDATE sessions SET stepped_up_at = $1 WHERE session_id = $2", .pipelined = true),
	STMT(SESSION_SEND_SWAP, "UPDATE sessions SET last_send_at = $1, stepup_sends = $2 WHERE session_id = $3 "
				"AND last_send_at = $4 AND stepup_sends = $5"),
	STMT(SESSION_SEND_STATE, "SELECT last_send_at, stepup_sends FROM sessions WHERE session_id = $1"),
	STMT(HOSTED_SESSION_INSERT, "INSERT INTO sessions (" SESSION_COLS ", redirect_uri, mfa_pending) "
				    "VALUES ($1,$2,$3,$4,'hosted',$5,$6,$7,$8,0,0,0,0,$9,$10)"),
	STMT(HOSTED_SESSION_INFO, "SELECT redirect_uri, mfa_pending FROM sessions WHERE session_id = $1 "
				  "AND kind = 'hosted'"),
	STMT(HOSTED_SESSION_MFA_PASSED, "UPDATE sessions SET mfa_pending = 0 WHERE session_id = $1 "
					"AND kind = 'hosted'"),
	STMT(HOSTED_SESSIONS_REVOKE, "UPDATE sessions SET revoked_at = $1 WHERE app_id = $2 AND user_id = $3 "
				     "AND kind = 'hosted' AND revoked_at = 0"),
	STMT(EMAIL_TOKEN_INSERT, "INSERT INTO email_tokens (token_mac, app_id, user_id, purpose, created_at, "
				 "expires_at) VALUES ($1,$2,$3,$4,$5,$6)"),
	STMT(EMAIL_TOKEN_GET, "SELECT user_id, purpose, created_at, expires_at FROM email_tokens WHERE token_mac = $1 "
			      "AND app_id = $2 AND used_at = 0 AND expires_at > $3"),
	STMT(EMAIL_TOKEN_USE, "UPDATE email_tokens SET used_at = $3 WHERE token_mac = $1 AND app_id = $2 "
			      "AND used_at = 0 AND expires_at > $3"),
	STMT(SSO_TOKEN_INSERT, "INSERT INTO sso_tokens (token_mac, app_id, user_id, created_at, expires_at) "
			       "VALUES ($1,$2,$3,$4,$5)"),
	STMT(SSO_TOKEN_REDEEM, "UPDATE sso_tokens SET used_at = $1 WHERE token_mac = $2 AND app_id = $3 "
			       "AND used_at = 0 AND expires_at > $1"),
	STMT(SSO_TOKEN_GET, "SELECT user_id, created_at, expires_at, used_at FROM sso_tokens WHERE token_mac = $1 "
			    "AND app_id = $2"),
	STMT(FACTOR_SEND_SWAP, "UPDATE factors SET last_send_at = $1 WHERE app_id = $2 AND factor_id = $3 "
			       "AND last_send_at = $4"),
	STMT(FACTOR_SEND_STATE, "SELECT last_send_at FROM factors WHERE app_id = $1 AND factor_id = $2"),
	STMT(FACTOR_INSERT, "INSERT INTO factors (" FACTOR_COLS ") VALUES "
			    "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,"
			    "$26,$27,$28)"),
	STMT(FACTOR_GET, "SELECT " FACTOR_COLS ", " BACKUP_REMAINING " FROM factors WHERE app_id = $1 AND user_id = $2 "
			 "AND factor_id = $3", .locks_user = true),
	STMT(FACTOR_LIST, "SELECT " FACTOR_COLS ", " BACKUP_REMAINING " FROM factors WHERE app_id = $1 "
			  "AND user_id = $2 ORDER BY created_at, factor_id COLLATE \"C\" LIMIT $3", .locks_user = true),
	STMT(FACTOR_UPDATE, "UPDATE factors SET status = $1, activated_at = $2, last_totp_step = $3, "
			    "consecutive_failures = $4, blocked_until = $5, enrolment_challenge_id = $6, credential_id = $9, "
			    "credential_key = $10, credential_alg = $11, credential_sign_count = $12, "
			    "credential_aaguid = $13, credential_flags = $14, credential_transports = $15 "
			    "WHERE factor_id = $7 AND app_id = $8", .pipelined = true),
	STMT(FACTOR_CLEAR_PREFERRED, "UPDATE factors SET preferred = 0 WHERE app_id = $1 AND user_id = $2 "
				     "AND preferred = 1", .locks_user = true),
	STMT(FACTOR_SET_PREFERRED, "UPDATE factors SET preferred = 1 WHERE app_id = $1 AND user_id = $2 "
				   "AND factor_id = $3"),
	STMT(FACTOR_DELETE, "DELETE FROM factors WHERE app_id = $1 AND user_id = $2 AND factor_id = $3"),
	STMT(BACKUP_DELETE, "DELETE FROM backup_codes WHERE factor_id = $1"),
	STMT(BACKUP_INSERT, "INSERT INTO backup_codes (factor_id, idx, code_hash) VALUES ($1,$2,$3)"),
	STMT(BACKUP_LIST, "SELECT idx, code_hash, used_at FROM backup_codes WHERE factor_id = $1 ORDER BY idx "
			  "LIMIT $2"),
	STMT(BACKUP_USE, "UPDATE backup_codes SET used_at = $1 WHERE factor_id = $2 AND idx = $3 AND code_hash = $4 "
			 "AND used_at = 0"),
	STMT(CHALLENGE_INSERT, "INSERT INTO challenges (" CHALLENGE_COLS ") "
			       "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21)",
	     .pipelined = true),
	STMT(CHALLENGE_GET, "SELECT " CHALLENGE_COLS " FROM challenges WHERE app_id = $1 AND user_id = $2 "
			    "AND challenge_id = $3", .locks_user = true),
	STMT(CHALLENGE_LATEST, NULL, CHALLENGE_LATEST("rowid"), CHALLENGE_LATEST("ordinal"), .locks_user = true),
	STMT(CHALLENGE_UPDATE, "UPDATE challenges SET status = $1, code_mac = $2, attempts = $3, sends = $4, "
			       "last_sent_at = $5, expires_at = $6, verified_at = $7, webauthn_challenge = $10 "
			       "WHERE challenge_id = $8 AND app_id = $9", .pipelined = true),
	STMT(CHALLENGE_SUPERSEDE, NULL, CHALLENGE_SUPERSEDE(" INDEXED BY challenges_pending"), CHALLENGE_SUPERSEDE(""),
	     .pipelined = true),
	STMT(DEVICE_INSERT, "INSERT INTO devices (device_id, app_id, user_id, kind, domain, created_at, expires_at, "
			    "challenge_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)", .pipelined = true),
	STMT(DEVICE_LIST, "SELECT device_id, app_id, user_id, kind, domain, created_at, expires_at, revoked_at, "
			  "challenge_id FROM devices WHERE app_id = $1 AND user_id = $2 AND revoked_at = 0 "
			  "AND expires_at > $3 ORDER BY created_at DESC LIMIT $4"),
	STMT(DEVICE_REVOKE, "UPDATE devices SET revoked_at = $1 WHERE app_id = $2 AND user_id = $3 AND device_id = $4 "
			    "AND revoked_at = 0"),
	STMT(DEVICE_REVOKE_ALL, "UPDATE devices SET revoked_at = $1 WHERE app_id = $2 AND user_id = $3 "
				"AND revoked_at = 0 AND expires_at > $4"),
	STMT(DEVICE_REVOKED_SINCE, "SELECT device_id, revoked_at, expires_at FROM devices WHERE revoked_at >= $1 "
				   "AND revoked_at > 0 AND expires_at > $2"),
	STMT(DEVICES_REVOKE_EVERY, "UPDATE devices SET revoked_at = $1 WHERE revoked_at = 0 AND expires_at > $1"),
	/* a message with an order key comes after every message of that key: the write
	 * transactions that insert them (audit_append, each holding its chain's head) follow one
	 * another for one key, and the unique index refuses a number taken twice */
	STMT(OUTBOX_INSERT, "INSERT INTO outbox (" OUTBOX_COLS ", order_key, order_seq) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,"
			    "$10, CASE WHEN $10 = '' THEN 0 ELSE (SELECT COALESCE(max(order_seq), 0) + 1 FROM outbox "
			    "WHERE order_key = $10 AND order_key <> '') END)"),
	/* every PostgreSQL node runs an outbox worker: a due message is claimed (its next attempt
	 * moved past a lease) by exactly one of them; a node that dies leaves it to another after
	 * the lease. Either way a message reads as due at $1. A message with an order key is due
	 * only while no earlier message of its key is pending (OUTBOX_DUE). */
	STMT(OUTBOX_DUE, NULL, "SELECT " OUTBOX_COLS " FROM outbox " OUTBOX_DUE,
	     "UPDATE outbox SET next_attempt_at = $1 + " OUTBOX_LEASE " WHERE message_id IN (SELECT message_id "
	     "FROM outbox " OUTBOX_DUE " FOR UPDATE SKIP LOCKED) RETURNING message_id, app_id, channel, recipient, "
	     "sealed_body, status, attempts, created_at, $1"),
	STMT(OUTBOX_SENT, "UPDATE outbox SET status = 'sent', sent_at = $1, sealed_body = NULL, "
			  "attempts = attempts + 1 WHERE message_id = $2"),
	STMT(OUTBOX_RETRY, "UPDATE outbox SET attempts = $1, next_attempt_at = $2, last_error = $3 "
			   "WHERE message_id = $4"),
	STMT(OUTBOX_FAILED, "UPDATE outbox SET status = 'failed', sealed_body = NULL, last_error = $1 "
			    "WHERE message_id = $2"),
	/* a chain's newest event. PostgreSQL keeps it in the chain's head row, locked until the
	 * transaction ends: one writer of a chain at a time on every node, and each reads the head
	 * its predecessor committed (SQLite's single writer does that by itself). */
	STMT(AUDIT_LAST, NULL, AUDIT_NEWEST, "SELECT seq, hash FROM audit_chain_heads WHERE chain = $1 FOR UPDATE"),
	STMT(AUDIT_CHAIN_ADD, NULL, "INSERT INTO audit_chains (chain, created_at) VALUES ($1,$2) ON CONFLICT DO NOTHING",
	     "WITH c AS (INSERT INTO audit_chains (chain, created_at) VALUES ($1,$2) ON CONFLICT DO NOTHING) "
	     "INSERT INTO audit_chain_heads (chain, seq, hash) VALUES ($1, 0, decode(repeat('00', 32), 'hex')) "
	     "ON CONFLICT DO NOTHING"),
	STMT(AUDIT_INSERT, NULL, "INSERT INTO audit_events (" AUDIT_EVENT_COLS ") VALUES " AUDIT_EVENT_VALUES,
	     "WITH ins AS (INSERT INTO audit_events (" AUDIT_EVENT_COLS ") VALUES " AUDIT_EVENT_VALUES ") "
	     "UPDATE audit_chain_heads SET seq = $2, hash = $11 WHERE chain = $1"),
	/* two successive events of one chain in one statement: an answered challenge records two,
	 * and on PostgreSQL each round trip here is one more the chain's head row is held for */
	STMT(AUDIT_INSERT_TWO, NULL, "INSERT INTO audit_events (" AUDIT_EVENT_COLS ") VALUES " AUDIT_EVENT_VALUES ", " AUDIT_EVENT_VALUES_2,
	     "WITH ins AS (INSERT INTO audit_events (" AUDIT_EVENT_COLS ") VALUES " AUDIT_EVENT_VALUES ", "
	     AUDIT_EVENT_VALUES_2 ") UPDATE audit_chain_heads SET seq = $13, hash = $22 WHERE chain = $1"),
	/* PostgreSQL: one event after its chain's newest, numbered and chained by the server from
	 * the head row it locks and moves (twofold_audit_event_hash, migration 0028), so that
	 * twofold reads nothing back while it holds the row; the chain is registered at its first
	 * event. SQLite appends with AUDIT_LAST and AUDIT_INSERT. */
	STMT(AUDIT_APPEND, NULL, NULL,
	     "WITH h AS (INSERT INTO audit_chain_heads AS h (chain, seq, hash, prev_hash) VALUES ($1, 1, "
	     "twofold_audit_event_hash($1, 1, $2, $3, $4, $5, $6, $7, $8, decode(repeat('00', 32), 'hex')), "
	     "decode(repeat('00', 32), 'hex')) ON CONFLICT (chain) DO UPDATE SET seq = h.seq + 1, "
	     "hash = twofold_audit_event_hash($1, h.seq + 1, $2, $3, $4, $5, $6, $7, $8, h.hash), prev_hash = h.hash "
	     "RETURNING seq, hash, prev_hash), "
	     "c AS (INSERT INTO audit_chains (chain, created_at) SELECT $1, $2 FROM h WHERE h.seq = 1 ON CONFLICT DO NOTHING) "
	     "INSERT INTO audit_events (" AUDIT_EVENT_COLS ") SELECT $1, seq, $2, $3, $4, $5, $6, $7, $8, prev_hash, hash "
	     "FROM h"),
	STMT(AUDIT_EVENTS, "SELECT " AUDIT_EVENT_COLS " FROM audit_events WHERE chain = $1 AND seq > $2 ORDER BY seq "
			   "LIMIT $3"),
	STMT(AUDIT_NEWEST, AUDIT_NEWEST),
	/* each chain with its newest event (only those not yet under a signed head when $2), by
	 * name (PostgreSQL: its head row) */
	STMT(AUDIT_CHAINS, NULL,
	     "SELECT c.chain, e.seq, e.hash FROM audit_chains c JOIN audit_events e ON e.chain = c.chain "
	     "AND e.seq = (SELECT max(x.seq) FROM audit_events x WHERE x.chain = c.chain) WHERE c.chain > $1 AND ($2 = 0 OR "
	     "e.seq > coalesce((SELECT max(s.seq) FROM audit_signed_heads s WHERE s.chain = c.chain), 0)) ORDER BY c.chain "
	     "LIMIT $3",
	     "SELECT h.chain, h.seq, h.hash FROM audit_chain_heads h WHERE h.chain > $1 AND h.seq > 0 AND ($2 = 0 OR "
	     "h.seq > coalesce((SELECT max(s.seq) FROM audit_signed_heads s WHERE s.chain = h.chain), 0)) "
	     "ORDER BY h.chain COLLATE \"C\" LIMIT $3"),
	STMT(AUDIT_SIGNED_PUT, "INSERT INTO audit_signed_heads (chain, seq, hash, signed_at, signature) "
			       "VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING"),
	STMT(AUDIT_SIGNED_LIST, "SELECT chain, seq, hash, signed_at, signature FROM audit_signed_heads WHERE chain = $1 "
				"AND seq > $2 ORDER BY seq LIMIT $3"),
	STMT(AUDIT_KEY_GET, "SELECT public_key FROM audit_signing_key WHERE one = 1"),
	STMT(AUDIT_KEY_PUT, "INSERT INTO audit_signing_key (one, public_key, created_at) VALUES (1, $1, $2) "
			    "ON CONFLICT DO NOTHING"),
	/* the format 1 chain, before the per-application chains */
	/* (PostgreSQL locks the rows: a second node moving them at the same time waits, then finds
	 * none) */
	STMT(AUDIT_V1_SCAN, NULL, "SELECT " AUDIT_COLS " FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
	     "SELECT " AUDIT_COLS " FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2 FOR UPDATE"),
	STMT(AUDIT_V1_CLEAR, "DELETE FROM audit_log"),
	STMT(IDEM_INSERT, "INSERT INTO idempotency (scope, ref, fingerprint, created_at) VALUES ($1,$2,$3,$4) "
			  "ON CONFLICT DO NOTHING"),
	STMT(IDEM_GET, "SELECT fingerprint, created_at, status, body, headers FROM idempotency WHERE scope = $1 "
		       "AND ref = $2"),
	/* taking over an expired record or a dead reservation: only the request that saw it as it is */
	STMT(IDEM_REPLACE, "UPDATE idempotency SET fingerprint = $1, created_at = $2, status = 0, body = NULL, "
			   "headers = NULL WHERE scope = $3 AND ref = $4 AND created_at = $5 AND status = $6"),
	STMT(IDEM_COMPLETE, "UPDATE idempotency SET status = $1, body = $2, headers = $3 WHERE scope = $4 "
			    "AND ref = $5"),
	STMT(IDEM_DELETE, "DELETE FROM idempotency WHERE scope = $1 AND ref = $2 AND status = 0"),
	/* a key's window begins at its first hit and lasts $3 ms; a hit after it starts the next one */
	STMT(COUNTER_HIT, "INSERT INTO counters (key, window_start, count) VALUES ($1, $2, 1) ON CONFLICT (key) "
			  "DO UPDATE SET count = CASE WHEN counters.window_start + $3 > $2 THEN counters.count + 1 "
			  "ELSE 1 END, window_start = CASE WHEN counters.window_start + $3 > $2 THEN "
			  "counters.window_start ELSE $2 END RETURNING count, window_start"),
	STMT(COUNTER_GET, "SELECT count, window_start FROM counters WHERE key = $1 AND window_start + $3 > $2"),
	STMT(COUNTER_GIVE_BACK, "UPDATE counters SET count = count - 1 WHERE key = $1 AND window_start = $2 "
				"AND count > 0"),
	STMT(AUTH_INSERT, "INSERT INTO authorizations (authorization_id, app_id, user_id, challenge_id, "
			  "transaction_hash, created_at, expires_at) VALUES ($1,$2,$3,$4,$5,$6,$7)"),
	STMT(AUTH_USE, "UPDATE authorizations SET used_at = $1 WHERE authorization_id = $2 AND app_id = $3 "
		       "AND user_id = $4 AND used_at = 0 AND expires_at > $1 AND transaction_hash = $5"),
	STMT(AUTH_GET, "SELECT challenge_id, transaction_hash, created_at, expires_at, used_at FROM authorizations "
		       "WHERE authorization_id = $1 AND app_id = $2 AND user_id = $3"),
	/* a listed account changes no row: BENEFICIARY_EXISTS, and the transaction goes on */
	STMT(BEN_INSERT, "INSERT INTO beneficiaries (beneficiary_id, app_id, user_id, name, account, created_at) "
			 "VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING"),
	STMT(BEN_LIST, "SELECT beneficiary_id, name, account, created_at FROM beneficiaries WHERE app_id = $1 "
		       "AND user_id = $2 ORDER BY created_at, beneficiary_id COLLATE \"C\"", .locks_user = true),
	STMT(BEN_DELETE, "DELETE FROM beneficiaries WHERE app_id = $1 AND user_id = $2 AND beneficiary_id = $3"),
	STMT(BEN_FIND, "SELECT beneficiary_id, name, account, created_at FROM beneficiaries WHERE app_id = $1 "
		       "AND user_id = $2 AND account = $3", .locks_user = true),
	STMT(SERIES_GET, "SELECT transaction_hash FROM recurring_series WHERE app_id = $1 AND user_id = $2 "
			 "AND series_id = $3", .locks_user = true),
	STMT(SERIES_PUT, "INSERT INTO recurring_series (app_id, user_id, series_id, transaction_hash, created_at) "
			 "VALUES ($1,$2,$3,$4,$5) ON CONFLICT (app_id, user_id, series_id) DO UPDATE "
			 "SET transaction_hash = $4, created_at = $5"),
	STMT(SCA_GET, "SELECT last_sca_at, last_account_sca_at, low_value_count, low_value_sum_eur_cents "
		      "FROM sca_state WHERE app_id = $1 AND user_id = $2", .locks_user = true),
	STMT(SCA_RECORD, "INSERT INTO sca_state (app_id, user_id, last_sca_at) VALUES ($1,$2,$3) "
			 "ON CONFLICT (app_id, user_id) DO UPDATE SET last_sca_at = $3, low_value_count = 0, "
			 "low_value_sum_eur_cents = 0", .pipelined = true),
	STMT(SCA_RECORD_ACCOUNT, "INSERT INTO sca_state (app_id, user_id, last_sca_at, last_account_sca_at) "
				 "VALUES ($1,$2,$3,$3) ON CONFLICT (app_id, user_id) DO UPDATE "
				 "SET last_sca_at = $3, last_account_sca_at = $3, low_value_count = 0, "
				 "low_value_sum_eur_cents = 0", .pipelined = true),
	STMT(SCA_LOW_VALUE, "INSERT INTO sca_state (app_id, user_id, low_value_count, low_value_sum_eur_cents) "
			    "VALUES ($1,$2,1,$3) ON CONFLICT (app_id, user_id) DO UPDATE "
			    "SET low_value_count = sca_state.low_value_count + 1, "
			    "low_value_sum_eur_cents = sca_state.low_value_sum_eur_cents + $3"),
	STMT(LEDGER_INSERT, "INSERT INTO exemption_ledger (app_id, user_id, exemption, amount, currency, eur_cents, "
			    "at_ms) VALUES ($1,$2,$3,$4,$5,$6,$7)"),
	STMT(LEDGER_REPORT, "SELECT app_id, exemption, currency, count(*), sum(amount), sum(eur_cents) "
			    "FROM exemption_ledger WHERE at_ms >= $1 AND at_ms < $2 "
			    "GROUP BY app_id, exemption, currency "
			    "ORDER BY app_id COLLATE \"C\", exemption COLLATE \"C\", currency COLLATE \"C\""),
	STMT(TXN_INSERT, "INSERT INTO transactions (" TXN_COLS ") VALUES "
			 "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)"),
	STMT(TXN_GET, "SELECT " TXN_COLS " FROM transactions WHERE app_id = $1 AND user_id = $2 "
		      "AND transaction_id = $3", .locks_user = true),
	STMT(TXN_UPDATE, "UPDATE transactions SET state = $1, challenge_id = $2, approved_at = $3 WHERE app_id = $4 "
			 "AND transaction_id = $5"),
	STMT(TXN_BY_CHALLENGE, "SELECT " TXN_COLS " FROM transactions WHERE app_id = $1 AND challenge_id = $2 "
			       "AND challenge_id != '' ORDER BY transaction_id COLLATE \"C\""),
	/* the WePay face: the id never changes once given; the other fields follow the latest write,
	 * within the row's own application */
	STMT(WEPAY_USER_GET, "SELECT " WEPAY_USER_COLS " FROM wepay_users WHERE app_id = $1 "
			     "AND user_id = $2", .locks_user = true),
	STMT(WEPAY_USER_PUT, "INSERT INTO wepay_users (" WEPAY_USER_COLS ") "
			     "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) ON CONFLICT (user_id) DO UPDATE "
			     "SET first_name = excluded.first_name, last_name = excluded.last_name, "
			     "scope = excluded.scope, original_ip = excluded.original_ip, "
			     "original_device = excluded.original_device, tos_acceptance_time = excluded.tos_acceptance_time, "
			     "redirect_uri = excluded.redirect_uri, callback_uri = excluded.callback_uri "
			     "WHERE wepay_users.app_id = excluded.app_id", .locks_user = true),
	STMT(WEPAY_MFA_LIST, "SELECT " WEPAY_MFA_COLS " FROM wepay_mfa WHERE app_id = $1 AND user_id = $2 "
			     "ORDER BY created_at, mfa_id LIMIT $3", .locks_user = true),
	STMT(WEPAY_MFA_PUT, "INSERT INTO wepay_mfa (" WEPAY_MFA_COLS ") VALUES ($1,$2,$3,$4,$5,$6,$7) "
			    "ON CONFLICT (factor_id) DO UPDATE SET nickname = excluded.nickname, "
			    "last_challenge_id = excluded.last_challenge_id WHERE wepay_mfa.app_id = excluded.app_id "
			    "AND wepay_mfa.user_id = excluded.user_id", .locks_user = true),
	STMT(SWEEP_SESSIONS, SWEEP("sessions", "sessions", "absolute_expires_at < $1")),
	/* a pending factor's enrolment challenge stays while the factor waits for it */
	STMT(SWEEP_CHALLENGES, SWEEP("challenges", "challenges c", "expires_at < $1 AND c.challenge_id != COALESCE("
				     "(SELECT f.enrolment_challenge_id FROM factors f WHERE f.factor_id = c.factor_id "
				     "AND f.status = 'pending_verification'), '')")),
	STMT(SWEEP_SSO, SWEEP("sso_tokens", "sso_tokens", "expires_at < $1")),
	STMT(SWEEP_EMAIL_TOKENS, SWEEP("email_tokens", "email_tokens", "expires_at < $1")),
	STMT(SWEEP_OUTBOX, SWEEP("outbox", "outbox", "status IN ('sent', 'failed') AND next_attempt_at < $1")),
	STMT(SWEEP_IDEMPOTENCY, SWEEP("idempotency", "idempotency", "created_at < $1")),
	STMT(SWEEP_COUNTERS, SWEEP("counters", "counters", "window_start < $1")),
	STMT(SWEEP_LOGIN_CHALLENGES, SWEEP("login_challenges", "login_challenges", "expires_at < $1")),
	STMT(SWEEP_DEVICES, SWEEP("devices", "devices", "expires_at < $1")),
	/* FOR UPDATE: a node that starts while `twofold key rotate` runs waits for its end (then
	 * finds the new check value) instead of reading the old ring; on SQLite the write lock */
	STMT(KEYRING_GET, NULL, KEYRING_GET, KEYRING_GET " FOR UPDATE"),
	STMT(KEYRING_INSERT, "INSERT INTO keyring (one, check_value, wrapped_keys, created_at) VALUES (1, $1, $2, $3) "
			     "ON CONFLICT (one) DO NOTHING"),
	STMT(KEYRING_REPLACE, "UPDATE keyring SET check_value = $1, wrapped_keys = $2, rotated_at = $3 WHERE one = 1"),
	SEALED(SEALED_PAGE, SEALED_APP_CLIENT_SECRET, SEALED_PAGE("apps", "app_id", "client_secret_sealed")),
	SEALED(SEALED_PAGE, SEALED_APP_DELIVERY, SEALED_PAGE("apps", "app_id", "delivery_sealed")),
	SEALED(SEALED_PAGE, SEALED_FACTOR_SECRET, SEALED_PAGE("factors", "factor_id", "secret_sealed")),
	SEALED(SEALED_PAGE, SEALED_OUTBOX_BODY, SEALED_PAGE("outbox", "message_id", "sealed_body")),
	SEALED(SEALED_PAGE, SEALED_IDEMPOTENT_ANSWER, "SELECT scope, ref, body FROM idempotency "
						      "WHERE (scope, ref) > ($1, $2) AND length(body) > 0 ORDER BY scope, ref LIMIT $3"),
	SEALED(SEALED_PUT, SEALED_APP_CLIENT_SECRET, SEALED_PUT("apps", "app_id", "client_secret_sealed")),
	SEALED(SEALED_PUT, SEALED_APP_DELIVERY, SEALED_PUT("apps", "app_id", "delivery_sealed")),
	SEALED(SEALED_PUT, SEALED_FACTOR_SECRET, SEALED_PUT("factors", "factor_id", "secret_sealed")),
	SEALED(SEALED_PUT, SEALED_OUTBOX_BODY, SEALED_PUT("outbox", "message_id", "sealed_body")),
	SEALED(SEALED_PUT, SEALED_IDEMPOTENT_ANSWER, "UPDATE idempotency SET body = $1 "
						     "WHERE scope = $2 AND ref = $3"),
	SEALED(SEALED_PAGE, SEALED_APP_EVENTS_SECRET, SEALED_PAGE("apps", "app_id", "events_secret_sealed")),
	SEALED(SEALED_PUT, SEALED_APP_EVENTS_SECRET, SEALED_PUT("apps", "app_id", "events_secret_sealed")),
	/* twofold's connections (application_name, store_pg.c) to this database but this one: nodes
	 * that are serving, or other commands, which a rotation must not run beside. SQLite cannot
	 * tell which other processes have the file open. */
	STMT(OTHER_CLIENTS, NULL, "SELECT 0",
	     "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
	     "AND application_name = 'twofold' AND pid <> pg_backend_pid()"),
	STMT(APP_SET_WEBAUTHN, "UPDATE apps SET webauthn = $1 WHERE app_id = $2"),
	STMT(USER_SET_WEBAUTHN_HANDLE, "UPDATE users SET webauthn_user_handle = $1 WHERE app_id = $2 AND user_id = $3 "
				       "AND webauthn_user_handle = ''"),
	STMT(USER_WEBAUTHN_HANDLE, "SELECT webauthn_user_handle FROM users WHERE app_id = $1 AND user_id = $2"),
	STMT(USER_GET_BY_WEBAUTHN_HANDLE, "SELECT " USER_COLS " FROM users WHERE app_id = $1 "
					  "AND webauthn_user_handle = $2 AND webauthn_user_handle <> ''"),
	STMT(FACTOR_GET_BY_CREDENTIAL, "SELECT " FACTOR_COLS ", " BACKUP_REMAINING " FROM factors WHERE app_id = $1 "
				       "AND credential_id = $2 AND credential_id <> ''"),
	STMT(LOGIN_CHALLENGE_INSERT, "INSERT INTO login_challenges (challenge_id, app_id, challenge, created_at, expires_at) "
				     "VALUES ($1,$2,$3,$4,$5)"),
	STMT(LOGIN_CHALLENGE_TAKE, "UPDATE login_challenges SET used_at = $3 WHERE app_id = $1 AND challenge_id = $2 "
				   "AND used_at = 0 AND expires_at > $3 RETURNING challenge"),
	STMT(EVIDENCE_INSERT, "INSERT INTO sca_evidence (" EVIDENCE_COLS ") "
			      "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)"),
	STMT(EVIDENCE_GET, "SELECT " EVIDENCE_COLS " FROM sca_evidence WHERE app_id = $1 AND challenge_id = $2"),
	STMT(APP_SET_FACTOR_TYPES, "UPDATE apps SET enabled_factor_types = $1 WHERE app_id = $2"),
	STMT(APP_SET_DEFAULT_LOCALE, "UPDATE apps SET default_locale = $1 WHERE app_id = $2"),
	STMT(USER_SET_LOCALE, "UPDATE users SET locale = $1 WHERE app_id = $2 AND user_id = $3"),
	STMT(APP_SET_BRANDING, "UPDATE apps SET brand_color = $1, brand_logo_type = $2, brand_logo = $3, brand_logo_bytes = $4 "
			       "WHERE app_id = $5"),
	STMT(APP_BRAND_LOGO_GET, "SELECT brand_logo_type, brand_logo FROM apps WHERE app_id = $1"),
	STMT(APP_SET_TRA, "UPDATE apps SET tra = $1 WHERE app_id = $2"),
	STMT(PAYMENT_INSERT, "INSERT INTO payments (" PAYMENT_COLS ") "
			     "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)"),
	STMT(PAYMENT_GET, "SELECT " PAYMENT_COLS " FROM payments WHERE app_id = $1 AND payment_id = $2"),
	STMT(PAYMENT_CANCEL, "UPDATE payments SET cancelled_at = $3 WHERE app_id = $1 AND payment_id = $2 "
			     "AND cancelled_at = 0 AND fraud_kind = ''"),
	STMT(PAYMENT_FRAUD, "UPDATE payments SET fraud_kind = $3, fraud_reported_at = $4, fraud_recorded_at = $5 "
			    "WHERE app_id = $1 AND payment_id = $2 AND cancelled_at = 0 AND fraud_kind = ''"),
	STMT(FRAUD_LIST, "SELECT " PAYMENT_COLS " FROM payments WHERE app_id = $1 AND fraud_kind <> '' "
			 "AND fraud_reported_at >= $2 AND fraud_reported_at < $3 AND ($4 = '' OR user_id = $4) "
			 "ORDER BY fraud_reported_at, payment_id COLLATE \"C\" LIMIT $5"),
	STMT(TRA_DAY_ADD, "INSERT INTO tra_days (app_id, type, day, exemption, band, count, value_eur_cents, fraud_count, "
			  "fraud_eur_cents) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) "
			  "ON CONFLICT (app_id, type, day, exemption, band) DO UPDATE "
			  "SET count = tra_days.count + excluded.count, "
			  "value_eur_cents = tra_days.value_eur_cents + excluded.value_eur_cents, "
			  "fraud_count = tra_days.fraud_count + excluded.fraud_count, "
			  "fraud_eur_cents = tra_days.fraud_eur_cents + excluded.fraud_eur_cents"),
	STMT(PAYER_DAY_ADD, NULL, PAYER_DAY_ADD("max"), PAYER_DAY_ADD("GREATEST")),
	STMT(PAYER_HISTORY_DAYS, "SELECT COALESCE(sum(count), 0), COALESCE(sum(sum_eur_cents), 0), "
				 "COALESCE(max(largest_eur_cents), 0) FROM payer_days WHERE app_id = $1 AND user_id = $2 "
				 "AND day >= $3", .locks_user = true),
	STMT(PAYER_HISTORY_RECENT, "SELECT COALESCE(sum(CASE WHEN executed_at > $3 THEN 1 ELSE 0 END), 0), count(*), "
				   "COALESCE(sum(eur_cents), 0) FROM payments WHERE app_id = $1 AND user_id = $2 "
				   "AND executed_at > $4 AND cancelled_at = 0", .locks_user = true),
	STMT(PAYEE_FIRST, "SELECT executed_at FROM payments WHERE app_id = $1 AND user_id = $2 AND payee_account = $3 "
			  "AND cancelled_at = 0 ORDER BY executed_at LIMIT 1", .locks_user = true),
	STMT(SEEN_PUT, NULL, SEEN_PUT("min", "max"), SEEN_PUT("LEAST", "GREATEST")),
	STMT(SEEN_GET, "SELECT first_seen_at FROM payer_seen WHERE app_id = $1 AND user_id = $2 AND kind = $3 "
		       "AND value = $4", .locks_user = true),
	STMT(SEEN_COUNTRIES, "SELECT value FROM payer_seen WHERE app_id = $1 AND user_id = $2 AND kind = 'country' "
			     "AND last_seen_at >= $3 ORDER BY last_seen_at DESC, value COLLATE \"C\" LIMIT $4",
	     .locks_user = true),
	STMT(MARKER_PUT, "INSERT INTO fraud_markers (app_id, kind, value, first_reported_at) VALUES ($1,$2,$3,$4) "
			 "ON CONFLICT DO NOTHING"),
	STMT(MARKER_FIND, "SELECT 1 FROM fraud_markers WHERE app_id = $1 AND kind = $2 AND value = $3"),
	STMT(TRA_WINDOW, "SELECT COALESCE(sum(fraud_eur_cents), 0), COALESCE(sum(value_eur_cents), 0) FROM tra_days "
			 "WHERE app_id = $1 AND type = $2 AND day >= $3 AND day <= $4"),
	STMT(TRA_SUMS_ALL, TRA_SUMS("day >= $1 AND day <= $2")),
	/* a live payment is of today, never before the type's first day: it changes no row (and on
	 * PostgreSQL locks none); an imported one may move the first day back */
	STMT(TRA_TYPE_SEEN, "INSERT INTO tra_types (app_id, type, first_day) VALUES ($1,$2,$3) ON CONFLICT DO NOTHING"),
	STMT(TRA_TYPE_SEEN_BEFORE, "INSERT INTO tra_types (app_id, type, first_day) VALUES ($1,$2,$3) "
				   "ON CONFLICT (app_id, type) DO UPDATE SET first_day = excluded.first_day "
				   "WHERE excluded.first_day < tra_types.first_day"),
	STMT(TRA_FIRST_DAYS, "SELECT app_id, type, first_day FROM tra_types ORDER BY app_id COLLATE \"C\", type COLLATE \"C\""),
	STMT(TRA_BANDS_TYPE, "SELECT " TRA_BAND_COLS " FROM tra_bands WHERE app_id = $1 AND type = $2 ORDER BY band"),
	STMT(TRA_BANDS_ALL, "SELECT " TRA_BAND_COLS " FROM tra_bands ORDER BY app_id COLLATE \"C\", type COLLATE \"C\", band"),
	STMT(TRA_BAND_INSERT, "INSERT INTO tra_bands (" TRA_BAND_COLS ") VALUES ($1,$2,$3,$4,$5,$6,$7) "
			      "ON CONFLICT DO NOTHING"),
	STMT(TRA_BAND_UPDATE, "UPDATE tra_bands SET last_quarter = $4, quarters_over = $5, suspended = $6, changed_at = $7 "
			      "WHERE app_id = $1 AND type = $2 AND band = $3 AND last_quarter = $8"),
	STMT(TRA_EVAL_INSERT, "INSERT INTO tra_evaluations (" TRA_EVAL_COLS ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) "
			      "ON CONFLICT DO NOTHING"),
	STMT(TRA_EVAL_GET, "SELECT " TRA_EVAL_COLS " FROM tra_evaluations WHERE quarter = $1 "
			   "ORDER BY app_id COLLATE \"C\", type COLLATE \"C\", band"),
	STMT(APP_EVENTS_SET, "UPDATE apps SET events_url = $1, events_secret_sealed = $2 WHERE app_id = $3"),
	STMT(APP_EVENTS_GET, "SELECT events_url, events_secret_sealed FROM apps WHERE app_id = $1"),
};

const char *stmt_text(enum stmt_id id, enum sql_dialect d)
{
	const struct stmt_sql *s = &stmt_table[id];
	const char *own = d == SQL_SQLITE ? s->sqlite : s->postgres;
	return own ? own : s->both;
}
