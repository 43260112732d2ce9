/* outbox.c: the outbox and its worker thread (see outbox.h). */
#include "delivery/outbox.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "delivery/provider.h"
#include "platform/clock.h"
#include "platform/log.h"
#include "platform/metrics.h"
#include "service/outbox_row.h"
#include "service/security_events.h"

#define BATCH 32
#define POLL_MS 1000

struct outbox {
	struct tf_service *svc;
	const struct provider *provider;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool wake, stopping;
};

int64_t outbox_backoff_ms(int attempts)
{
	int64_t ms = 1000;
	for (int i = 1; i < attempts && ms < 3600 * 1000; i++)
		ms *= 2;
	return ms < 3600 * 1000 ? ms : 3600 * 1000;
}

enum tf_err outbox_enqueue(struct tf_service *svc, struct store_conn *c, const struct message *m,
			   int64_t now, char message_id[TF_ID_MAX])
{
	crypto_random_id("msg", message_id);
	json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s}", "message_id", message_id, "app_id", m->app_id,
				 "channel", m->channel, "to", m->to, "text", m->text);
	if (!body)
		return TF_ERR_INTERNAL;
	if (m->subject)
		json_object_set_new(body, "subject", json_string(m->subject));
	if (m->html)
		json_object_set_new(body, "html", json_string(m->html));
	if (m->data)
		json_object_set(body, "data", (json_t *)m->data);
	if (m->language)
		json_object_set_new(body, "language", json_string(m->language));
	if (m->logo_png && m->logo_png_len) {
		size_t size = sodium_base64_ENCODED_LEN(m->logo_png_len, sodium_base64_VARIANT_ORIGINAL);
		char *b64 = malloc(size);
		if (!b64) {
			json_decref(body);
			return TF_ERR_INTERNAL;
		}
		sodium_bin2base64(b64, size, m->logo_png, m->logo_png_len, sodium_base64_VARIANT_ORIGINAL);
		json_object_set_new(body, "inline_image",
				    json_pack("{s:s, s:s, s:s, s:s}", "content_id", MESSAGE_LOGO_CID, "content_type", "image/png",
					      "filename", "logo.png", "data_base64", b64));
		free(b64);
	}
	json_object_set_new(body, "created_at_ms", json_integer(now));
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (!text)
		return TF_ERR_INTERNAL;
	struct outbox_row row = {.created_at = now, .next_attempt_at = now};
	snprintf(row.message_id, sizeof row.message_id, "%s", message_id);
	snprintf(row.app_id, sizeof row.app_id, "%s", m->app_id);
	snprintf(row.channel, sizeof row.channel, "%s", m->channel);
	snprintf(row.recipient, sizeof row.recipient, "%s", m->to);
	enum tf_err e = outbox_row_put(svc, c, &row, text);
	sodium_memzero(text, strlen(text));
	free(text);
	return e;
}

/* The server's own twilio or smtp settings, or NULL when not configured. */
static json_t *server_settings(const struct tf_config *cfg, bool twilio)
{
	if (twilio)
		return cfg->twilio_account_sid[0]
			       ? json_pack("{s:s, s:s, s:s, s:s}", "account_sid", cfg->twilio_account_sid, "auth_token",
					   cfg->twilio_auth_token, "from", cfg->twilio_from, "base_url", cfg->twilio_base_url)
			       : NULL;
	return cfg->smtp_url[0] ? json_pack("{s:s, s:s, s:s, s:s}", "url", cfg->smtp_url, "from", cfg->smtp_from, "username",
					    cfg->smtp_username, "password", cfg->smtp_password)
				: NULL;
}

/* The application's events endpoint now, {url, secret}: NULL when it has none, no secret
 * when the database could not be read or the secret not opened (then the SET is retried). */
static json_t *events_settings(struct outbox *ob, struct store_conn *c, const char *app_id)
{
	char url[STORE_URL_MAX] = "";
	uint8_t *sealed = NULL, *plain = NULL;
	size_t sealed_len = 0, plain_len = 0;
	enum tf_err e = STORE(c)->app_events_get(c, app_id, url, &sealed, &sealed_len);
	if (e == TF_ERR_NOT_FOUND || (e == TF_OK && !url[0])) {
		free(sealed);
		return NULL;
	}
	json_t *out = json_pack("{s:s}", "url", url);
	if (e == TF_OK && sealed && crypto_open(ob->svc->keys, sealed, sealed_len, &plain, &plain_len) == TF_OK) {
		json_object_set_new(out, "secret", json_string((const char *)plain));
		sodium_memzero(plain, plain_len);
		free(plain);
	}
	free(sealed);
	return out;
}

/* Which provider sends a message: a security event token through set, to the application's
 * events endpoint; SMS and voice through Twilio, email through SMTP, when the application (its
 * sealed delivery settings) or else the server has them; otherwise the server's default
 * provider. *settings gets the chosen provider's settings. */
static const struct provider *route(struct outbox *ob, struct store_conn *c, const char *app_id, const char *channel,
				    json_t **settings)
{
	*settings = NULL;
	if (channel && !strcmp(channel, SET_CHANNEL)) {
		*settings = events_settings(ob, c, app_id);
		return &provider_set;
	}
	bool phone = channel && (!strcmp(channel, "sms") || !strcmp(channel, "voice"));
	bool email = channel && !strcmp(channel, "email");
	if (!phone && !email)
		return ob->provider;
	const char *key = phone ? "twilio" : "smtp";
	uint8_t *sealed = NULL, *plain = NULL;
	size_t sealed_len = 0, plain_len = 0;
	if (STORE(c)->app_delivery_get(c, app_id, &sealed, &sealed_len) == TF_OK && sealed_len &&
	    crypto_open(ob->svc->keys, sealed, sealed_len, &plain, &plain_len) == TF_OK) {
		json_t *all = json_loadb((const char *)plain, plain_len, 0, NULL);
		sodium_memzero(plain, plain_len);
		free(plain);
		json_t *mine = json_object_get(all, key);
		if (mine)
			*settings = json_incref(mine);
		json_decref(all);
	}
	free(sealed);
	if (!*settings)
		*settings = server_settings(&ob->svc->cfg, phone);
	if (!*settings)
		return ob->provider;
	return phone ? &provider_twilio : &provider_smtp;
}

/* counts a security event token's attempt (metrics.h) */
static void count_set(struct outbox *ob, const struct outbox_row *m, enum metric_counter what)
{
	if (!strcmp(m->channel, SET_CHANNEL))
		metrics_count(ob->svc->metrics, what);
}

/* Sends one due message; returns whether it was delivered. */
static bool deliver_one(struct outbox *ob, struct store_conn *c, struct outbox_row *m, int64_t now)
{
	uint8_t *plain = NULL;
	size_t plain_len = 0;
	char err[256] = "";
	enum tf_err e = crypto_open(ob->svc->keys, m->sealed_body, m->sealed_body_len, &plain, &plain_len);
	if (e != TF_OK) {
		(void)STORE(c)->outbox_mark_failed(c, m->message_id, "message cannot be decrypted");
		log_error("outbox message cannot be decrypted", "message_id", m->message_id, NULL);
		return false;
	}
	json_t *msg = json_loadb((const char *)plain, plain_len, 0, NULL);
	sodium_memzero(plain, plain_len);
	free(plain);
	if (!msg) {
		(void)STORE(c)->outbox_mark_failed(c, m->message_id, "message is not JSON");
		return false;
	}
	json_object_del(msg, "created_at_ms");
	json_t *settings = NULL;
	const struct provider *p = route(ob, c, m->app_id, json_string_value(json_object_get(msg, "channel")), &settings);
	e = p->send(ob->svc, settings, msg, err, sizeof err);
	json_decref(settings); /* wiped on free: the allocator clears every block */
	json_decref(msg);
	if (e == TF_OK) {
		count_set(ob, m, M_SET_DELIVERED);
		return STORE(c)->outbox_mark_sent(c, m->message_id, now) == TF_OK;
	}
	int attempts = m->attempts + 1;
	count_set(ob, m, M_SET_FAILED);
	/* a receiver's definite refusal is final: the same message would be refused again */
	if (e == TF_ERR_PERMISSION_DENIED || now - m->created_at >= OUTBOX_GIVE_UP_MS) {
		count_set(ob, m, M_SET_GAVE_UP);
		(void)STORE(c)->outbox_mark_failed(c, m->message_id, err);
		log_error("message delivery failed for good", "message_id", m->message_id, "error", err, NULL);
	} else {
		(void)STORE(c)->outbox_mark_retry(c, m->message_id, attempts, now + outbox_backoff_ms(attempts), err);
		log_warn("message delivery failed; will retry", "message_id", m->message_id, "error", err, NULL);
	}
	return false;
}

/* Delivers every due message; returns how many were handled. A delivery can make the next
 * message of its order key due (outbox.order_key): another round follows any that delivered. */
static size_t drain(struct outbox *ob)
{
	struct store_conn *c;
	if (store_acquire(ob->svc->store, &c) != TF_OK)
		return 0;
	struct outbox_row rows[BATCH];
	size_t n = 0, total = 0;
	bool delivered;
	do {
		int64_t now = clock_now_ms();
		delivered = false;
		if (STORE(c)->outbox_due(c, now, rows, BATCH, &n) != TF_OK)
			break;
		for (size_t i = 0; i < n; i++) {
			delivered |= deliver_one(ob, c, &rows[i], now);
			free(rows[i].sealed_body);
		}
		total += n;
	} while (n == BATCH || delivered);
	store_release(c);
	return total;
}

static void *worker(void *arg)
{
	struct outbox *ob = arg;
	for (;;) {
		drain(ob);
		pthread_mutex_lock(&ob->lock);
		if (!ob->wake && !ob->stopping) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += POLL_MS / 1000;
			pthread_cond_timedwait(&ob->cond, &ob->lock, &until);
		}
		bool stop = ob->stopping;
		ob->wake = false;
		pthread_mutex_unlock(&ob->lock);
		if (stop) {
			drain(ob);
			return NULL;
		}
	}
}

enum tf_err outbox_start(struct tf_service *svc, struct outbox **out)
{
	struct outbox *ob = calloc(1, sizeof *ob);
	if (!ob)
		return TF_ERR_INTERNAL;
	ob->svc = svc;
	ob->provider = strcmp(svc->cfg.delivery, "webhook") == 0 ? &provider_webhook : &provider_log;
	pthread_mutex_init(&ob->lock, NULL);
	pthread_cond_init(&ob->cond, NULL);
	if (pthread_create(&ob->thread, NULL, worker, ob) != 0) {
		free(ob);
		return TF_ERR_INTERNAL;
	}
	*out = ob;
	return TF_OK;
}

void outbox_wake(struct outbox *ob)
{
	pthread_mutex_lock(&ob->lock);
	ob->wake = true;
	pthread_cond_signal(&ob->cond);
	pthread_mutex_unlock(&ob->lock);
}

void outbox_stop(struct outbox *ob)
{
	if (!ob)
		return;
	pthread_mutex_lock(&ob->lock);
	ob->stopping = true;
	pthread_cond_signal(&ob->cond);
	pthread_mutex_unlock(&ob->lock);
	pthread_join(ob->thread, NULL);
	pthread_mutex_destroy(&ob->lock);
	pthread_cond_destroy(&ob->cond);
	free(ob);
}
