/*
 * tra.c: the transaction risk analysis exemption as the domain runs it (see tra.h): settings,
 * the assessment of a payment from facts loaded first, the payments and their fraud reports,
 * and the quarterly monitoring.
 */
#include "sca/tra.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "crypto/crypto.h"
#include "delivery/outbox.h"
#include "platform/log.h"
#include "platform/metrics.h"
#include "sca/devices.h"
#include "sca/payments.h"

const char *const sca_tra_refusal_names[] = {
	[SCA_TRA_APPLIED] = "",        [SCA_TRA_RISK] = "risk", [SCA_TRA_CURRENCY] = "currency",
	[SCA_TRA_AMOUNT] = "amount",   [SCA_TRA_NO_RATE] = "no_rate", [SCA_TRA_RATE] = "rate",
	[SCA_TRA_SUSPENDED] = "suspended",
};

/* ---- settings ---- */

static bool country_ok(const char *c)
{
	return c && strlen(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z';
}

void sca_tra_settings_read(const char *text, struct tra_settings *out)
{
	memset(out, 0, sizeof *out);
	json_t *v = text && text[0] ? json_loads(text, 0, NULL) : NULL;
	if (!v)
		return;
	out->enabled = json_is_true(json_object_get(v, "enabled"));
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(v, "types"), i, x) {
		int t = name_find(payment_type_names, PAYMENT_TYPE__MAX, json_string_value(x) ? json_string_value(x) : "");
		if (t >= 0)
			out->types[t] = true;
	}
	json_array_foreach(json_object_get(v, "high_risk_countries"), i, x) {
		if (out->n_high_risk < TRA_HIGH_RISK_MAX && country_ok(json_string_value(x)))
			snprintf(out->high_risk[out->n_high_risk++], RISK_COUNTRY_SIZE, "%s", json_string_value(x));
	}
	json_decref(v);
}

char *sca_tra_settings_text(const json_t *v)
{
	if (!v || json_is_null(v))
		return strdup("");
	if (!json_is_object(v))
		return NULL;
	const char *key;
	json_t *value;
	json_object_foreach((json_t *)v, key, value) {
		if (strcmp(key, "enabled") && strcmp(key, "types") && strcmp(key, "high_risk_countries"))
			return NULL;
	}
	json_t *enabled = json_object_get(v, "enabled"), *types = json_object_get(v, "types");
	json_t *countries = json_object_get(v, "high_risk_countries");
	if (!json_is_boolean(enabled) || (types && !json_is_array(types)) || (countries && !json_is_array(countries)) ||
	    json_array_size(countries) > TRA_HIGH_RISK_MAX)
		return NULL;
	bool seen[PAYMENT_TYPE__MAX] = {false};
	size_t i;
	json_t *x;
	json_array_foreach(types, i, x) {
		int t = name_find(payment_type_names, PAYMENT_TYPE__MAX, json_string_value(x) ? json_string_value(x) : "");
		if (t < 0 || seen[t])
			return NULL;
		seen[t] = true;
	}
	json_t *out_types = json_array(), *out_countries = json_array();
	for (int t = 0; t < PAYMENT_TYPE__MAX; t++)
		if (!types || seen[t]) /* types left out: both */
			json_array_append_new(out_types, json_string(payment_type_names[t]));
	bool ok = true;
	json_array_foreach(countries, i, x) {
		ok = ok && country_ok(json_string_value(x));
		if (ok)
			json_array_append_new(out_countries, json_string(json_string_value(x)));
	}
	json_t *o = json_pack("{s:b, s:o, s:o}", "enabled", json_is_true(enabled), "types", out_types, "high_risk_countries",
			      out_countries);
	char *text = ok && o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (text && strlen(text) >= STORE_TRA_SETTINGS_MAX) {
		free(text);
		return NULL;
	}
	return text;
}

json_t *sca_tra_settings_json(const char *text)
{
	json_t *v = text && text[0] ? json_loads(text, 0, NULL) : NULL;
	return v ? v : json_pack("{s:b, s:[], s:[]}", "enabled", false, "types", "high_risk_countries");
}

bool sca_tra_enabled(const struct app_row *app, enum payment_type type)
{
	if (!app->tra[0])
		return false;
	struct tra_settings s;
	sca_tra_settings_read(app->tra, &s);
	return s.enabled && (unsigned)type < PAYMENT_TYPE__MAX && s.types[type];
}

/* ---- the assessment ---- */

/* When the payer was first seen with the device the signals name, if it is the payer's: a
 * trusted twofold device (since its trust was given, by SCA) or a device id seen before. */
static enum tf_err device_first_seen(const struct sca_ctx *ctx, const char *user_id, const struct sca_risk_signals *sig,
				     bool *known, int64_t *first_seen)
{
	*known = false;
	*first_seen = 0;
	struct device_claims cl;
	if (sig->device_cookie && sig->device_cookie[0] &&
	    sca_device_check(ctx, user_id, sig->device_cookie, DOMAIN_API, &cl) == NULL) {
		struct device_row list[DEVICES_LIST_MAX];
		size_t n;
		enum tf_err e = sca_device_list(ctx, user_id, list, &n);
		if (e != TF_OK)
			return e;
		for (size_t i = 0; i < n; i++)
			if (!strcmp(list[i].device_id, cl.device_id)) {
				*known = true;
				*first_seen = list[i].created_at;
			}
	}
	if (sig->device_id && sig->device_id[0]) {
		int64_t at;
		enum tf_err e = STORE(ctx->db)->payer_seen_get(ctx->db, ctx->app->app_id, user_id, "device", sig->device_id, &at);
		if (e != TF_OK && e != TF_ERR_NOT_FOUND)
			return e;
		if (e == TF_OK && (!*known || at < *first_seen)) {
			*known = true;
			*first_seen = at;
		}
	}
	return TF_OK;
}

static enum tf_err marker_named(const struct sca_ctx *ctx, const char *kind, const char *value, bool *named)
{
	*named = false;
	if (!value || !value[0])
		return TF_OK;
	enum tf_err e = STORE(ctx->db)->fraud_marker_find(ctx->db, ctx->app->app_id, kind, value);
	*named = e == TF_OK;
	return e == TF_ERR_NOT_FOUND ? TF_OK : e;
}

/* The facts of core/risk.h for a payment of user_id. */
static enum tf_err risk_facts_load(const struct sca_ctx *ctx, const char *user_id, const struct transaction *tx,
				   enum payment_type type, int64_t eur_cents, const struct sca_risk_signals *sig,
				   const struct tra_settings *settings, struct risk_facts *f)
{
	memset(f, 0, sizeof *f);
	f->amount_eur_cents = eur_cents;
	f->type = type;
	struct payer_history h;
	enum tf_err e = STORE(ctx->db)->payer_history(ctx->db, ctx->app->app_id, user_id, tra_window(ctx->now).first, ctx->now, &h);
	if (e != TF_OK)
		return e;
	f->history_count = h.count;
	f->history_sum_eur_cents = h.sum_eur_cents;
	f->history_largest_eur_cents = h.largest_eur_cents;
	f->payments_last_hour = h.last_hour;
	f->payments_last_day = h.last_day;
	f->value_last_day_eur_cents = h.last_day_eur_cents;
	e = STORE(ctx->db)->payee_first_paid(ctx->db, ctx->app->app_id, user_id, tx->payee_account, &f->payee_first_paid_at);
	if (e != TF_OK && e != TF_ERR_NOT_FOUND)
		return e;
	f->payee_paid_before = e == TF_OK;
	if ((e = device_first_seen(ctx, user_id, sig, &f->device_known, &f->device_first_seen_at)) != TF_OK)
		return e;
	if (country_ok(sig->payer_country))
		snprintf(f->payer_country, sizeof f->payer_country, "%s", sig->payer_country);
	if (country_ok(sig->payee_country))
		snprintf(f->payee_country, sizeof f->payee_country, "%s", sig->payee_country);
	else
		risk_iban_country(tx->payee_account, f->payee_country);
	e = STORE(ctx->db)->payer_countries(ctx->db, ctx->app->app_id, user_id, ctx->now - TRA_WINDOW_DAYS * TRA_DAY_MS,
					    f->countries_seen, RISK_COUNTRIES_SEEN_MAX, &f->countries_seen_count);
	if (e != TF_OK)
		return e;
	f->high_risk_countries = settings->high_risk;
	f->high_risk_count = settings->n_high_risk;
	if ((e = marker_named(ctx, "payee", tx->payee_account, &f->payee_in_fraud_report)) != TF_OK ||
	    (e = marker_named(ctx, "ip", sig->client_ip, &f->client_in_fraud_report)) != TF_OK)
		return e;
	f->malware_signal = sig->malware;
	return TF_OK;
}

/* The type's 90-day rate and its bands' suspensions. */
static enum tf_err rate_facts_load(const struct sca_ctx *ctx, enum payment_type type, struct tra_rate *rate,
				   bool suspended[TRA_BAND__MAX])
{
	struct tra_days w = tra_window(ctx->now);
	enum tf_err e = STORE(ctx->db)->tra_window(ctx->db, ctx->app->app_id, type, w.first, w.last, &rate->fraud_eur_cents,
						   &rate->total_eur_cents);
	if (e != TF_OK)
		return e;
	struct tra_band_row rows[TRA_BAND__MAX];
	size_t n;
	if ((e = STORE(ctx->db)->tra_bands_get(ctx->db, ctx->app->app_id, type, rows, TRA_BAND__MAX, &n)) != TF_OK)
		return e;
	for (int b = 0; b < TRA_BAND__MAX; b++)
		suspended[b] = false;
	for (size_t i = 0; i < n; i++)
		for (int b = 0; b < TRA_BAND__MAX; b++)
			if (rows[i].band * 100LL == tra_etv_eur_cents[b])
				suspended[b] = rows[i].suspended;
	return TF_OK;
}

enum tf_err sca_tra_assess(const struct sca_ctx *ctx, const char *user_id, const struct transaction *tx,
			   enum payment_type type, bool eur_known, int64_t eur_cents, const struct sca_risk_signals *sig,
			   struct sca_tra_assessment *out)
{
	memset(out, 0, sizeof *out);
	out->choice.rate_ppm = -1;
	struct tra_settings settings;
	sca_tra_settings_read(ctx->app->tra, &settings);
	struct risk_facts f;
	enum tf_err e = risk_facts_load(ctx, user_id, tx, type, eur_known ? eur_cents : 0, sig, &settings, &f);
	if (e != TF_OK)
		return e;
	out->risk = risk_analyse(&f, ctx->now);
	struct tra_rate rate;
	bool suspended[TRA_BAND__MAX];
	if ((e = rate_facts_load(ctx, type, &rate, suspended)) != TF_OK)
		return e;
	if (eur_known)
		out->choice = tra_band_choose(type, eur_cents, rate, suspended);
	else
		out->choice.rate_ppm = tra_rate_ppm(rate);
	if (!eur_known)
		out->refusal = SCA_TRA_CURRENCY;
	else if (!out->choice.exempt)
		out->refusal = out->choice.refusal == TRA_REFUSAL_AMOUNT    ? SCA_TRA_AMOUNT
			       : out->choice.refusal == TRA_REFUSAL_NO_RATE ? SCA_TRA_NO_RATE
			       : out->choice.refusal == TRA_REFUSAL_RATE    ? SCA_TRA_RATE
									    : SCA_TRA_SUSPENDED;
	else if (out->risk.level != RISK_LOW)
		out->refusal = SCA_TRA_RISK;
	else
		out->refusal = SCA_TRA_APPLIED;
	return TF_OK;
}

/* ---- payments ---- */

static void payment_fill(const struct sca_ctx *ctx, struct payment_row *p, const char *user_id, const struct transaction *tx,
			 enum payment_type type, int64_t eur_cents, const char *exemption, int band, int64_t executed_at,
			 const char *client_ip)
{
	memset(p, 0, sizeof *p);
	snprintf(p->app_id, sizeof p->app_id, "%s", ctx->app->app_id);
	crypto_random_id("pay", p->payment_id);
	snprintf(p->user_id, sizeof p->user_id, "%s", user_id ? user_id : "");
	p->type = type;
	snprintf(p->exemption, sizeof p->exemption, "%s", exemption);
	p->band = band;
	p->amount = tx->amount;
	snprintf(p->currency, sizeof p->currency, "%s", tx->currency);
	p->eur_cents = eur_cents;
	snprintf(p->payee_account, sizeof p->payee_account, "%s", tx->payee_account);
	snprintf(p->client_ip, sizeof p->client_ip, "%s", client_ip && strlen(client_ip) < sizeof p->client_ip ? client_ip : "");
	p->executed_at = executed_at;
	p->day = tra_day(executed_at);
}

/* That the payer was seen with a country and a device at a time. */
static enum tf_err seen_record(const struct sca_ctx *ctx, const char *user_id, const char *country, const char *device_id,
			       int64_t at)
{
	enum tf_err e = TF_OK;
	if (country_ok(country))
		e = STORE(ctx->db)->payer_seen_put(ctx->db, ctx->app->app_id, user_id, "country", country, at);
	if (e == TF_OK && device_id && device_id[0])
		e = STORE(ctx->db)->payer_seen_put(ctx->db, ctx->app->app_id, user_id, "device", device_id, at);
	return e;
}

enum tf_err sca_payment_record(const struct sca_ctx *ctx, const char *user_id, const struct transaction *tx,
			       enum payment_type type, int64_t eur_cents, const char *exemption, int band,
			       const struct sca_risk_signals *sig, char payment_id[TF_ID_MAX])
{
	struct payment_row p;
	payment_fill(ctx, &p, user_id, tx, type, eur_cents, exemption, band, ctx->now, sig ? sig->client_ip : NULL);
	enum tf_err e = STORE(ctx->db)->payment_record(ctx->db, &p);
	if (e == TF_OK && !exemption[0] && sig) /* only SCA teaches where and on what the payer pays */
		e = seen_record(ctx, user_id, sig->payer_country, sig->device_id, ctx->now);
	if (e == TF_OK)
		snprintf(payment_id, TF_ID_MAX, "%s", p.payment_id);
	return e;
}

enum tf_err sca_payment_get(const struct sca_ctx *ctx, const char *payment_id, struct payment_row *out)
{
	return STORE(ctx->db)->payment_get(ctx->db, ctx->app->app_id, payment_id, out);
}

enum tf_err sca_payment_cancel(const struct sca_ctx *ctx, const char *payment_id, struct payment_row *out)
{
	enum tf_err e = sca_tx_begin(ctx);
	if (e != TF_OK)
		return e;
	e = STORE(ctx->db)->payment_cancel(ctx->db, ctx->app->app_id, payment_id, ctx->now, out);
	if (e == TF_OK && out->cancelled_at == ctx->now)
		e = sca_audit(ctx, "payment.cancelled", payment_id, NULL);
	return sca_tx_end(ctx, e);
}

static bool exemption_known(const char *name)
{
	static const char *const names[] = {"",          "own_accounts", "trusted_beneficiary", "recurring_series",
					    "low_value", "transaction_risk_analysis"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/* The first field of an import item that is not valid, or NULL. */
static const char *import_item_check(const struct sca_ctx *ctx, const struct sca_payment_import *it, int64_t *eur_cents)
{
	if (!exemption_known(it->exemption))
		return "exemption";
	bool tra = !strcmp(it->exemption, "transaction_risk_analysis");
	if (tra ? it->band != 100 && it->band != 250 && it->band != 500 : it->band != 0)
		return "band";
	if (it->executed_at > ctx->now || it->executed_at < ctx->now - 400 * TRA_DAY_MS)
		return "executed_at";
	if (!sca_payment_eur_cents(ctx->app, &it->tx, eur_cents))
		return "currency";
	if (tra && *eur_cents > it->band * 100LL)
		return "band";
	return NULL;
}

/* What an import tells once for many payments: each user of the application checked once, and
 * each payer's country and device with the first and last time they were seen. */
struct import_once {
	const char **users_checked;
	size_t n_users;
	struct seen_span {
		const char *user_id, *kind, *value;
		int64_t first, last;
	} *seen;
	size_t n_seen;
};

static enum tf_err user_check_once(const struct sca_ctx *ctx, struct import_once *o, const char *user_id)
{
	for (size_t i = 0; i < o->n_users; i++)
		if (!strcmp(o->users_checked[i], user_id))
			return TF_OK;
	struct user_row u;
	enum tf_err e = STORE(ctx->db)->user_get(ctx->db, ctx->app->app_id, user_id, &u);
	if (e == TF_OK)
		o->users_checked[o->n_users++] = user_id;
	return e;
}

static void seen_note(struct import_once *o, const char *user_id, const char *kind, const char *value, int64_t at)
{
	if (!value || !value[0] || (!strcmp(kind, "country") && !country_ok(value)))
		return;
	for (size_t i = 0; i < o->n_seen; i++) {
		struct seen_span *s = &o->seen[i];
		if (!strcmp(s->user_id, user_id) && !strcmp(s->kind, kind) && !strcmp(s->value, value)) {
			s->first = at < s->first ? at : s->first;
			s->last = at > s->last ? at : s->last;
			return;
		}
	}
	o->seen[o->n_seen++] = (struct seen_span){user_id, kind, value, at, at};
}

enum tf_err sca_payments_import(const struct sca_ctx *ctx, const struct sca_payment_import *items, size_t n,
				char (*ids)[TF_ID_MAX], size_t *bad, const char **bad_field)
{
	int64_t *eur = malloc((n ? n : 1) * sizeof *eur);
	struct import_once o = {calloc(n ? n : 1, sizeof *o.users_checked), 0, calloc(2 * n + 1, sizeof *o.seen), 0};
	if (!eur || !o.users_checked || !o.seen) {
		free(eur);
		free(o.users_checked);
		free(o.seen);
		return TF_ERR_INTERNAL;
	}
	enum tf_err e = TF_OK;
	for (size_t i = 0; i < n && e == TF_OK; i++)
		if ((*bad_field = import_item_check(ctx, &items[i], &eur[i])) != NULL) {
			*bad = i;
			e = TF_ERR_INVALID_FIELD;
		}
	if (e == TF_OK)
		e = sca_tx_begin(ctx);
	else
		goto out;
	int64_t first_day[PAYMENT_TYPE__MAX] = {0};
	bool any[PAYMENT_TYPE__MAX] = {false};
	for (size_t i = 0; e == TF_OK && i < n; i++) {
		const struct sca_payment_import *it = &items[i];
		if (it->user_id && (e = user_check_once(ctx, &o, it->user_id)) == TF_ERR_NOT_FOUND) {
			*bad = i;
			*bad_field = "user_id";
			e = TF_ERR_INVALID_FIELD;
			break;
		}
		struct payment_row p;
		payment_fill(ctx, &p, it->user_id, &it->tx, it->type, eur[i], it->exemption, it->band, it->executed_at,
			     it->client_ip);
		p.imported = true;
		if (e == TF_OK)
			e = STORE(ctx->db)->payment_record(ctx->db, &p);
		if (e == TF_OK && it->user_id) {
			seen_note(&o, it->user_id, "country", it->payer_country, it->executed_at);
			seen_note(&o, it->user_id, "device", it->device_id, it->executed_at);
		}
		if (!any[it->type] || p.day < first_day[it->type])
			first_day[it->type] = p.day;
		any[it->type] = true;
		snprintf(ids[i], TF_ID_MAX, "%s", p.payment_id);
	}
	for (size_t i = 0; e == TF_OK && i < o.n_seen; i++) {
		const struct seen_span *s = &o.seen[i];
		e = STORE(ctx->db)->payer_seen_put(ctx->db, ctx->app->app_id, s->user_id, s->kind, s->value, s->first);
		if (e == TF_OK && s->last != s->first)
			e = STORE(ctx->db)->payer_seen_put(ctx->db, ctx->app->app_id, s->user_id, s->kind, s->value, s->last);
	}
	for (int t = 0; e == TF_OK && t < PAYMENT_TYPE__MAX; t++)
		if (any[t])
			e = STORE(ctx->db)->tra_type_seen(ctx->db, ctx->app->app_id, (enum payment_type)t, first_day[t]);
	if (e == TF_OK) {
		char details[48];
		snprintf(details, sizeof details, "{\"payments\":%zu}", n);
		e = sca_audit(ctx, "payments.imported", ctx->app->app_id, details);
	}
	e = sca_tx_end(ctx, e);
out:
	free(eur);
	free(o.users_checked);
	free(o.seen);
	return e;
}

enum tf_err sca_fraud_report(const struct sca_ctx *ctx, const char *payment_id, const char *kind, int64_t reported_at,
			     struct payment_row *out, bool *created)
{
	*created = false;
	enum tf_err e = sca_tx_begin(ctx);
	if (e != TF_OK)
		return e;
	e = STORE(ctx->db)->payment_get(ctx->db, ctx->app->app_id, payment_id, out);
	if (e == TF_OK && !out->fraud_kind[0] && !out->cancelled_at && (reported_at < out->executed_at || reported_at > ctx->now))
		e = TF_ERR_INVALID_FIELD;
	if (e == TF_OK)
		e = STORE(ctx->db)->payment_report_fraud(ctx->db, ctx->app->app_id, payment_id, kind, reported_at, ctx->now, out,
							 created);
	if (e == TF_OK && *created) {
		char details[64];
		snprintf(details, sizeof details, "{\"kind\":\"%s\"}", kind);
		e = sca_audit(ctx, "fraud.reported", payment_id, details);
	}
	return sca_tx_end(ctx, e);
}

enum tf_err sca_fraud_reports(const struct sca_ctx *ctx, const char *user_id, int64_t from, int64_t to,
			      struct payment_row *out, size_t max, size_t *n)
{
	return STORE(ctx->db)->fraud_report_list(ctx->db, ctx->app->app_id, user_id, from, to, out, max, n);
}

/* ---- monitoring ---- */

struct first_day {
	char app_id[TF_ID_MAX];
	enum payment_type type;
	int64_t day;
};
struct first_days {
	struct first_day *v;
	size_t n, cap;
	bool failed;
};

static void first_day_add(void *arg, const char *app_id, enum payment_type type, int64_t day)
{
	struct first_days *l = arg;
	struct first_day *v = grow_for_one(l->v, l->n, &l->cap, sizeof *v);
	if (!v) {
		l->failed = true;
		return;
	}
	l->v = v;
	struct first_day *d = &l->v[l->n++];
	snprintf(d->app_id, sizeof d->app_id, "%s", app_id);
	d->type = type;
	d->day = day;
}

/* The event message of a band's change, through the deployment's message provider. */
static enum tf_err band_change_notify(const struct sca_ctx *ctx, const struct sca_tra_evaluated *ev)
{
	const char *event = ev->change == TRA_BAND_SUSPENDED ? "tra.band_suspended" : "tra.band_resumed";
	char quarter[8];
	tra_quarter_name(ev->row.quarter, quarter);
	json_t *data = json_pack("{s:s, s:s, s:s, s:i, s:s, s:I, s:I}", "event", event, "app_id", ev->row.app_id, "type",
				 payment_type_names[ev->row.type], "band", ev->row.band, "quarter", quarter, "rate_ppm",
				 (json_int_t)ev->rate_ppm, "reference_rate_ppm", (json_int_t)ev->reference_ppm);
	char text[200];
	snprintf(text, sizeof text, "%s: %s payments, %d EUR band, after %s", event, payment_type_names[ev->row.type],
		 ev->row.band, quarter);
	struct message m = {.app_id = ev->row.app_id, .channel = "event", .to = ev->row.app_id, .text = text, .data = data};
	char message_id[TF_ID_MAX];
	enum tf_err e = data ? outbox_enqueue(ctx->svc, ctx->db, &m, ctx->now, message_id) : TF_ERR_INTERNAL;
	json_decref(data);
	if (e == TF_OK) {
		log_warn(ev->change == TRA_BAND_SUSPENDED ? "transaction risk analysis band suspended (RTS art. 20)"
							  : "transaction risk analysis band resumed (RTS art. 20)",
			 "app_id", ev->row.app_id, "type", payment_type_names[ev->row.type], "quarter", quarter, NULL);
		metrics_count(ctx->svc->metrics, ev->change == TRA_BAND_SUSPENDED ? M_TRA_BAND_SUSPENDED : M_TRA_BAND_RESUMED);
	}
	return e;
}

/* Moves one band of one application and type on by one quarter, in a transaction of its own.
 * *moved is false when another node had moved it first. */
static enum tf_err band_evaluate(const struct sca_ctx *app_ctx, enum payment_type type, int b, int64_t quarter,
				 struct tra_band_row *state, struct sca_tra_evaluated *ev, bool *moved)
{
	*moved = false;
	struct tra_days days = tra_quarter_days(quarter);
	struct tra_rate rate;
	enum tf_err e = sca_tx_begin(app_ctx);
	if (e != TF_OK)
		return e;
	e = STORE(app_ctx->db)->tra_window(app_ctx->db, app_ctx->app->app_id, type, days.first, days.last, &rate.fraud_eur_cents,
					   &rate.total_eur_cents);
	int64_t reference = tra_reference_ppm(type, (enum tra_band)b);
	struct tra_band_state s = {state->last_quarter, state->quarters_over, state->suspended};
	struct tra_quarter_step step = tra_quarter_apply(s, quarter, rate, reference);
	if (e == TF_OK && !step.ok)
		e = TF_ERR_STATE_CONFLICT;
	struct tra_band_row next = *state;
	next.last_quarter = step.state.last_quarter;
	next.quarters_over = step.state.quarters_over;
	next.suspended = step.state.suspended;
	next.changed_at = app_ctx->now;
	if (e == TF_OK)
		e = STORE(app_ctx->db)->tra_band_put(app_ctx->db, &next, state->last_quarter);
	memset(ev, 0, sizeof *ev);
	snprintf(ev->row.app_id, sizeof ev->row.app_id, "%s", app_ctx->app->app_id);
	ev->row.type = type;
	ev->row.band = state->band;
	ev->row.quarter = quarter;
	ev->row.fraud_eur_cents = rate.fraud_eur_cents;
	ev->row.total_eur_cents = rate.total_eur_cents;
	ev->row.over = step.over;
	ev->row.suspended = next.suspended;
	snprintf(ev->row.change, sizeof ev->row.change, "%s",
		 step.change == TRA_BAND_SUSPENDED ? "suspended" : step.change == TRA_BAND_RESUMED ? "resumed" : "unchanged");
	ev->row.evaluated_at = app_ctx->now;
	ev->rate_ppm = tra_rate_ppm(rate);
	ev->reference_ppm = reference;
	ev->change = step.change;
	if (e == TF_OK)
		e = STORE(app_ctx->db)->tra_evaluation_insert(app_ctx->db, &ev->row);
	if (e == TF_OK && step.change != TRA_BAND_UNCHANGED) {
		char details[160];
		snprintf(details, sizeof details,
			 "{\"type\":\"%s\",\"band\":%d,\"quarter\":%lld,\"rate_ppm\":%lld,\"reference_rate_ppm\":%lld}",
			 payment_type_names[type], state->band, (long long)quarter, (long long)ev->rate_ppm, (long long)reference);
		e = sca_audit(app_ctx, step.change == TRA_BAND_SUSPENDED ? "tra.band_suspended" : "tra.band_resumed",
			      app_ctx->app->app_id, details);
		if (e == TF_OK)
			e = band_change_notify(app_ctx, ev);
	}
	if (e == TF_ERR_STATE_CONFLICT) { /* another node moved it on: nothing of ours stands */
		sca_tx_end(app_ctx, e);
		return TF_OK;
	}
	if ((e = sca_tx_end(app_ctx, e)) == TF_OK) {
		*state = next;
		*moved = true;
	}
	return e;
}

enum tf_err sca_tra_evaluate(const struct sca_ctx *ctx, int64_t through_quarter, sca_tra_evaluated_fn visit, void *arg)
{
	struct first_days l = {0};
	enum tf_err e = STORE(ctx->db)->tra_first_days(ctx->db, first_day_add, &l);
	if (e == TF_OK && l.failed)
		e = TF_ERR_INTERNAL;
	bool queued = false;
	for (size_t i = 0; e == TF_OK && i < l.n; i++) {
		struct app_row app;
		if ((e = STORE(ctx->db)->app_get(ctx->db, l.v[i].app_id, &app)) != TF_OK)
			break;
		struct sca_ctx app_ctx = *ctx;
		app_ctx.app = &app;
		struct tra_band_row rows[TRA_BAND__MAX];
		size_t n;
		if ((e = STORE(ctx->db)->tra_bands_get(ctx->db, app.app_id, l.v[i].type, rows, TRA_BAND__MAX, &n)) != TF_OK)
			break;
		for (int b = 0; e == TF_OK && b < TRA_BAND__MAX; b++) {
			struct tra_band_row state = {.type = l.v[i].type, .band = (int)(tra_etv_eur_cents[b] / 100)};
			snprintf(state.app_id, sizeof state.app_id, "%s", app.app_id);
			for (size_t k = 0; k < n; k++)
				if (rows[k].band == state.band)
					state = rows[k];
			int64_t q = state.last_quarter ? state.last_quarter + 1 : tra_quarter(l.v[i].day * TRA_DAY_MS);
			for (; e == TF_OK && q <= through_quarter; q++) {
				struct sca_tra_evaluated ev;
				bool moved;
				e = band_evaluate(&app_ctx, state.type, b, q, &state, &ev, &moved);
				if (e == TF_OK && !moved)
					break; /* another node evaluates this band */
				if (e == TF_OK) {
					queued |= ev.change != TRA_BAND_UNCHANGED;
					if (visit)
						visit(arg, &ev);
				}
			}
		}
	}
	free(l.v);
	if (queued && ctx->svc->outbox)
		outbox_wake(ctx->svc->outbox);
	return e;
}

static void sums_add(void *arg, const struct tra_sums *s)
{
	struct sca_tra_report *r = arg;
	if (r->n_sums < SCA_TRA_REPORT_MAX)
		r->sums[r->n_sums++] = *s;
}

enum tf_err sca_tra_report(const struct sca_ctx *ctx, int64_t quarter, struct sca_tra_report *out)
{
	memset(out, 0, sizeof *out);
	out->sums = calloc(SCA_TRA_REPORT_MAX, sizeof *out->sums);
	out->evaluations = calloc(SCA_TRA_REPORT_MAX, sizeof *out->evaluations);
	out->bands = calloc(SCA_TRA_REPORT_MAX, sizeof *out->bands);
	if (!out->sums || !out->evaluations || !out->bands) {
		sca_tra_report_free(out);
		return TF_ERR_INTERNAL;
	}
	struct tra_days days = tra_quarter_days(quarter);
	enum tf_err e = STORE(ctx->db)->tra_sums(ctx->db, days.first, days.last, sums_add, out);
	if (e == TF_OK)
		e = STORE(ctx->db)->tra_evaluations_get(ctx->db, quarter, out->evaluations, SCA_TRA_REPORT_MAX, &out->n_evaluations);
	if (e == TF_OK)
		e = STORE(ctx->db)->tra_bands_get(ctx->db, NULL, PAYMENT_CREDIT_TRANSFER, out->bands, SCA_TRA_REPORT_MAX,
						  &out->n_bands);
	if (e != TF_OK)
		sca_tra_report_free(out);
	return e;
}

void sca_tra_report_free(struct sca_tra_report *r)
{
	free(r->sums);
	free(r->evaluations);
	free(r->bands);
	memset(r, 0, sizeof *r);
}
