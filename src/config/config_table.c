/* config_table.c: one row per server setting (name, type, default, bounds, help).
 * docs/configuration.md documents the same rows; a unit test keeps them in step. */
#include <stddef.h>

#include "config/config.h"

#define S(f) CONFIG_STRING, offsetof(struct tf_config, f), sizeof(((struct tf_config *)0)->f)
#define I(f) CONFIG_INT, offsetof(struct tf_config, f), 0
#define B(f) CONFIG_BOOL, offsetof(struct tf_config, f), 0
#define C(f) CONFIG_CHOICE, offsetof(struct tf_config, f), sizeof(((struct tf_config *)0)->f)

const struct config_setting config_settings[] = {
	{"listen", S(listen), "127.0.0.1:8420", 0, 0, NULL, false, "address:port of the HTTP listener"},
	{"data", S(data), "./data", 0, 0, NULL, false, "data folder: twofold.db, master.key, messages.jsonl"},
	{"master_key_file", S(master_key_file), "", 0, 0, NULL, false, "file holding the master key (32 bytes, or 64 hexadecimal digits), such as one a secret manager mounts; twofold never creates it, and DATA/master.key is then not used; empty: DATA/master.key, created at the first start"},
	{"audit_key_file", S(audit_key_file), "", 0, 0, NULL, false, "file holding the deployment's audit key (32 bytes, or 64 hexadecimal digits: an Ed25519 seed) that signs the audit chains' heads; every node needs the same one; empty: DATA/audit.key, created at the first start"},
	{"database", S(database), "", 0, 0, NULL, false, "database URL: empty means SQLite in DATA/twofold.db; postgres://USER@HOST:PORT/DB selects PostgreSQL (several nodes on one database; keep its password in PGPASSWORD or ~/.pgpass, not the URL)"},
	{"db_pool_size", I(db_pool_size), "32", 1, 1000, NULL, false, "PostgreSQL connections this node opens at most; a request waiting 5 s for one is answered 503 OVERLOADED"},
	{"admin_token", S(admin_token), "", 0, 0, NULL, true, "admin API token; empty: generated into DATA/admin.token"},
	{"metrics_token", S(metrics_token), "", 0, 0, NULL, true, "bearer token GET /metrics asks for (Authorization: Bearer ...); empty: /metrics answers anyone (restrict it at the proxy)"},
	{"public_url", S(public_url), "", 0, 0, NULL, false, "base URL users reach twofold at (links in emails); empty: http://LISTEN"},
	{"log_level", C(log_level), "info", 0, 0, "debug|info|warn|error", false, "least severe level logged"},
	{"durability", C(durability), "normal", 0, 0, "normal|full", false, "SQLite synchronous=NORMAL (survives a crash of the process) or FULL (fsync every commit)"},
	{"delivery", C(delivery), "log", 0, 0, "log|webhook", false, "message provider: log appends to DATA/messages.jsonl; webhook POSTs each message, signed"},
	{"webhook_url", S(webhook_url), "", 0, 0, NULL, false, "where the webhook provider POSTs messages"},
	{"webhook_secret", S(webhook_secret), "", 0, 0, NULL, true, "key of the webhook provider's HMAC-SHA-256 signature"},
	{"events_allow_private_urls", B(events_allow_private_urls), "off", 0, 0, NULL, false, "let applications' events endpoints (docs/events.md) be http:// and on loopback, private or link-local addresses, both when set and when twofold connects; for tests and development only: on, an application could make twofold post into the network it runs in"},
	{"twilio_account_sid", S(twilio_account_sid), "", 0, 0, NULL, false, "Twilio account SID: SMS and voice go through Twilio (an application's own settings win)"},
	{"twilio_auth_token", S(twilio_auth_token), "", 0, 0, NULL, true, "Twilio auth token"},
	{"twilio_from", S(twilio_from), "", 0, 0, NULL, false, "the Twilio number messages and calls come from (E.164)"},
	{"twilio_base_url", S(twilio_base_url), "https://api.twilio.com", 0, 0, NULL, false, "Twilio API base URL (a test or gateway may stand in)"},
	{"smtp_url", S(smtp_url), "", 0, 0, NULL, false, "smtp://host:port or smtps://host:port: emails go through this server (an application's own settings win)"},
	{"smtp_username", S(smtp_username), "", 0, 0, NULL, false, "SMTP user name"},
	{"smtp_password", S(smtp_password), "", 0, 0, NULL, true, "SMTP password"},
	{"smtp_from", S(smtp_from), "", 0, 0, NULL, false, "the From address of emails"},
	{"delivery_echo", B(delivery_echo), "on", 0, 0, NULL, false, "log provider also prints each message, code included, to the log"},
	{"access_log", B(access_log), "on", 0, 0, NULL, false, "log one line per request (method, route, status, duration, client; never bodies)"},
	{"trust_forwarded_for", B(trust_forwarded_for), "off", 0, 0, NULL, false, "take the client address from X-Forwarded-For (only behind a proxy you run)"},
	{"threads", I(threads), "0", 0, 256, NULL, false, "HTTP threads; 0 means one per CPU core"},
	{"slow_workers", I(slow_workers), "0", 0, 256, NULL, false, "threads for slow work (Argon2id), in each of two pools: whole slow handlers at nice 10, password hashes alone at SCHED_IDLE; 0 means one fewer than the CPU cores (at least one), so that slow work always leaves a core to the rest"},
	{"slow_queue", I(slow_queue), "256", 1, 100000, NULL, false, "slow requests waiting at most; more are answered 503 OVERLOADED"},
	{"max_connections", I(max_connections), "4096", 16, 1000000, NULL, false, "concurrent HTTP connections"},
	{"connection_timeout", I(connection_timeout), "30", 1, 3600, NULL, false, "seconds an idle or slow connection is kept"},
	{"request_receive_timeout", I(request_receive_timeout), "10", 0, 3600, NULL, false, "seconds a client has to send a whole request (line, headers and body) however it trickles them, from the accept for a connection's first request and from the request line for later ones; past it (checked once a second) the connection is closed; the server's own time after that never counts; 0: no limit (connection_timeout alone, an idle timeout)"},
	{"session_idle_timeout", I(session_idle_timeout), "1800", 1, 31536000, NULL, false, "seconds without activity after which an API session token dies"},
	{"session_max_lifetime", I(session_max_lifetime), "43200", 1, 31536000, NULL, false, "seconds after which an API session token dies whatever its activity"},
	{"unverified_user_ttl", I(unverified_user_ttl), "7776000", 1, 315360000, NULL, false, "seconds an unverified user lives (90 days)"},
	{"argon2_opslimit", I(argon2_opslimit), "2", 1, 20, NULL, false, "Argon2id passes"},
	{"argon2_memlimit_kib", I(argon2_memlimit_kib), "65536", 8, 4194304, NULL, false, "Argon2id memory in KiB; a thread that has hashed keeps that much for its next hash until it has been idle 5 s (so up to twice slow_workers times it during a burst of logins)"},
	{"login_attempts_per_address", I(login_attempts_per_address), "300", 1, 1000000, NULL, false, "password logins per client address and application per rate window"},
	{"login_failures_per_user", I(login_failures_per_user), "10", 1, 1000000, NULL, false, "password guesses per user per rate window: each login counts before its hash and a right password gives it back, so guesses sent at once are no more"},
	{"rate_window", I(rate_window), "900", 1, 86400, NULL, false, "seconds of the login and wrong-code rate-limit windows, each beginning at its key's first counted attempt (at most a day: the sweeper deletes counters of windows that began a day ago, core/retention.h)"},
	{"sso_token_lifetime", I(sso_token_lifetime), "600", 1, 86400, NULL, false, "seconds an SSO token may wait before it is redeemed at GET /sso (10 minutes)"},
	{"hosted_session_idle_timeout", I(hosted_session_idle_timeout), "600", 1, 86400, NULL, false, "seconds without activity after which a hosted-pages session ends (10 minutes)"},
	{"hosted_session_max_lifetime", I(hosted_session_max_lifetime), "43200", 60, 31536000, NULL, false, "seconds after which a hosted-pages session ends whatever its activity"},
	{"payment_authorization_lifetime", I(payment_authorization_lifetime), "300", 1, 3600, NULL, false, "seconds a verified transaction challenge's authorisation may wait for POST /v1/authorize (5 minutes)"},
	{"account_information_max_age", I(account_information_max_age), "15552000", 1, 315360000, NULL, false, "seconds after an account SCA during which account information is exempt (180 days, RTS art. 10)"},
	{"verify_failures_per_address", I(verify_failures_per_address), "1000", 1, 100000000, NULL, false, "wrong codes per client address and application per rate window, then 429 (the partner's servers are usually one address: keep it high)"},
	{"sends_per_number_per_hour", I(sends_per_number_per_hour), "10", 1, 1000000, NULL, false, "SMS and voice codes sent to one number by one application per hour (an application may set its own)"},
	{"sends_per_range_per_hour", I(sends_per_range_per_hour), "100", 1, 1000000, NULL, false, "codes sent to one number range (calling code and three digits) by one application per hour"},
	{"sends_per_app_per_hour", I(sends_per_app_per_hour), "5000", 1, 100000000, NULL, false, "codes sent by one application per hour"},
	{"sends_per_user_per_hour", I(sends_per_user_per_hour), "10", 1, 1000000, NULL, false, "codes sent to one user's factors per hour, whatever the number; checked before the number, range and application caps, so that one account cannot use up its application's hour"},
	{"sends_per_address_per_hour", I(sends_per_address_per_hour), "1000", 1, 100000000, NULL, false, "codes one client address asks for per application per hour (a partner's servers that call from one address share it: keep it above their hourly volume and below sends_per_app_per_hour)"},
	{"sends_per_email_per_hour", I(sends_per_email_per_hour), "10", 1, 1000000, NULL, false, "email codes sent to one email address by one application per hour (an application may set its own)"},
	{"expired_rows_kept", I(expired_rows_kept), "604800", 0, 315360000, NULL, false, "seconds that ended sessions, challenges, SSO and email tokens, trusted devices and sent or failed messages are kept (to tell a late caller how they ended) before the sweeper deletes them, with idempotency records past their 24 hours and rate counters of past windows; 0 keeps them all"},
	{"sweep_interval", I(sweep_interval), "60", 1, 86400, NULL, false, "seconds between the sweeper's runs (each deletes in batches of 100 rows, a transaction each, 10 ms apart)"},
	{"audit_anchor_interval", I(audit_anchor_interval), "300", 1, 86400, NULL, false, "seconds between two signings of the audit chains' heads (each chain whose newest event moved gets a signed head, also logged as 'audit chain head'): a platform that keeps its signed heads sees the removal of its chain's newest events"},
	{"cookie_secure", C(cookie_secure), "auto", 0, 0, "auto|on|off", false, "Secure attribute on hosted-pages cookies; auto: when public_url is https"},
	{"wepay_token_lifetime", I(wepay_token_lifetime), "315360000", 3600, 315360000, NULL, false, "seconds a WePay face access token (from /v2/user/register) lives, whatever its activity; while the user is unconfirmed it also ends with the user (unverified_user_ttl)"},
};
const size_t config_settings_count = sizeof config_settings / sizeof config_settings[0];
