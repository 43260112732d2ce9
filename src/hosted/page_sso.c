/*
 * page_sso.c: GET /sso, the single sign-on entry (SPEC section 7, seed 001). The query is
 * what the seed vendor's signer libraries build: client_id, page, redirect_uri, stoken, token.
 * In this order, without consuming anything until every check passed: the application by
 * client id; the signature, in constant time, with the application's client secret; the
 * redirect URI against the registered prefixes; the page against twofold's own pages; then
 * the token, redeemed once, within its lifetime, for this application only. Success starts a
 * hosted session and continues to the page, through the challenge page when the user has an
 * active factor and this browser is not a trusted device for the hosted pages. Every failure
 * is the error page; nothing redirects to an address the application did not register.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sso_signer.h"
#include "hosted/hosted.h"
#include "sca/sso.h"

#define SSO_URL_MAX 2083 /* the seed's limit for redirect_uri */

static bool redirect_registered(const struct app_row *app, const char *uri)
{
	json_t *prefixes = json_loads(app->redirect_uri_prefixes, 0, NULL);
	bool ok = false;
	size_t i;
	json_t *p;
	json_array_foreach(prefixes, i, p) {
		const char *pre = json_string_value(p);
		size_t n = pre ? strlen(pre) : 0;
		/* "https://partner.example" must not admit "https://partner.example.evil.test" */
		if (n && strncmp(uri, pre, n) == 0 &&
		    (pre[n - 1] == '/' || uri[n] == '\0' || uri[n] == '/' || uri[n] == '?' || uri[n] == '#'))
			ok = true;
	}
	json_decref(prefixes);
	return ok;
}

static bool plain_url(const char *s)
{
	if (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f || *s == '"' || *s == '<' || *s == '>' || *s == '\\')
			return false;
	return true;
}

enum tf_err page_sso(struct tf_req *req)
{
	const struct tf_form *q = &req->query;
	const char *client_id = form_get(q, "client_id"), *page = form_get(q, "page"),
		   *redirect_uri = form_get(q, "redirect_uri"), *stoken = form_get(q, "stoken"),
		   *token = form_get(q, "token");
	if (q->duplicate || q->overflow || !client_id || !page || !redirect_uri || !stoken || !token ||
	    strlen(client_id) > 64 || strlen(token) > 128 || strlen(page) > SSO_URL_MAX ||
	    strlen(redirect_uri) > SSO_URL_MAX || strlen(stoken) != SSO_STOKEN_LEN)
		return TF_ERR_SSO_INVALID_REQUEST;
	enum tf_err e = hosted_load_client(req, client_id);
	if (e != TF_OK)
		return e;

	uint8_t *secret;
	size_t secret_len;
	if (crypto_open(req->svc->keys, req->app->client_secret_sealed, req->app->client_secret_sealed_len, &secret,
			&secret_len) != TF_OK)
		return TF_ERR_INTERNAL;
	struct sso_field fields[] = {{"page", page}, {"redirect_uri", redirect_uri}, {"token", token}};
	char expected[SSO_STOKEN_LEN + 1];
	bool signed_ok = sso_sign(client_id, (const char *)secret, fields, 3, expected);
	sodium_memzero(secret, secret_len);
	free(secret);
	/* the signature is hex; the vendor's libraries write it in lower case */
	if (!signed_ok || sodium_memcmp(expected, stoken, SSO_STOKEN_LEN) != 0)
		return TF_ERR_SSO_SIGNATURE_INVALID;
	if (!plain_url(redirect_uri) || !redirect_registered(req->app, redirect_uri))
		return TF_ERR_REDIRECT_NOT_ALLOWED;
	char landing[64];
	if (!hosted_landing_page(req, page, landing, sizeof landing))
		return TF_ERR_PAGE_NOT_ALLOWED;

	struct sca_ctx ctx = req_sca(req);
	struct user_row u;
	if ((e = sca_tx_begin(&ctx)) != TF_OK)
		return e;
	if ((e = sca_sso_token_redeem(&ctx, token, &u)) != TF_OK)
		return sca_sso_refused(&ctx, e);
	struct hosted_start start;
	e = hosted_session_start(req, &u, redirect_uri, landing, false, &start);
	if (e == TF_OK)
		e = sca_sso_signed_in(&ctx, u.user_id, req->session.session_id);
	if ((e = sca_tx_end(&ctx, e)) != TF_OK) {
		sodium_memzero(&start, sizeof start);
		return e;
	}
	return hosted_session_started(req, &start);
}
