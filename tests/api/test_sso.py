"""Partner single sign-on (SPEC section 7, seed 001, issue 6): POST /v1/sso/tokens and the
GET /sso entry, every rule of the entry, the hosted session it starts (cookie attributes,
idle timeout, the challenge gate, logout) and where a browser is sent when something is off."""
import re
import time
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from factor_helpers import sms_codes
from harness import assert_error_shape
from sso_helpers import CHALLENGE_RE, VECTOR, csrf_of, entry_query, sign

HOME = "https://partner.example/home"
LOGIN = "https://partner.example/login"


def sso_app(server, **kw):
    settings = {"name": "Acme Pay", "redirect_uri_prefixes": ["https://partner.example/"], "sso_login_url": LOGIN}
    settings.update(kw)
    return server.make_app(**settings)


def sso_user(server, app, **kw):
    return server.make_user(app, password=None, type="sso", **kw)


def new_token(server, app, user_id):
    r = server.post("/v1/sso/tokens", api_key=app["api_key"], json={"user_id": user_id})
    assert r.status_code == 201, r.text
    return r.json()["token"]


def enter(server, app, token, page="/account/factors", redirect_uri=HOME, session=None, **kw):
    http = session or server.http
    return http.get(server.base_url + entry_query(app, token, page, redirect_uri, **kw), allow_redirects=False)


def assert_error_page(r, status, code):
    assert r.status_code == status, (r.status_code, r.text[:500])
    assert r.headers["Content-Type"].startswith("text/html"), r.headers
    assert "Location" not in r.headers, r.headers
    assert "Set-Cookie" not in r.headers, r.headers
    assert code in r.text, r.text[:2000]
    assert "Content-Security-Policy" in r.headers


def test_the_python_signer_matches_the_vendors_vector():
    v = VECTOR
    assert sign(v["client_id"], v["client_secret"], token=v["token"], page=v["page"],
                redirect_uri=v["redirect_uri"]) == v["stoken"]


def test_token_is_one_time_ten_minutes_and_only_for_the_apps_own_users(server):
    app, other = sso_app(server), sso_app(server)
    u = sso_user(server, app)
    r = server.post("/v1/sso/tokens", api_key=app["api_key"], json={"user_id": u["user_id"]})
    assert r.status_code == 201, r.text
    body = r.json()
    assert re.fullmatch(r"tfo_[0-9a-f]{64}", body["token"])  # survives the signer's lower-casing
    issued = time.strptime(r.json()["expires_at"], "%Y-%m-%dT%H:%M:%SZ")
    assert abs(time.mktime(issued) - time.mktime(time.gmtime()) - 600) <= 5
    r = server.post("/v1/sso/tokens", api_key=other["api_key"], json={"user_id": u["user_id"]})
    assert r.status_code == 404 and assert_error_shape(r)["code"] == "NOT_FOUND"
    r = server.post("/v1/sso/tokens", json={"user_id": u["user_id"]})
    assert r.status_code == 401
    r = server.post("/v1/sso/tokens", api_key=app["api_key"], json={})
    assert r.status_code == 400 and assert_error_shape(r)["code"] == "MISSING_FIELD"


def test_entry_starts_a_hosted_session_and_lands_on_the_page(server):
    app = sso_app(server)
    u = sso_user(server, app)
    r = enter(server, app, new_token(server, app, u["user_id"]), page=server.base_url + "/account/devices")
    assert r.status_code == 303, r.text
    assert r.headers["Location"] == "/account/devices"
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("tf_session=")
    attrs = [a.strip() for a in cookie.split(";")]
    assert "HttpOnly" in attrs and "SameSite=Lax" in attrs and "Path=/" in attrs
    assert "Secure" not in attrs  # plain http, not configured
    assert not any(a.startswith(("Max-Age", "Expires")) for a in attrs)  # dies with the browser
    page = server.http.get(server.base_url + "/account/devices", allow_redirects=False)
    assert page.status_code == 200
    assert "Acme Pay" in page.text and "Trusted devices" in page.text
    assert "twofold" not in page.text.lower()  # texts name the application, not us
    assert page.headers["Cache-Control"] == "no-store"
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    # scripts only from twofold's own origin (the passkey script): none inline, none elsewhere
    assert "script-src 'self';" in csp and "unsafe" not in csp
    # forms lead off the pages only to the application (sign-out to its redirect address, an sso
    # user's sign-in to its login URL): browsers apply form-action to the redirect that follows
    assert "form-action 'self' https://partner.example;" in csp


def test_secure_cookie_when_configured(start_server):
    server = start_server(args=["--cookie-secure", "on"])
    app = sso_app(server)
    u = sso_user(server, app)
    r = enter(server, app, new_token(server, app, u["user_id"]))
    assert r.status_code == 303 and "; Secure" in r.headers["Set-Cookie"]


def test_a_token_works_once(server):
    app = sso_app(server)
    u = sso_user(server, app)
    token = new_token(server, app, u["user_id"])
    assert enter(server, app, token).status_code == 303
    assert_error_page(enter(server, app, token), 409, "SSO_TOKEN_USED")


def test_wrong_signature_is_refused_and_consumes_nothing(server):
    app = sso_app(server)
    u = sso_user(server, app)
    token = new_token(server, app, u["user_id"])
    url = entry_query(app, token, "/account/factors", HOME)
    stoken = parse_qs(urlparse(url).query)["stoken"][0]
    flipped = stoken[:-1] + ("0" if stoken[-1] != "0" else "1")
    r = server.http.get(server.base_url + url.replace(stoken, flipped), allow_redirects=False)
    assert_error_page(r, 401, "SSO_SIGNATURE_INVALID")
    # signed with another secret, or over another page than the one sent
    assert_error_page(enter(server, app, token, secret="not-the-secret"), 401, "SSO_SIGNATURE_INVALID")
    tampered = url.replace("%2Faccount%2Ffactors", "%2Faccount%2Fdevices")
    assert tampered != url
    assert_error_page(server.http.get(server.base_url + tampered, allow_redirects=False), 401, "SSO_SIGNATURE_INVALID")
    assert enter(server, app, token).status_code == 303  # the token was not used up


def test_expired_token(start_server):
    server = start_server(args=["--sso-token-lifetime", "1"])
    app = sso_app(server)
    u = sso_user(server, app)
    token = new_token(server, app, u["user_id"])
    time.sleep(1.3)
    assert_error_page(enter(server, app, token), 410, "SSO_TOKEN_EXPIRED")


def test_another_applications_token_is_unknown(server):
    app, other = sso_app(server), sso_app(server)
    u = sso_user(server, other, email="same@example.com")
    sso_user(server, app, email="same@example.com")
    token = new_token(server, other, u["user_id"])
    # correctly signed for app, but the token is other's
    assert_error_page(enter(server, app, token), 401, "SSO_TOKEN_INVALID")
    assert_error_page(enter(server, app, "tfo_" + "0" * 64), 401, "SSO_TOKEN_INVALID")
    assert enter(server, other, token).status_code == 303  # still good where it belongs


@pytest.mark.parametrize("redirect_uri", [
    "https://evil.example/home",
    "https://partner.example.evil.test/home",  # a prefix of the host is not the host
    "http://partner.example/home",
    "javascript:alert(1)",
])
def test_unregistered_redirect_is_an_error_page_never_a_redirect(server, redirect_uri):
    app = sso_app(server)
    u = sso_user(server, app)
    token = new_token(server, app, u["user_id"])
    assert_error_page(enter(server, app, token, redirect_uri=redirect_uri), 400, "REDIRECT_NOT_ALLOWED")
    assert enter(server, app, token).status_code == 303  # nothing consumed


def test_page_must_be_one_of_the_hosted_pages(server):
    app = sso_app(server)
    u = sso_user(server, app)
    token = new_token(server, app, u["user_id"])
    for page in ("https://evil.example/account/factors", "/account/../v1/factors", "//evil.example/", "/admin"):
        assert_error_page(enter(server, app, token, page=page), 400, "PAGE_NOT_ALLOWED")


def test_malformed_entries(server):
    app = sso_app(server)
    u = sso_user(server, app)
    token = new_token(server, app, u["user_id"])
    url = entry_query(app, token, "/account/factors", HOME)
    base = server.base_url
    assert_error_page(server.http.get(base + "/sso", allow_redirects=False), 400, "SSO_INVALID_REQUEST")
    without_token = re.sub(r"&token=[^&]+", "", url)
    assert_error_page(server.http.get(base + without_token, allow_redirects=False), 400, "SSO_INVALID_REQUEST")
    doubled = url + "&token=" + token
    assert_error_page(server.http.get(base + doubled, allow_redirects=False), 400, "SSO_INVALID_REQUEST")
    unknown = url.replace(app["client_id"], "cli_nosuchclient")
    assert_error_page(server.http.get(base + unknown, allow_redirects=False), 401, "SSO_UNKNOWN_CLIENT")


def test_sso_user_password_login_goes_to_the_applications_login(server):
    app = sso_app(server)
    u = sso_user(server, app)
    r = server.login(app, u["email"], "whatever password")
    assert r.status_code == 403
    err = assert_error_shape(r)
    assert err["code"] == "SSO_LOGIN_REQUIRED" and err["login_url"] == LOGIN
    r = server.http.get(f"{server.base_url}/login?client_id={app['client_id']}")
    assert r.status_code == 200 and 'name="password"' in r.text
    r = server.http.post(server.base_url + "/login", allow_redirects=False,
                         data={"csrf": csrf_of(r.text), "client_id": app["client_id"], "next": "/account/factors",
                               "email": u["email"], "password": "whatever password"})
    assert r.status_code == 303
    loc = urlparse(r.headers["Location"])
    assert f"{loc.scheme}://{loc.netloc}{loc.path}" == LOGIN
    assert parse_qs(loc.query)["page"] == [server.base_url + "/account/factors"]
    assert "Set-Cookie" not in r.headers


def test_standard_user_signs_in_on_the_hosted_login(server):
    app = sso_app(server)
    u = server.make_user(app)
    form = server.http.get(f"{server.base_url}/login?client_id={app['client_id']}").text
    fields = {"client_id": app["client_id"], "next": "/account/devices", "email": u["email"]}
    # a form posted from elsewhere (no CSRF cookie and token pair) signs nobody in
    r = requests.post(server.base_url + "/login", allow_redirects=False,
                      data={**fields, "csrf": csrf_of(form), "password": "correct horse battery staple"})
    assert r.status_code == 403 and "expired" in r.text
    assert "tf_session" not in r.headers.get("Set-Cookie", "")
    r = server.http.post(server.base_url + "/login", allow_redirects=False,
                         data={**fields, "csrf": csrf_of(form), "password": "wrong"})
    assert r.status_code == 401 and "not correct" in r.text
    r = server.http.post(server.base_url + "/login", allow_redirects=False,
                         data={**fields, "csrf": csrf_of(r.text), "password": "correct horse battery staple"})
    assert r.status_code == 303 and r.headers["Location"] == "/account/devices"
    assert server.http.get(server.base_url + "/account/devices").status_code == 200


def test_active_factor_means_the_challenge_page_first_and_trust_skips_it_next_time(server):
    app = sso_app(server)
    phone = "+447700900321"
    u = sso_user(server, app)
    # the user enrols an SMS factor through the API (a session for an sso user)
    tok = server.post(f"/v1/users/{u['user_id']}/sessions", api_key=app["api_key"], json={}).json()["token"]
    f = server.post("/v1/factors", api_key=app["api_key"], token=tok, json={"type": "sms", "phone": phone}).json()
    code = sms_codes(server, phone)[0]
    r = server.post(f"/v1/factors/{f['factor_id']}/verify", api_key=app["api_key"], token=tok, json={"code": code})
    assert r.status_code == 200, r.text

    r = enter(server, app, new_token(server, app, u["user_id"]), page="/account/devices")
    assert r.status_code == 303
    challenge_url = r.headers["Location"]
    assert challenge_url.startswith("/challenge?challenge_id=chl_") and challenge_url.endswith("&next=/account/devices")
    # no page but the challenge until the code is given
    r = server.http.get(server.base_url + "/account/devices", allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/challenge?next=/account/devices"
    challenge_page = server.http.get(server.base_url + challenge_url)
    assert challenge_page.status_code == 200
    assert "ending in 0321" in challenge_page.text and "Trust this device for 30 days" in challenge_page.text
    codes = sms_codes(server, phone, count=2)  # the enrolment's, then the sign-in's
    csrf = csrf_of(challenge_page.text)
    challenge_id = CHALLENGE_RE.search(challenge_page.text).group(1)
    # without the CSRF token nothing happens
    r = server.http.post(server.base_url + "/challenge", data={"challenge_id": challenge_id, "code": codes[-1],
                                                              "next": "/account/devices"}, allow_redirects=False)
    assert r.status_code == 403 and "CSRF_INVALID" in r.text
    r = server.http.post(server.base_url + "/challenge", allow_redirects=False,
                         data={"csrf": csrf, "challenge_id": challenge_id, "code": "000000", "next": "/account/devices"})
    assert r.status_code == 403 and "attempts left" in r.text
    r = server.http.post(server.base_url + "/challenge", allow_redirects=False,
                         data={"csrf": csrf, "challenge_id": challenge_id, "code": codes[-1], "trust_device": "on",
                               "next": "/account/devices"})
    assert r.status_code == 303 and r.headers["Location"] == "/account/devices", r.text[:2000]
    device_cookie = r.headers["Set-Cookie"]
    assert device_cookie.startswith("tf_device_" + app["app_id"] + "=tfd1.")
    assert "Max-Age=2592000" in device_cookie and "HttpOnly" in device_cookie
    assert server.http.get(server.base_url + "/account/devices", allow_redirects=False).status_code == 200
    # the hosted-pages device is not a device for the application's own checks
    value = device_cookie.split(";")[0].split("=", 1)[1]
    r = server.post("/v1/devices/validate", api_key=app["api_key"], json={"user_id": u["user_id"], "cookie": value})
    assert r.json()["trusted"] is False
    # next time, the same browser goes straight to the page
    r = enter(server, app, new_token(server, app, u["user_id"]), page="/account/factors")
    assert r.status_code == 303 and r.headers["Location"] == "/account/factors"


def test_idle_hosted_session_goes_back_to_the_redirect_uri(start_server):
    server = start_server(args=["--hosted-session-idle-timeout", "1"])
    app = sso_app(server)
    u = sso_user(server, app)
    assert enter(server, app, new_token(server, app, u["user_id"])).status_code == 303
    assert server.http.get(server.base_url + "/account/factors", allow_redirects=False).status_code == 200
    time.sleep(1.3)
    r = server.http.get(server.base_url + "/account/factors", allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == HOME


def test_no_session_is_the_session_expired_page(server):
    r = server.http.get(server.base_url + "/account/factors", allow_redirects=False)
    assert_error_page(r, 401, "HOSTED_SESSION_EXPIRED")
    r = server.http.get(server.base_url + "/account/factors", allow_redirects=False,
                        cookies={"tf_session": "app_x.tfh_forged"})
    assert_error_page(r, 401, "HOSTED_SESSION_EXPIRED")


def test_application_logout_ends_the_hosted_session(server):
    app = sso_app(server)
    u = sso_user(server, app)
    assert enter(server, app, new_token(server, app, u["user_id"])).status_code == 303
    tok = server.post(f"/v1/users/{u['user_id']}/sessions", api_key=app["api_key"], json={}).json()["token"]
    r = server.post("/v1/logout", api_key=app["api_key"], token=tok, json={})
    assert r.status_code == 200 and r.json()["hosted_sessions_ended"] == 1
    r = server.http.get(server.base_url + "/account/factors", allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == HOME


def test_logout_link_needs_the_csrf_token(server):
    app = sso_app(server)
    u = sso_user(server, app)
    assert enter(server, app, new_token(server, app, u["user_id"])).status_code == 303
    page = server.http.get(server.base_url + "/account/factors").text
    # a bare link (from another site, say) only asks
    r = server.http.get(server.base_url + "/logout", allow_redirects=False)
    assert r.status_code == 200 and "Sign out" in r.text
    assert server.http.get(server.base_url + "/account/factors", allow_redirects=False).status_code == 200
    link = re.search(r'href="(/logout\?csrf=[0-9a-f]{32})"', page).group(1)
    r = server.http.get(server.base_url + link, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == HOME
    assert "Max-Age=0" in r.headers["Set-Cookie"]


def test_email_links_go_through_the_application_first(server):
    app = sso_app(server)
    r = server.http.get(f"{server.base_url}/link?client_id={app['client_id']}&next=/account/devices",
                        allow_redirects=False)
    assert r.status_code == 303
    loc = urlparse(r.headers["Location"])
    assert f"{loc.scheme}://{loc.netloc}{loc.path}" == LOGIN
    assert parse_qs(loc.query)["page"] == [server.base_url + "/account/devices"]
    r = server.http.get(f"{server.base_url}/link?client_id={app['client_id']}&next=https://evil.example/",
                        allow_redirects=False)
    assert_error_page(r, 400, "PAGE_NOT_ALLOWED")


def signed_in_with_sms(server, phone):
    """An sso user with an active SMS factor, whose browser (server.http) passed the challenge."""
    app = sso_app(server)
    u = sso_user(server, app)
    tok = server.post(f"/v1/users/{u['user_id']}/sessions", api_key=app["api_key"], json={}).json()["token"]
    f = server.post("/v1/factors", api_key=app["api_key"], token=tok, json={"type": "sms", "phone": phone}).json()
    code = sms_codes(server, phone)[0]
    assert server.post(f"/v1/factors/{f['factor_id']}/verify", api_key=app["api_key"], token=tok,
                       json={"code": code}).status_code == 200
    r = enter(server, app, new_token(server, app, u["user_id"]))
    page = server.http.get(server.base_url + r.headers["Location"])
    return app, u, page


def test_resend_on_the_challenge_page_obeys_the_15_second_rule(server):
    phone = "+447700900777"
    app, u, page = signed_in_with_sms(server, phone)
    challenge_id = CHALLENGE_RE.search(page.text).group(1)
    r = server.http.post(server.base_url + "/challenge/send", allow_redirects=False,
                         data={"csrf": csrf_of(page.text), "challenge_id": challenge_id, "next": "/account/factors"})
    assert r.status_code == 409 and "Wait 15 seconds" in r.text
    assert len(sms_codes(server, phone, count=2)) == 2  # the enrolment's and the sign-in's, no third


def test_adding_a_phone_from_the_page(server):
    phone, new_phone = "+447700900778", "+447700900779"
    app, u, page = signed_in_with_sms(server, phone)
    code = sms_codes(server, phone, count=2)[-1]
    r = server.http.post(server.base_url + "/challenge", allow_redirects=False,
                         data={"csrf": csrf_of(page.text), "challenge_id": CHALLENGE_RE.search(page.text).group(1),
                               "code": code, "next": "/account/factors"})
    assert r.status_code == 303
    factors = server.http.get(server.base_url + "/account/factors").text
    r = server.http.post(server.base_url + "/account/factors",
                         data={"csrf": csrf_of(factors), "type": "voice", "phone": "+44 7700 900779"})
    assert r.status_code == 200 and "calling your phone ending in 0779" in r.text
    [call] = server.wait_for_messages(1, where=lambda m: m["to"] == new_phone)
    voice_code = re.search(r"your code is ([0-9, ]+)\. Again", call["text"]).group(1).replace(", ", "")
    action = re.search(r'action="(/account/factors/fac_\w+/verify)"', r.text).group(1)
    r = server.http.post(server.base_url + action, allow_redirects=False,
                         data={"csrf": csrf_of(r.text), "code": voice_code})
    assert r.status_code == 303 and r.headers["Location"] == "/account/factors?added=1"
    listed = server.http.get(server.base_url + "/account/factors").text
    assert re.search(r"Voice call to your phone ending in 0779</td><td>Active", listed)
