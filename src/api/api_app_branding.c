/*
 * api_app_branding.c: an application's look on the admin API (its branding, docs/branding.md):
 * the "branding" object POST /v1/admin/apps takes and PATCH /v1/admin/apps/{id} replaces whole
 * ({"primary_color", and "logo_png_base64" or "logo_svg"}; null or {} for none), checked here
 * before it is saved (the colour's contrast on the hosted pages with core/contrast.h, the logo
 * with core/logo_check.h; each refusal an INVALID_FIELD naming the member and saying why), and
 * its view in an application's answer.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/contrast.h"
#include "core/logo_check.h"
#include "sca/apps.h"

static const char *const branding_keys[] = {"primary_color", "logo_png_base64", "logo_svg", NULL};

/* INVALID_FIELD naming field, with message (a sentence saying why) as the error's message */
static enum tf_err refuse(struct tf_req *req, const char *field, const char *message)
{
	json_decref(req->err_extra);
	req->err_extra = json_pack("{s:s}", "message", message);
	return req_field_error(req, TF_ERR_INVALID_FIELD, field);
}

static enum tf_err read_color(struct tf_req *req, json_t *v, struct app_branding *out)
{
	struct rgb8 c;
	if (!json_is_string(v) || !color_parse(json_string_value(v), &c))
		return refuse(req, "branding.primary_color", "branding.primary_color is a colour written #rrggbb or #rgb.");
	color_format(c, out->color);
	double ratio;
	const struct brand_surface *worst;
	if (!brand_color_ok(c, &ratio, &worst)) {
		char shown[16], message[400];
		contrast_format(ratio, shown);
		snprintf(message, sizeof message,
			 "branding.primary_color %s has a contrast ratio of %s:1 with %s; the hosted pages draw it on the "
			 "page background (#f5f7fa) and on white and need at least 4.5:1 with both (WCAG 2.x AA). Choose a "
			 "darker colour.",
			 out->color, shown, worst->name);
		return refuse(req, "branding.primary_color", message);
	}
	return TF_OK;
}

static enum tf_err refuse_logo(struct tf_req *req, const char *field, const struct logo_problem *p)
{
	char why[256], message[400];
	logo_problem_text(p, why, sizeof why);
	snprintf(message, sizeof message, "%s is refused: %s.", field, why);
	return refuse(req, field, message);
}

static enum tf_err read_png(struct tf_req *req, json_t *v, struct app_branding *out, uint8_t **owned)
{
	static const char field[] = "branding.logo_png_base64";
	const char *text = json_string_value(v);
	size_t len = text ? json_string_length(v) : 0;
	size_t cap = len / 4 * 3 + 3, n = 0;
	uint8_t *png = text && len ? malloc(cap) : NULL; /* the body's 64 KiB bound it */
	const char *end = NULL;
	if (!png || sodium_base642bin(png, cap, text, len, " \t\r\n", &n, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != text + len) {
		free(png);
		return refuse(req, field,
			      "branding.logo_png_base64 is the PNG file in standard base64 (with its = padding; line breaks "
			      "allowed; no data: prefix).");
	}
	uint32_t w, h;
	struct logo_problem p = {.verdict = logo_check_png(png, n, &w, &h)};
	if (p.verdict != LOGO_OK) {
		free(png);
		return refuse_logo(req, field, &p);
	}
	snprintf(out->logo_type, sizeof out->logo_type, "png");
	out->logo = png;
	out->logo_len = n;
	*owned = png;
	return TF_OK;
}

static enum tf_err read_svg(struct tf_req *req, json_t *v, struct app_branding *out)
{
	static const char field[] = "branding.logo_svg";
	struct logo_problem p = {.verdict = LOGO_NOT_XML};
	if (!json_is_string(v) || logo_check_svg(json_string_value(v), json_string_length(v), &p) != LOGO_OK)
		return refuse_logo(req, field, &p);
	snprintf(out->logo_type, sizeof out->logo_type, "svg");
	out->logo = (const uint8_t *)json_string_value(v); /* lives as long as the request's body */
	out->logo_len = json_string_length(v);
	return TF_OK;
}

enum tf_err api_branding_read(struct tf_req *req, struct app_branding *out, uint8_t **owned, bool *given)
{
	memset(out, 0, sizeof *out);
	*owned = NULL;
	json_t *b = json_object_get(req->json, "branding");
	*given = b != NULL;
	if (!b || json_is_null(b))
		return TF_OK;
	if (!json_is_object(b) || json_unknown_key(b, branding_keys))
		return refuse(req, "branding",
			      "branding is an object with primary_color and one of logo_png_base64 or logo_svg, or null.");
	json_t *color = json_object_get(b, "primary_color"), *png = json_object_get(b, "logo_png_base64"),
	       *svg = json_object_get(b, "logo_svg");
	if (json_is_null(png))
		png = NULL;
	if (json_is_null(svg))
		svg = NULL;
	if (png && svg)
		return refuse(req, "branding", "branding has one logo: logo_png_base64 or logo_svg, not both.");
	enum tf_err e = TF_OK;
	if (color && !json_is_null(color))
		e = read_color(req, color, out);
	if (e == TF_OK && png)
		e = read_png(req, png, out, owned);
	if (e == TF_OK && svg)
		e = read_svg(req, svg, out);
	return e;
}

json_t *api_branding_json(const struct app_row *a, const char *public_url)
{
	if (!a->brand_color[0] && !a->brand_logo_type[0])
		return json_null();
	json_t *logo = json_null();
	if (a->brand_logo_type[0]) {
		char url[STORE_URL_MAX + 128];
		snprintf(url, sizeof url, "%s/assets/brand/%s/logo.%s", public_url, a->app_id, a->brand_logo_type);
		logo = json_pack("{s:s, s:s, s:I}", "type", a->brand_logo_type, "url", url, "bytes",
				 (json_int_t)a->brand_logo_bytes);
	}
	return json_pack("{s:o, s:o}", "primary_color", a->brand_color[0] ? json_string(a->brand_color) : json_null(),
			 "logo", logo);
}
