/* wepay.c: the WePay v2 face's records and rules (see wepay.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/challenge.h"
#include "core/wepay_rules.h"
#include "crypto/crypto.h"
#include "sca/factor_kind.h"
#include "sca/wepay.h"

int64_t sca_wepay_new_id(void)
{
	uint64_t r = 0;
	while (r == 0) {
		crypto_random_bytes(&r, sizeof r);
		r &= (uint64_t)WEPAY_ID_MAX;
	}
	return (int64_t)r;
}

/* ---- users ---- */

enum tf_err sca_wepay_user_get(const struct sca_ctx *ctx, const char *user_id, struct wepay_user_row *out)
{
	return STORE(ctx->db)->wepay_user_get(ctx->db, ctx->app->app_id, user_id, out);
}

enum tf_err sca_wepay_user_put(const struct sca_ctx *ctx, const struct wepay_user_row *w)
{
	return STORE(ctx->db)->wepay_user_put(ctx->db, w);
}

enum tf_err sca_wepay_user_update(const struct sca_ctx *ctx, const struct wepay_user_row *w)
{
	enum tf_err e = sca_tx_begin(ctx);
	return e != TF_OK ? e : sca_tx_end(ctx, sca_wepay_user_put(ctx, w));
}

/* "Ann Marie Smith" -> "Ann Marie", "Smith": the last word is the last name. */
static void split_name(const char *name, struct wepay_user_row *w)
{
	const char *space = strrchr(name, ' ');
	if (!space) {
		snprintf(w->first_name, sizeof w->first_name, "%s", name);
		w->last_name[0] = '\0';
		return;
	}
	snprintf(w->first_name, sizeof w->first_name, "%.*s", (int)(space - name), name);
	snprintf(w->last_name, sizeof w->last_name, "%s", space + 1);
}

enum tf_err sca_wepay_user_adopt(const struct sca_ctx *ctx, const struct user_row *u, struct wepay_user_row *out)
{
	enum tf_err e = sca_wepay_user_get(ctx, u->user_id, out);
	if (e != TF_ERR_NOT_FOUND)
		return e;
	memset(out, 0, sizeof *out);
	snprintf(out->app_id, sizeof out->app_id, "%s", ctx->app->app_id);
	snprintf(out->user_id, sizeof out->user_id, "%s", u->user_id);
	out->wepay_user_id = sca_wepay_new_id();
	out->created_at = ctx->now;
	split_name(u->name, out);
	if ((e = sca_tx_begin(ctx)) != TF_OK)
		return e;
	e = sca_wepay_user_get(ctx, u->user_id, out);
	if (e == TF_ERR_NOT_FOUND) /* still none under the write lock */
		e = sca_wepay_user_put(ctx, out);
	return sca_tx_end(ctx, e);
}

/* The user's sessions on the hosted pages end; *ended: how many. The native account pages
 * revoke them too. */
static enum tf_err hosted_sessions_end(const struct sca_ctx *ctx, const char *user_id, int *ended)
{
	return STORE(ctx->db)->hosted_sessions_revoke(ctx->db, ctx->app->app_id, user_id, ctx->now, ended);
}

/* The session's step-up ends (the native logout does the same). */
static enum tf_err session_step_up_end(const struct sca_ctx *ctx, const char *session_id)
{
	return STORE(ctx->db)->session_set_stepped_up(ctx->db, session_id, 0);
}

enum tf_err sca_wepay_session_end(const struct sca_ctx *ctx, const char *user_id, const char *session_id,
				  int *hosted_ended)
{
	*hosted_ended = 0;
	enum tf_err e = sca_tx_begin(ctx);
	if (e != TF_OK)
		return e;
	e = hosted_sessions_end(ctx, user_id, hosted_ended);
	if (e == TF_OK)
		e = session_step_up_end(ctx, session_id);
	if (e == TF_OK) {
		char details[128];
		snprintf(details, sizeof details, "{\"reason\":\"wepay_logout\",\"hosted_sessions\":%d}", *hosted_ended);
		e = sca_audit(ctx, "session.revoked", user_id, details);
	}
	return sca_tx_end(ctx, e);
}

/* ---- factors: WePay's types and names ---- */

/* WePay's factor types: its name for each native kind it has, and the words it shows. A kind
 * with a phone shows its masked number as the factor label and is named "<noun> ending in
 * 0100" by default; any other shows its label, which is also its default name. WePay has no
 * push factors. */
static const struct wepay_kind {
	enum factor_type type;
	const char *name;
	const char *noun;  /* a phone kind's default nickname: "Text messages ending in 0100" */
	const char *label; /* another kind's factor label and default nickname */
} wepay_kinds[] = {
	{FACTOR_SMS, "sms", "Text messages", NULL},
	{FACTOR_VOICE, "voice", "Voice calls", NULL},
	{FACTOR_TOTP, "authenticator", NULL, "Authenticator app"},
	{FACTOR_BACKUP_CODES, "backup", NULL, "Backup codes"},
};

static const struct wepay_kind *wepay_kind_of(enum factor_type t)
{
	for (size_t i = 0; i < sizeof wepay_kinds / sizeof wepay_kinds[0]; i++)
		if (wepay_kinds[i].type == t)
			return &wepay_kinds[i];
	return NULL;
}

const char *sca_wepay_type_name(enum factor_type t)
{
	const struct wepay_kind *w = wepay_kind_of(t);
	return w ? w->name : NULL;
}

const struct factor_kind *sca_wepay_kind_named(const char *name)
{
	for (size_t i = 0; i < sizeof wepay_kinds / sizeof wepay_kinds[0]; i++)
		if (strcmp(name, wepay_kinds[i].name) == 0)
			return factor_kind_of(wepay_kinds[i].type);
	return NULL;
}

void sca_wepay_factor_label(const struct factor_row *f, char *out, size_t size)
{
	const struct wepay_kind *w = wepay_kind_of(f->type);
	struct factor_description d;
	factor_describe(&l10n_english, f, "", &d);
	snprintf(out, size, "%s", d.phone ? d.phone_masked : w ? w->label : "");
}

static bool is_backup(const struct factor_row *f)
{
	return factor_kind_of(f->type)->flags & FACTOR_KIND_FALLBACK;
}

bool sca_wepay_is_default(const struct factor_row *f)
{
	return f->preferred && !is_backup(f);
}

/* WePay names a factor when the caller gives no nickname. */
static void default_nickname(const struct factor_row *f, char *out, size_t size)
{
	const struct wepay_kind *w = wepay_kind_of(f->type);
	struct factor_description d;
	factor_describe(&l10n_english, f, "", &d);
	if (d.phone && w)
		snprintf(out, size, "%s ending in %s", w->noun, d.phone_last4);
	else
		sca_wepay_factor_label(f, out, size);
}

/* A new WePay row for factor f: a fresh mfa_id, and nickname or, when it is NULL, a name made
 * from the type. */
static void mfa_row_init(const struct sca_ctx *ctx, const struct factor_row *f, const char *nickname,
			 struct wepay_mfa_row *out)
{
	memset(out, 0, sizeof *out);
	snprintf(out->app_id, sizeof out->app_id, "%s", ctx->app->app_id);
	snprintf(out->user_id, sizeof out->user_id, "%s", f->user_id);
	snprintf(out->factor_id, sizeof out->factor_id, "%s", f->factor_id);
	out->mfa_id = sca_wepay_new_id();
	out->created_at = f->created_at;
	if (nickname)
		snprintf(out->nickname, sizeof out->nickname, "%s", nickname);
	else
		default_nickname(f, out->nickname, sizeof out->nickname);
}

/* ---- factors: rows ---- */

enum tf_err sca_wepay_mfa_list(const struct sca_ctx *ctx, const char *user_id, struct wepay_mfa_row *out, size_t max,
			       size_t *n_out)
{
	return STORE(ctx->db)->wepay_mfa_list(ctx->db, ctx->app->app_id, user_id, out, max, n_out);
}

enum tf_err sca_wepay_mfa_put(const struct sca_ctx *ctx, const struct wepay_mfa_row *m)
{
	return STORE(ctx->db)->wepay_mfa_put(ctx->db, m);
}

static const struct wepay_mfa_row *row_of(const struct wepay_mfa_row *rows, size_t n, const char *factor_id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].factor_id, factor_id) == 0)
			return &rows[i];
	return NULL;
}

/* The user's factors and WePay rows, both at most FACTORS_PER_USER_MAX. */
static enum tf_err load_both(const struct sca_ctx *ctx, const char *user_id, struct factor_row *list, size_t *nf,
			     struct wepay_mfa_row *rows, size_t *nr)
{
	enum tf_err e = STORE(ctx->db)->factor_list(ctx->db, ctx->app->app_id, user_id, list, FACTORS_PER_USER_MAX, nf);
	return e != TF_OK ? e : sca_wepay_mfa_list(ctx, user_id, rows, FACTORS_PER_USER_MAX, nr);
}

enum tf_err sca_wepay_mfa_all(const struct sca_ctx *ctx, const char *user_id, struct wepay_mfa *out, size_t max,
			      size_t *n_out)
{
	struct factor_row *list = calloc(FACTORS_PER_USER_MAX, sizeof *list);
	struct wepay_mfa_row *rows = calloc(FACTORS_PER_USER_MAX, sizeof *rows);
	enum tf_err e = list && rows ? TF_OK : TF_ERR_INTERNAL;
	size_t nf = 0, nr = 0, n = 0;
	/* at most twice: a second pass reads the rows the first one made */
	for (int pass = 0; e == TF_OK && pass < 2; pass++) {
		e = load_both(ctx, user_id, list, &nf, rows, &nr);
		bool missing = false;
		for (size_t i = 0; e == TF_OK && i < nf; i++)
			missing |= sca_wepay_type_name(list[i].type) && !row_of(rows, nr, list[i].factor_id);
		if (e != TF_OK || !missing || pass == 1)
			break;
		if ((e = sca_tx_begin(ctx)) != TF_OK)
			break;
		for (size_t i = 0; e == TF_OK && i < nf; i++) {
			if (!sca_wepay_type_name(list[i].type) || row_of(rows, nr, list[i].factor_id))
				continue;
			struct wepay_mfa_row m;
			mfa_row_init(ctx, &list[i], NULL, &m);
			e = sca_wepay_mfa_put(ctx, &m);
		}
		e = sca_tx_end(ctx, e);
	}
	for (size_t i = 0; e == TF_OK && i < nf && n < max; i++) {
		const struct wepay_mfa_row *m = sca_wepay_type_name(list[i].type) ? row_of(rows, nr, list[i].factor_id) : NULL;
		if (!m)
			continue;
		out[n].f = list[i];
		out[n].m = *m;
		n++;
	}
	*n_out = n;
	free(list);
	free(rows);
	return e;
}

/* The first of the user's factors that match (mfa_id, or factor_id when not NULL; the
 * default when both are absent); NOT_FOUND. */
static enum tf_err mfa_find(const struct sca_ctx *ctx, const char *user_id, int64_t mfa_id, const char *factor_id,
			    bool the_default, struct wepay_mfa *out)
{
	struct wepay_mfa *all = calloc(FACTORS_PER_USER_MAX, sizeof *all);
	size_t n = 0;
	enum tf_err e = all ? sca_wepay_mfa_all(ctx, user_id, all, FACTORS_PER_USER_MAX, &n) : TF_ERR_INTERNAL;
	if (e == TF_OK)
		e = TF_ERR_NOT_FOUND;
	for (size_t i = 0; e == TF_ERR_NOT_FOUND && i < n; i++) {
		bool match = the_default ? sca_wepay_is_default(&all[i].f)
			     : factor_id ? strcmp(all[i].f.factor_id, factor_id) == 0
					 : all[i].m.mfa_id == mfa_id;
		if (match) {
			*out = all[i];
			e = TF_OK;
		}
	}
	free(all);
	return e;
}

enum tf_err sca_wepay_mfa_get(const struct sca_ctx *ctx, const char *user_id, int64_t mfa_id, const char *factor_id,
			      struct wepay_mfa *out)
{
	return mfa_find(ctx, user_id, mfa_id, factor_id, false, out);
}

enum tf_err sca_wepay_mfa_default(const struct sca_ctx *ctx, const char *user_id, struct wepay_mfa *out)
{
	enum tf_err e = mfa_find(ctx, user_id, 0, NULL, true, out);
	return e == TF_ERR_NOT_FOUND ? TF_ERR_NO_FACTOR : e;
}

enum tf_err sca_wepay_mfa_factor(const struct sca_ctx *ctx, const char *user_id, int64_t mfa_id,
				 struct factor_row *out)
{
	struct wepay_mfa_row *rows = calloc(FACTORS_PER_USER_MAX, sizeof *rows);
	size_t n = 0;
	enum tf_err e = rows ? sca_wepay_mfa_list(ctx, user_id, rows, FACTORS_PER_USER_MAX, &n) : TF_ERR_INTERNAL;
	if (e == TF_OK)
		e = TF_ERR_NOT_FOUND;
	for (size_t i = 0; e == TF_ERR_NOT_FOUND && i < n; i++)
		if (rows[i].mfa_id == mfa_id)
			e = STORE(ctx->db)->factor_get(ctx->db, ctx->app->app_id, user_id, rows[i].factor_id, out);
	free(rows);
	return e;
}

/* ---- factors: the default ---- */

/* factor_id becomes the user's preferred factor (the native prefer call does the same). */
static enum tf_err factor_prefer(const struct sca_ctx *ctx, const char *user_id, const char *factor_id)
{
	return STORE(ctx->db)->factor_set_preferred(ctx->db, ctx->app->app_id, user_id, factor_id);
}

/* No factor of the user is preferred any more. */
static enum tf_err factor_prefer_none(const struct sca_ctx *ctx, const char *user_id)
{
	return STORE(ctx->db)->factor_clear_preferred(ctx->db, ctx->app->app_id, user_id);
}

enum tf_err sca_wepay_mfa_adopt(const struct sca_ctx *ctx, const char *user_id, const char *factor_id,
				const char *nickname, struct wepay_mfa *out)
{
	struct factor_row *list = calloc(FACTORS_PER_USER_MAX, sizeof *list);
	struct wepay_mfa_row *rows = calloc(FACTORS_PER_USER_MAX, sizeof *rows);
	size_t nf = 0, nr = 0;
	enum tf_err e = list && rows ? sca_tx_begin(ctx) : TF_ERR_INTERNAL;
	if (e != TF_OK)
		goto out;
	e = load_both(ctx, user_id, list, &nf, rows, &nr);
	int self = -1;
	bool other_default = false;
	for (size_t i = 0; e == TF_OK && i < nf; i++) {
		if (strcmp(list[i].factor_id, factor_id) == 0)
			self = (int)i;
		else
			other_default |= sca_wepay_is_default(&list[i]);
	}
	if (e == TF_OK && self < 0)
		e = TF_ERR_NOT_FOUND; /* removed meanwhile */
	if (e == TF_OK) {
		const struct factor_row *f = &list[self];
		switch (wepay_default_on_enrol(is_backup(f), f->preferred, other_default)) {
		case WEPAY_DEFAULT_SET:
			e = factor_prefer(ctx, user_id, f->factor_id);
			break;
		case WEPAY_DEFAULT_CLEAR:
			e = factor_prefer_none(ctx, user_id);
			break;
		case WEPAY_DEFAULT_KEEP:
			break;
		}
	}
	if (e == TF_OK) {
		struct wepay_mfa_row m;
		const struct wepay_mfa_row *old = row_of(rows, nr, factor_id);
		if (old) { /* a new backup sheet replaced the old one: same factor, same mfa_id */
			m = *old;
			if (nickname)
				snprintf(m.nickname, sizeof m.nickname, "%s", nickname);
		} else {
			mfa_row_init(ctx, &list[self], nickname, &m);
		}
		e = sca_wepay_mfa_put(ctx, &m);
	}
	e = sca_tx_end(ctx, e);
out:
	free(list);
	free(rows);
	return e == TF_OK ? sca_wepay_mfa_get(ctx, user_id, 0, factor_id, out) : e;
}

/* After reset discarded the default: the oldest registered factor that is not backup takes it
 * over, so that a user with MFA always has a default to challenge. In the caller's transaction. */
static enum tf_err keep_a_default(const struct sca_ctx *ctx, const char *user_id)
{
	struct factor_row *list = calloc(FACTORS_PER_USER_MAX, sizeof *list);
	struct wepay_heir_facts *facts = calloc(FACTORS_PER_USER_MAX, sizeof *facts);
	size_t n = 0;
	enum tf_err e = list && facts ? STORE(ctx->db)->factor_list(ctx->db, ctx->app->app_id, user_id, list,
								    FACTORS_PER_USER_MAX, &n)
				      : TF_ERR_INTERNAL;
	for (size_t i = 0; e == TF_OK && i < n; i++)
		facts[i] = (struct wepay_heir_facts){.eligible = sca_wepay_type_name(list[i].type) && !is_backup(&list[i]),
						     .preferred = list[i].preferred,
						     .active = list[i].status == FACTOR_ACTIVE};
	int heir = e == TF_OK ? wepay_default_heir(facts, n) : -1;
	if (heir >= 0)
		e = factor_prefer(ctx, user_id, list[heir].factor_id);
	free(list);
	free(facts);
	return e;
}

/* Discards a pending factor, unless it was confirmed meanwhile (read again under the write
 * lock). A pending factor never vouched for anything: discarding it revokes no device. In the
 * caller's transaction. */
static enum tf_err pending_factor_discard(const struct sca_ctx *ctx, const char *user_id, const struct factor_row *f)
{
	struct factor_row now_f;
	enum tf_err e = STORE(ctx->db)->factor_get(ctx->db, ctx->app->app_id, user_id, f->factor_id, &now_f);
	if (e == TF_ERR_NOT_FOUND || (e == TF_OK && now_f.status == FACTOR_ACTIVE))
		return TF_OK;
	if (e == TF_OK)
		e = STORE(ctx->db)->factor_delete(ctx->db, ctx->app->app_id, user_id, f->factor_id);
	if (e == TF_OK) {
		char details[96];
		snprintf(details, sizeof details, "{\"type\":\"%s\",\"reason\":\"wepay_reset\",\"pending\":true}",
			 factor_type_names[f->type]);
		e = sca_audit(ctx, "factor.removed", f->factor_id, details);
	}
	return e;
}

enum tf_err sca_wepay_mfa_reset(const struct sca_ctx *ctx, const char *user_id, bool named, int64_t mfa_id)
{
	struct wepay_mfa *all = calloc(FACTORS_PER_USER_MAX, sizeof *all);
	size_t n = 0;
	if (!all)
		return TF_ERR_INTERNAL;
	enum tf_err e = sca_wepay_mfa_all(ctx, user_id, all, FACTORS_PER_USER_MAX, &n);
	bool found = !named;
	for (size_t i = 0; e == TF_OK && named && i < n; i++)
		if (all[i].m.mfa_id == mfa_id) {
			found = true;
			if (all[i].f.status == FACTOR_ACTIVE)
				e = TF_ERR_INVALID_FIELD; /* only pending factors are reset */
		}
	if (e == TF_OK && !found)
		e = TF_ERR_NOT_FOUND;
	if (e == TF_OK && (e = sca_tx_begin(ctx)) == TF_OK) {
		for (size_t i = 0; e == TF_OK && i < n; i++)
			if (all[i].f.status != FACTOR_ACTIVE && (!named || all[i].m.mfa_id == mfa_id))
				e = pending_factor_discard(ctx, user_id, &all[i].f);
		if (e == TF_OK)
			e = keep_a_default(ctx, user_id);
		e = sca_tx_end(ctx, e);
	}
	free(all);
	return e;
}

/* ---- challenges ---- */

/* The factor's enrolment challenge is now challenge_id (the native enrolment sets it too). In
 * the caller's transaction. */
static enum tf_err enrolment_challenge_set(const struct sca_ctx *ctx, struct factor_row *f, const char *challenge_id)
{
	snprintf(f->enrolment_challenge_id, sizeof f->enrolment_challenge_id, "%s", challenge_id);
	return STORE(ctx->db)->factor_update(ctx->db, f);
}

/* The factor's last login challenge is now challenge_id. In the caller's transaction. */
static enum tf_err login_challenge_set(const struct sca_ctx *ctx, struct wepay_mfa_row *m, const char *challenge_id)
{
	snprintf(m->last_challenge_id, sizeof m->last_challenge_id, "%s", challenge_id);
	return sca_wepay_mfa_put(ctx, m);
}

/* The challenge id of user_id if it is session_id's: *ch gets it. */
static bool session_challenge(const struct sca_ctx *ctx, const char *user_id, const char *session_id, const char *id,
			      struct challenge_row *ch)
{
	return id[0] && STORE(ctx->db)->challenge_get(ctx->db, ctx->app->app_id, user_id, id, ch) == TF_OK &&
	       strcmp(ch->session_id, session_id) == 0;
}

static bool challenge_open(const struct sca_ctx *ctx, const struct challenge_row *ch)
{
	return ch->status == CH_PENDING && ctx->now < ch->expires_at;
}

enum tf_err sca_wepay_mfa_send(const struct sca_ctx *ctx, const char *session_id, struct wepay_mfa *x,
			       bool force_voice, const struct sca_wepay_issuer *issuer)
{
	struct factor_row f = x->f;
	struct wepay_mfa_row m = x->m;
	struct challenge_row old, ch;
	memset(&old, 0, sizeof old);
	enum tf_err e = sca_tx_begin(ctx);
	if (e != TF_OK)
		return e;
	e = STORE(ctx->db)->factor_get(ctx->db, ctx->app->app_id, x->f.user_id, x->f.factor_id, &f);
	if (e == TF_OK)
		e = factor_check_open(&(struct factor_state){f.consecutive_failures, f.blocked_until}, ctx->now);
	struct factor_row via = f; /* the kind the code goes by: WePay's force_voice calls the phone */
	if (force_voice)
		via.type = FACTOR_VOICE;
	if (e == TF_OK && f.status == FACTOR_PENDING) {
		/* read before the facts: an initialiser's expressions have no order */
		bool open = session_challenge(ctx, f.user_id, session_id, f.enrolment_challenge_id, &old) &&
			    challenge_open(ctx, &old);
		struct wepay_resend_facts facts = {
			.open = open,
			.sends = factor_kind_of(f.type)->flags & FACTOR_KIND_SENDS_CODE,
			.last_sent_at = old.last_sent_at,
			.force_voice = force_voice,
		};
		if (wepay_enrolment_resend(&facts, ctx->now)) { /* the native rules space the sends */
			e = issuer->issue(issuer->arg, &via, PURPOSE_ENROLMENT, &ch);
			if (e == TF_OK)
				e = enrolment_challenge_set(ctx, &f, ch.challenge_id);
		}
	} else if (e == TF_OK) {
		e = issuer->issue(issuer->arg, &via, PURPOSE_LOGIN, &ch);
		if (e == TF_OK)
			e = login_challenge_set(ctx, &m, ch.challenge_id);
	}
	if ((e = sca_tx_end(ctx, e)) == TF_OK) {
		x->f = f;
		x->m = m;
	}
	return e;
}

enum tf_err sca_wepay_mfa_confirm_challenge(const struct sca_ctx *ctx, const char *session_id, struct wepay_mfa *x,
					    const struct sca_wepay_issuer *issuer, char id[TF_ID_MAX],
					    bool *never_sent)
{
	*never_sent = false;
	bool pending = x->f.status == FACTOR_PENDING;
	const char *last = pending ? x->f.enrolment_challenge_id : x->m.last_challenge_id;
	struct challenge_row ch;
	bool mine = session_challenge(ctx, x->f.user_id, session_id, last, &ch);
	bool open = mine && challenge_open(ctx, &ch);
	bool locked = mine && ch.status == CH_LOCKED;
	if (open || locked || (factor_kind_of(x->f.type)->flags & FACTOR_KIND_SENDS_CODE)) {
		if (!last[0]) {
			*never_sent = true;
			return TF_ERR_NOT_FOUND;
		}
		snprintf(id, TF_ID_MAX, "%s", last);
		return TF_OK;
	}
	enum tf_err e = sca_tx_begin(ctx);
	if (e != TF_OK)
		return e;
	e = factor_check_open(&(struct factor_state){x->f.consecutive_failures, x->f.blocked_until}, ctx->now);
	if (e == TF_OK)
		e = issuer->issue(issuer->arg, &x->f, pending ? PURPOSE_ENROLMENT : PURPOSE_LOGIN, &ch);
	if (e == TF_OK && pending)
		e = enrolment_challenge_set(ctx, &x->f, ch.challenge_id);
	else if (e == TF_OK)
		e = login_challenge_set(ctx, &x->m, ch.challenge_id);
	if ((e = sca_tx_end(ctx, e)) == TF_OK)
		snprintf(id, TF_ID_MAX, "%s", ch.challenge_id);
	return e;
}
