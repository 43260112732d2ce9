/*
 * page_brand.c: an application's look on its hosted pages (its branding, docs/branding.md):
 * the layout's logo (in the header, in place of the application's name, which becomes its alt
 * text) and the link to its stylesheet, and GET /assets/brand/{app_id}/{name}, those assets:
 * logo.png or logo.svg (the logo as saved), style.css (the primary colour as the pages' accent:
 * buttons, links, the focus ring). They are served from twofold's own origin, so the pages'
 * Content-Security-Policy ('self' for images and styles) stays as strict as it is. Each carries
 * an ETag (a hash of its bytes) and Cache-Control: no-cache, so a browser asks again and gets
 * 304 Not Modified while it has the current one; an SVG opened directly is sandboxed by its own
 * policy (no script, no plugin, a unique origin).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hosted/hosted.h"
#include "sca/apps.h"

#define SVG_CSP "default-src 'none'; style-src 'unsafe-inline'; sandbox"

/* A rendered fragment without the newline its template ends with (it goes inside a line). */
static char *fragment(struct tf_req *req, const char *template_name, const struct tpl_var *vars)
{
	char *s = tpl_render(hosted_l10n(req), template_name, vars);
	size_t n = s ? strlen(s) : 0;
	if (n && s[n - 1] == '\n')
		s[n - 1] = '\0';
	return s;
}

char *hosted_app_mark(struct tf_req *req, const char *app_name)
{
	const struct app_row *a = req->app;
	if (req->have_app && a->brand_logo_type[0]) {
		struct tpl_var v[] = {{"app_id", a->app_id}, {"type", a->brand_logo_type}, {"app_name", app_name}, {NULL, NULL}};
		return fragment(req, "brand_logo.html", v);
	}
	struct tpl_var v[] = {{"app_name", app_name}, {NULL, NULL}};
	return fragment(req, "app_name.html", v);
}

char *hosted_brand_style(struct tf_req *req)
{
	if (!req->have_app || !req->app->brand_color[0])
		return NULL;
	struct tpl_var v[] = {{"app_id", req->app->app_id}, {NULL, NULL}};
	return tpl_render(hosted_l10n(req), "brand_style.html", v);
}

/* Answers body (len bytes, malloc'd: the answer takes it) as type with its ETag, or 304 when the
 * browser's copy is that one. */
static enum tf_err answer_asset(struct tf_req *req, char *body, size_t len, const char *type)
{
	uint8_t digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(digest, (const unsigned char *)body, len);
	char etag[2 + 32 + 1] = "\"";
	sodium_bin2hex(etag + 1, 33, digest, 16);
	etag[33] = '"';
	etag[34] = '\0';
	resp_header(req, "ETag", etag);
	req->cache_control = "no-cache";
	free(req->resp_text);
	req->resp_len = 0;
	if (req_etag_matches(req, etag)) {
		free(body);
		req->resp_text = strdup("");
		req->status = 304;
		return req->resp_text ? TF_OK : TF_ERR_INTERNAL;
	}
	req->resp_text = body;
	req->resp_len = len;
	req->content_type = type;
	req->status = 200;
	return TF_OK;
}

static enum tf_err brand_style(struct tf_req *req, const struct app_row *a)
{
	if (!a->brand_color[0])
		return TF_ERR_ROUTE_NOT_FOUND;
	/* the accent is what style.css colours buttons, link-styled buttons, the header's links and
	 * the focus ring with; the pages' other links take it too */
	char css[160];
	int n = snprintf(css, sizeof css, ":root { --accent: %s; }\nmain a:not(.button) { color: var(--accent); }\n",
			 a->brand_color);
	char *body = n > 0 && (size_t)n < sizeof css ? strdup(css) : NULL;
	if (!body)
		return TF_ERR_INTERNAL;
	return answer_asset(req, body, (size_t)n, "text/css; charset=utf-8");
}

static enum tf_err brand_logo(struct tf_req *req, const struct app_row *a, const char *type)
{
	if (strcmp(a->brand_logo_type, type) != 0)
		return TF_ERR_ROUTE_NOT_FOUND;
	struct sca_ctx ctx = req_sca(req);
	char saved[4];
	uint8_t *logo = NULL;
	size_t len = 0;
	enum tf_err e = sca_app_brand_logo(&ctx, a->app_id, saved, &logo, &len);
	if (e == TF_OK && (!logo || strcmp(saved, type) != 0)) /* changed since the row was read */
		e = TF_ERR_ROUTE_NOT_FOUND;
	if (e != TF_OK) {
		free(logo);
		return e;
	}
	if (!strcmp(type, "svg"))
		resp_header(req, "Content-Security-Policy", SVG_CSP);
	return answer_asset(req, (char *)logo, len, !strcmp(type, "svg") ? "image/svg+xml" : "image/png");
}

enum tf_err page_brand_asset(struct tf_req *req)
{
	const char *name = req->params[1];
	if (strcmp(name, "style.css") != 0 && strcmp(name, "logo.png") != 0 && strcmp(name, "logo.svg") != 0)
		return TF_ERR_ROUTE_NOT_FOUND;
	struct app_row *a = malloc(sizeof *a);
	if (!a)
		return TF_ERR_INTERNAL;
	struct sca_ctx ctx = req_sca(req);
	enum tf_err e = sca_app_get(&ctx, req->params[0], a);
	if (e == TF_ERR_NOT_FOUND)
		e = TF_ERR_ROUTE_NOT_FOUND;
	if (e == TF_OK)
		e = !strcmp(name, "style.css") ? brand_style(req, a) : brand_logo(req, a, name + 5);
	free(a);
	return e;
}
