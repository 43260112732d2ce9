"""Passkeys on the hosted pages, as a browser's script drives them (tests/browser/passkeys.test.js
runs the same in Chromium): the sign-in page's options (POST /login/passkey/options, behind the
sign-in form's CSRF pair, counted per address) and sign-in (POST /login/passkey), a passkey added
on the sign-in methods page. The pages offer passkeys only where the application lists twofold's
own origin. The authenticator is tests/api/webauthn_authenticator.py."""
import html
import json
import re

import requests

from harness import db_query
from sso_helpers import csrf_of
from webauthn_authenticator import UP, Authenticator

PAGES = "https://pay.example"  # twofold's public URL in these tests
SETTINGS = {"rp_id": "pay.example", "rp_name": "Acme Pay", "origins": [PAGES]}


def pages_server(start_server, *args):
    return start_server(args=["--public-url", PAGES, "--cookie-secure", "off", *args])


def make_app(server, webauthn=SETTINGS):
    return server.make_app(name="Acme Pay", redirect_uri_prefixes=["https://partner.example/"], webauthn=webauthn)


def login_page(server, app, http=None):
    r = (http or server.http).get(f"{server.base_url}/login?client_id={app['client_id']}&next=/account/devices")
    assert r.status_code == 200
    return r.text


def options(server, app, csrf):
    return server.http.post(server.base_url + "/login/passkey/options", data={"csrf": csrf, "client_id": app["client_id"]},
                            allow_redirects=False)


def sign_in(server, app, csrf, challenge_id, credential):
    return server.http.post(server.base_url + "/login/passkey", allow_redirects=False,
                            data={"csrf": csrf, "client_id": app["client_id"], "next": "/account/devices",
                                  "challenge_id": challenge_id, "credential": json.dumps(credential)})


def password_session(server, app, user):
    form = login_page(server, app)
    r = server.http.post(server.base_url + "/login", allow_redirects=False,
                         data={"csrf": csrf_of(form), "client_id": app["client_id"], "next": "/account/factors",
                               "email": user["email"], "password": "correct horse battery staple"})
    assert r.status_code == 303, r.text
    return r


def enrol_on_the_page(server, authenticator):
    """Adds a passkey on the sign-in methods page as its script would: the options the page
    carries, the registration posted in the form's credential field."""
    page = server.http.get(server.base_url + "/account/factors").text
    r = server.http.post(server.base_url + "/account/factors", data={"csrf": csrf_of(page), "type": "passkey"})
    assert r.status_code == 200, r.text
    opts = json.loads(html.unescape(re.search(r'data-options="([^"]*)"', r.text).group(1)))
    action = re.search(r'action="(/account/factors/fac_[^/]+/verify)"', r.text).group(1)
    return r, opts, action


def test_a_passkey_added_on_the_page_signs_in_without_a_username_and_owes_no_second_factor(start_server):
    server = pages_server(start_server)
    app = make_app(server)
    user = server.make_user(app)
    password_session(server, app, user)
    authenticator = Authenticator(PAGES)
    page, opts, action = enrol_on_the_page(server, authenticator)
    assert opts["rp"] == {"id": "pay.example", "name": "Acme Pay"} and opts["authenticatorSelection"]["residentKey"] == "required"
    # what the form posts when the browser gave nothing back is refused, and changes nothing
    r = server.http.post(server.base_url + action, data={"csrf": csrf_of(page.text), "credential": "{}"})
    assert r.status_code == 400 and "did not create" in r.text
    r = server.http.post(server.base_url + action, allow_redirects=False,
                         data={"csrf": csrf_of(page.text), "credential": json.dumps(authenticator.register(opts))})
    assert r.status_code == 303 and r.headers["Location"] == "/account/factors?added=1"

    fresh = requests.Session()
    server.http = fresh
    form = login_page(server, app)
    assert 'data-passkey="sign-in"' in form
    o = options(server, app, csrf_of(form))
    assert o.status_code == 200, o.text
    body = o.json()
    assert body["webauthn"]["publicKey"]["rpId"] == "pay.example" and body["webauthn"]["publicKey"]["allowCredentials"] == []
    r = sign_in(server, app, csrf_of(form), body["challenge_id"], authenticator.assertion(body["webauthn"]["publicKey"]))
    assert r.status_code == 303 and r.headers["Location"] == "/account/devices"  # not the challenge page
    assert server.http.get(server.base_url + "/account/devices", allow_redirects=False).status_code == 200
    rows = db_query(server, "SELECT type AS event, subject, details FROM audit_events WHERE type = 'hosted.signed_in' ORDER BY seq")
    assert rows[-1]["subject"] == user["user_id"] and json.loads(rows[-1]["details"]) == {"method": "passkey"}
    # the challenge was used: the same answer again signs nobody in
    again = requests.Session()
    server.http = again
    form = login_page(server, app)
    r = sign_in(server, app, csrf_of(form), body["challenge_id"], authenticator.assertion(body["webauthn"]["publicKey"]))
    assert r.status_code == 403 and "not accepted" in r.text
    assert "tf_session" not in r.headers.get("Set-Cookie", "")


def test_without_user_verification_a_second_factor_is_still_owed(start_server):
    server = pages_server(start_server)
    app = make_app(server, {**SETTINGS, "user_verification": "preferred"})
    user = server.make_user(app)
    password_session(server, app, user)
    authenticator = Authenticator(PAGES, flags=UP)
    page, opts, action = enrol_on_the_page(server, authenticator)
    r = server.http.post(server.base_url + action, allow_redirects=False,
                         data={"csrf": csrf_of(page.text), "credential": json.dumps(authenticator.register(opts))})
    assert r.status_code == 303
    server.http = requests.Session()
    form = login_page(server, app)
    body = options(server, app, csrf_of(form)).json()
    r = sign_in(server, app, csrf_of(form), body["challenge_id"], authenticator.assertion(body["webauthn"]["publicKey"]))
    assert r.status_code == 303 and r.headers["Location"].startswith("/challenge?")


def test_options_need_the_forms_csrf_pair_and_twofolds_origin_among_the_applications(start_server):
    server = pages_server(start_server)
    app = make_app(server)
    form = login_page(server, app)
    # posted from another site: no cookie beside the token
    r = requests.post(server.base_url + "/login/passkey/options", data={"csrf": csrf_of(form), "client_id": app["client_id"]})
    assert r.status_code == 403
    assert options(server, app, "0" * 32).status_code == 403
    # an application whose origins are only its own: no passkey on twofold's pages
    elsewhere = make_app(server, {**SETTINGS, "origins": ["https://partner.example"]})
    form = login_page(server, elsewhere)
    assert "data-passkey" not in form
    assert options(server, elsewhere, csrf_of(form)).status_code == 400
    bare = server.make_app(name="Bare", redirect_uri_prefixes=["https://partner.example/"])
    assert "data-passkey" not in login_page(server, bare)


def test_options_asked_by_one_address_are_limited(start_server):
    server = pages_server(start_server, "--login-attempts-per-address", "3")
    app = make_app(server)
    csrf = csrf_of(login_page(server, app))
    assert [options(server, app, csrf).status_code for _ in range(4)] == [200, 200, 200, 429]
    rows = db_query(server, "SELECT COUNT(*) AS n FROM login_challenges")
    assert rows[0]["n"] == 3


def test_a_wrong_signature_is_refused_and_counted(start_server):
    server = pages_server(start_server)
    app = make_app(server)
    user = server.make_user(app)
    password_session(server, app, user)
    authenticator = Authenticator(PAGES)
    page, opts, action = enrol_on_the_page(server, authenticator)
    server.http.post(server.base_url + action, data={"csrf": csrf_of(page.text), "credential": json.dumps(authenticator.register(opts))})
    server.http = requests.Session()
    form = login_page(server, app)
    body = options(server, app, csrf_of(form)).json()
    r = sign_in(server, app, csrf_of(form), body["challenge_id"],
                authenticator.assertion(body["webauthn"]["publicKey"], bogus_signature=True))
    assert r.status_code == 403 and "not accepted" in r.text
    rows = db_query(server, "SELECT type AS event, details FROM audit_events WHERE type = 'login.failed' ORDER BY seq")
    assert json.loads(rows[-1]["details"]) == {"method": "passkey", "reason": "signature"}
    # not JSON at all, or no challenge: the page says so
    r = server.http.post(server.base_url + "/login/passkey", data={"csrf": csrf_of(r.text), "client_id": app["client_id"],
                                                                  "challenge_id": body["challenge_id"], "credential": "not json"})
    assert r.status_code == 400 and "did not arrive" in r.text
