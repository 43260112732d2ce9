/* faces_enrol.c: enrolling a factor as both vendor faces do it (faces.h): the input checked
 * and its faults named as the native API names them, then the domain's enrolment
 * (sca/factors.h) with its send's outcome on the answer. */
#include <string.h>

#include "faces/faces.h"

/* The native API's names of the enrolment fields (the faces rename or replace them). */
static const char *field_name(enum factor_field field)
{
	switch (field) {
	case FACTOR_FIELD_PHONE:
		return "phone";
	case FACTOR_FIELD_CHANNEL:
		return "channel";
	case FACTOR_FIELD_PUBLIC_KEY:
		return "public_key";
	case FACTOR_FIELD_PUSH_ADDRESS:
		return "push_address";
	case FACTOR_FIELD_NONE:
		break;
	}
	return "type";
}

enum tf_err faces_factor_enrol(struct tf_req *req, const struct factor_kind *kind, const struct factor_input *in,
			       bool trusted, struct factor_enrolment *en, struct sca_enrolment_result *out)
{
	memset(out, 0, sizeof *out);
	const struct {
		enum factor_field field;
		const char *value;
	} required[] = {
		{FACTOR_FIELD_PHONE, in->phone},
		{FACTOR_FIELD_CHANNEL, in->channel},
		{FACTOR_FIELD_PUBLIC_KEY, in->public_key},
		{FACTOR_FIELD_PUSH_ADDRESS, in->push_address},
	};
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
		if ((kind->fields & required[i].field) && !required[i].value)
			return req_field_error(req, TF_ERR_MISSING_FIELD, field_name(required[i].field));
	enum factor_field bad = factor_input_check(kind, in);
	if (bad != FACTOR_FIELD_NONE)
		return req_field_error(req, TF_ERR_INVALID_FIELD, field_name(bad));
	struct sca_ctx ctx;
	req_sca_ctx(req, &ctx);
	ctx.stepped_up = ctx.stepped_up || trusted;
	struct sca_send_policy policy;
	sca_send_policy_read(req->app, &policy);
	enum tf_err e = sca_factor_enrol(&ctx, &req->session, &policy, kind, in, en, out);
	return req_send_answer(req, &out->send, e);
}
