/* factors.c: reading and changing a user's factors (see factors.h). */
#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"
#include "sca/devices.h"
#include "sca/factor_options.h"
#include "sca/factors.h"

enum tf_err sca_factor_get(const struct sca_ctx *ctx, const char *user_id, const char *factor_id,
			   struct factor_row *out)
{
	return STORE(ctx->db)->factor_get(ctx->db, ctx->app->app_id, user_id, factor_id, out);
}

enum tf_err sca_factor_list(const struct sca_ctx *ctx, const char *user_id, struct factor_row *out, size_t max,
			    size_t *n_out)
{
	return STORE(ctx->db)->factor_list(ctx->db, ctx->app->app_id, user_id, out, max, n_out);
}

enum tf_err sca_factor_pending(const struct sca_ctx *ctx, const char *user_id, const char *factor_id,
			       struct factor_row *out)
{
	enum tf_err e = sca_factor_get(ctx, user_id, factor_id, out);
	if (e == TF_OK && out->status == FACTOR_ACTIVE)
		e = TF_ERR_ALREADY_VERIFIED;
	return e;
}

static bool has_active_factor(const struct factor_row *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i].status == FACTOR_ACTIVE)
			return true;
	return false;
}

enum tf_err sca_factor_enrol(const struct sca_ctx *ctx, struct session_row *session,
			     const struct sca_send_policy *policy, const struct factor_kind *kind,
			     const struct factor_input *in, struct factor_enrolment *en, struct sca_enrolment_result *out)
{
	memset(out, 0, sizeof *out);
	struct factor_row *f = &out->f;
	enum tf_err e;
	if (!factor_type_enabled(ctx->app, kind))
		return TF_ERR_FACTOR_TYPE_DISABLED;
	if (kind->prepare && (e = kind->prepare(ctx, en)) != TF_OK)
		return e; /* slow work (Argon2id) before the transaction */
	struct factor_row list[FACTORS_PER_USER_MAX];
	size_t n;
	struct challenge_row ch;
	if ((e = sca_tx_begin(ctx)) != TF_OK)
		return e;
	e = sca_factor_list(ctx, session->user_id, list, FACTORS_PER_USER_MAX, &n);
	if (e == TF_OK && has_active_factor(list, n))
		e = sca_step_up_check(ctx);
	int existing = -1; /* a kind a user has one of: enrolling again replaces its secrets */
	for (size_t i = 0; e == TF_OK && i < n; i++)
		if ((kind->flags & FACTOR_KIND_ONE_PER_USER) && list[i].type == kind->type)
			existing = (int)i;
	if (e == TF_OK && existing < 0 && n >= FACTORS_PER_USER_MAX)
		e = TF_ERR_FACTOR_LIMIT_REACHED;
	if (e != TF_OK)
		return sca_tx_end(ctx, e);
	out->replaced = existing >= 0;
	if (existing >= 0) {
		*f = list[existing];
	} else {
		crypto_random_id("fac", f->factor_id);
		snprintf(f->app_id, sizeof f->app_id, "%s", ctx->app->app_id);
		snprintf(f->user_id, sizeof f->user_id, "%s", session->user_id);
		f->type = kind->type;
		f->status = FACTOR_PENDING;
		f->last_totp_step = -1;
		f->created_at = ctx->now;
		f->preferred = n == 0;
		if (kind->enrol)
			e = kind->enrol(ctx, in, f, en);
	}
	if (e == TF_OK && existing < 0) {
		/* the factor first: its enrolment challenge references it */
		e = STORE(ctx->db)->factor_insert(ctx->db, f);
		if (e == TF_OK)
			e = sca_challenge_issue(ctx, session, policy, f, PURPOSE_ENROLMENT, NULL, NULL, &ch, &out->send);
		if (e == TF_OK) {
			snprintf(f->enrolment_challenge_id, sizeof f->enrolment_challenge_id, "%s", ch.challenge_id);
			snprintf(out->webauthn_challenge, sizeof out->webauthn_challenge, "%s", ch.webauthn_challenge);
			e = STORE(ctx->db)->factor_update(ctx->db, f);
		}
	}
	if (e == TF_OK && kind->store)
		e = kind->store(ctx, f, en);
	if (e == TF_OK) {
		char event[64] = "factor.added", details[96];
		if (existing >= 0) /* factor.backup_codes_replaced */
			snprintf(event, sizeof event, "factor.%s_replaced", kind->name);
		snprintf(details, sizeof details, "{\"type\":\"%s\"%s}", kind->name, existing >= 0 ? ",\"replaced_sheet\":true" : "");
		e = sca_audit(ctx, event, f->factor_id, details);
	}
	return sca_tx_end(ctx, e);
}

enum tf_err sca_factor_prefer(const struct sca_ctx *ctx, const char *user_id, const char *factor_id,
			      struct factor_row *out)
{
	enum tf_err e = sca_factor_get(ctx, user_id, factor_id, out);
	if (e != TF_OK)
		return e;
	if (out->status != FACTOR_ACTIVE)
		return TF_ERR_FACTOR_NOT_ACTIVE;
	if ((e = sca_tx_begin(ctx)) != TF_OK)
		return e;
	e = STORE(ctx->db)->factor_set_preferred(ctx->db, ctx->app->app_id, user_id, out->factor_id);
	if ((e = sca_tx_end(ctx, e)) == TF_OK)
		out->preferred = true;
	return e;
}

enum tf_err sca_factor_remove(const struct sca_ctx *ctx, const char *user_id, const char *factor_id,
			      struct factor_row *out)
{
	enum tf_err e = sca_factor_get(ctx, user_id, factor_id, out);
	if (e == TF_OK)
		e = sca_step_up_check(ctx);
	if (e != TF_OK || (e = sca_tx_begin(ctx)) != TF_OK)
		return e;
	e = STORE(ctx->db)->factor_delete(ctx->db, ctx->app->app_id, user_id, out->factor_id);
	if (e == TF_OK) {
		char details[64];
		snprintf(details, sizeof details, "{\"type\":\"%s\"}", factor_type_names[out->type]);
		e = sca_audit(ctx, "factor.removed", out->factor_id, details);
	}
	if (e == TF_OK) /* removing a factor revokes every trusted device (SPEC section 5) */
		e = sca_device_revoke_all_in_tx(ctx, out->user_id, "factor_removed");
	return sca_tx_end(ctx, e);
}
