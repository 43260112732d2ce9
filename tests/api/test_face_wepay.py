"""The WePay v2 face (issue 8), tested as a WePay client sees it, from what
../shared/reference/seed-apis.md records of the real API (sections 1, 2 and 2.1): every call is
POST https://<base>/v2/<call> with a JSON body and `Authorization: Bearer <access_token>`;
errors are {"error", "error_description", "error_code"}.

The tests named test_checklist_NN_* are the WePay half of the reference's section 4 checklist,
one per line, in its order. The rest check the calls' arguments and answers, and that no /v2
answer ever has twofold's native error shape ({"error": {"code": ...}}): every error any test
here receives goes through assert_wepay_shape.
"""
import base64
import hashlib
import hmac
import re
import secrets
import struct
import time
from collections import OrderedDict
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import requests

import wepay_contract
from display_text import ACCEPTED, REFUSED
from factor_helpers import oathtool, wait_for_fresh_totp_step
from harness import db_execute, db_query, server_data_keys
from sso_helpers import CHALLENGE_RE, VECTOR, csrf_of, sign

PARTNER = "https://partner.example/"
HOME = "https://partner.example/home"
SANDBOX_CODE = "123456"
CATEGORIES = {"invalid_request", "access_denied", "invalid_scope", "invalid_client", "processing_error",
              "throttle_exceeded", "invalid_parameter"}
DAY = 86400


# ---- a WePay client ----

@pytest.fixture(autouse=True)
def every_answer_keeps_the_contract(monkeypatch):
    """Every /v2 answer any test here receives, by whatever route it was asked, is held to the
    JSON Schema written from WePay's clients (wepay_contract.py, schemas/wepay_v2.schema.json)."""
    send = requests.Session.send

    def checked_send(self, request, **kw):
        r = send(self, request, **kw)
        path = urlparse(r.url).path
        if path.startswith("/v2/"):
            wepay_contract.check(path, r)
        return r

    monkeypatch.setattr(requests.Session, "send", checked_send)


def assert_wepay_shape(r):
    """A WePay error body, and nothing of twofold's native one."""
    assert r.headers.get("Content-Type", "").startswith("application/json"), r.headers
    body = r.json()
    assert isinstance(body, dict) and set(body) == {"error", "error_description", "error_code"}, body
    assert not isinstance(body["error"], dict), body  # the native {"error": {"code": ...}}
    assert body["error"] in CATEGORIES, body
    assert isinstance(body["error_code"], int) and 1001 <= body["error_code"] <= 1008, body
    assert isinstance(body["error_description"], str) and body["error_description"], body
    return body


def assert_wepay_error(r, status, error, code):
    assert r.status_code == status, (r.status_code, r.text)
    body = assert_wepay_shape(r)
    assert (body["error"], body["error_code"]) == (error, code), body
    return body


def wepay(server, call, token=None, session=None, **params):
    """POST /v2/<call> as WePay's SDKs do. Every error answer is checked for WePay's shape."""
    headers = {"Content-Type": "application/json", "User-Agent": "WePay Python SDK", "Api-Version": "2019-04-03"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    r = (session or server.http).post(f"{server.base_url}/v2/{call}", json=params, headers=headers, timeout=20)
    if r.status_code >= 400:
        assert_wepay_shape(r)
    return r


def partner_app(server, **kw):
    settings = {"name": "Acme Pay", "redirect_uri_prefixes": [PARTNER], "sso_login_url": PARTNER + "login",
                "can_mark_email_verified": True}
    settings.update(kw)
    return server.make_app(**settings)


def register_body(app, **over):
    body = dict(client_id=app["client_id"], client_secret=app["client_secret"],
                email=f"user-{secrets.token_hex(4)}@example.com", scope="manage_accounts,collect_payments,view_user",
                first_name="Ann", last_name="Smith", original_ip="203.0.113.7",
                original_device="Mozilla/5.0 (X11; Linux x86_64)", tos_acceptance_time=int(time.time()), type="sso",
                redirect_uri=HOME, callback_uri="https://partner.example/ipn")
    body.update(over)
    return {k: v for k, v in body.items() if v is not None}


class Member:
    """A user the partner registered through /v2/user/register, with its access token."""

    def __init__(self, server, app, **over):
        self.server, self.app = server, app
        self.body = register_body(app, **over)
        r = wepay(server, "user/register", **self.body)
        assert r.status_code == 200, r.text
        self.reg = r.json()
        self.token = self.reg["access_token"]

    def __call__(self, call, **params):
        return wepay(self.server, call, token=self.token, **params)

    def ok(self, call, **params):
        r = self(call, **params)
        assert r.status_code == 200, r.text
        return r.json()

    def add(self, type_="sms", keep_session=True, cookie=None, code=SANDBOX_CODE, **params):
        """create, send_challenge, confirm (sandbox code by default): the registered factor and
        the WSIG Set-Cookie string confirm answered."""
        if type_ in ("sms", "voice"):
            params.setdefault("setup_data", {"phone_number": "+14155550100"})
        if cookie:
            params["cookie"] = cookie
        mfa = self.ok("user/mfa/create", type=type_, **params)
        self.ok("user/mfa/send_challenge", mfa_id=mfa["mfa_id"])
        done = self.ok("user/mfa/confirm", mfa_id=mfa["mfa_id"], challenge={"code": code, "keep_session": keep_session})
        assert done["state"] == "registered", done
        return done, done["cookie"]


def cookie_value(set_cookie):
    return set_cookie.split(";")[0].split("=", 1)[1]


def cookie_attrs(set_cookie):
    return [a.strip() for a in set_cookie.split(";")[1:]]


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def device_claims(value):
    """The fields of a twofold device cookie (tfd1.<payload>.<mac>, docs: core/device_cookie.h)."""
    version, payload, _ = value.split(".")
    assert version == "tfd1"
    app_id, user_id, device_id, kind, domain, expires_ms = b64url_decode(payload).decode().split("|")
    return dict(app_id=app_id, user_id=user_id, device_id=device_id, kind=kind, domain=domain,
                expires_at=int(expires_ms) / 1000)


def resign(server, value, **changes):
    """value with some claims changed, signed as the server would, with the cookie key of its
    key ring (harness.server_data_keys)."""
    key = server_data_keys(server)["cookie"]
    c = device_claims(value)
    c.update(changes)
    payload = "|".join([c["app_id"], c["user_id"], c["device_id"], c["kind"], c["domain"],
                        str(int(c["expires_at"] * 1000))])
    signed = "tfd1." + b64url(payload.encode())
    return signed + "." + b64url(hmac.new(key, signed.encode(), hashlib.sha256).digest())


def vendor_query_string(client_id, client_secret, **kwargs):
    """wepay/signer-python's Signer.generate_query_string_params, line for line: client_secret
    dropped, the signature added as stoken with client_id, keys sorted, urlencoded."""
    kwargs.pop("client_secret", None)
    signed_token = sign(client_id, client_secret, **kwargs)
    kwargs["client_id"] = client_id
    kwargs["stoken"] = signed_token
    return urlencode(OrderedDict(sorted(kwargs.items())), True)


def sso_entry(server, member, browser, page="/account/factors", redirect_uri=HOME):
    token = member.ok("user/request_sso_token")["sso_token"]
    query = vendor_query_string(member.app["client_id"], member.app["client_secret"], token=token,
                                page=server.base_url + page, redirect_uri=redirect_uri)
    return browser.get(f"{server.base_url}/sso?{query}", allow_redirects=False)


def pass_hosted_challenge(server, browser, location, trust=False):
    """Answers the hosted challenge page the entry sent the browser to (sandbox code)."""
    page = browser.get(server.base_url + location)
    assert page.status_code == 200, page.text[:500]
    form = {"csrf": csrf_of(page.text), "challenge_id": CHALLENGE_RE.search(page.text).group(1), "code": SANDBOX_CODE,
            "next": parse_qs(urlparse(location).query)["next"][0]}
    if trust:
        form["trust_device"] = "on"
    return browser.post(server.base_url + "/challenge", data=form, allow_redirects=False)


def messages_to(server, to):
    return [m for m in server.messages() if m["to"] == to]


def code_in(text):
    return "".join(re.search(r"your code is ([0-9, ]+)\.", text).group(1).split(", "))


# ---- section 4, the WePay checklist ----

def test_checklist_01_factor_types_are_exactly_the_four_and_phone_types_need_a_number(server):
    m = Member(server, partner_app(server, sandbox=True))
    made = {}
    for t in ("sms", "voice", "authenticator", "backup"):
        params = {"setup_data": {"phone_number": "+14155550100"}} if t in ("sms", "voice") else {}
        r = m("user/mfa/create", type=t, **params)
        assert r.status_code == 200, r.text
        assert r.json()["type"] == t and r.json()["state"] == "pending"
        made[t] = r.json()["mfa_id"]
    for t in ("totp", "backup_codes", "push", "email", "SMS", ""):
        assert_wepay_error(m("user/mfa/create", type=t), 400, "invalid_request", 1003)
    assert_wepay_error(m("user/mfa/create"), 400, "invalid_request", 1004)
    for t in ("sms", "voice"):
        body = assert_wepay_error(m("user/mfa/create", type=t), 400, "invalid_request", 1004)
        assert "phone_number" in body["error_description"]
        assert_wepay_error(m("user/mfa/create", type=t, setup_data={}), 400, "invalid_request", 1004)
        assert_wepay_error(m("user/mfa/create", type=t, setup_data={"phone_number": "not a number"}), 400,
                           "invalid_request", 1003)
    # a number is for sms and voice only
    assert_wepay_error(m("user/mfa/create", type="authenticator", setup_data={"phone_number": "+14155550100"}), 400,
                       "invalid_request", 1003)
    found = m.ok("user/mfa/find")["mfa"]
    assert sorted(x["type"] for x in found) == ["authenticator", "backup", "sms", "voice"]
    assert {x["type"]: x["mfa_id"] for x in found} == made


def test_checklist_02_first_non_backup_factor_is_the_default_later_ones_never_and_modify_sets_it(server):
    m = Member(server, partner_app(server, sandbox=True))
    backup = m.ok("user/mfa/create", type="backup")
    assert backup["default"] is False  # backup never becomes the default, even first
    sms, cookie = m.add("sms")
    assert sms["default"] is True  # the first that is not backup
    totp, _ = m.add("authenticator", cookie=cookie)
    assert totp["default"] is False  # later ones never do by themselves
    voice = m.ok("user/mfa/create", type="voice", setup_data={"phone_number": "+14155550199"}, cookie=cookie)
    assert voice["default"] is False
    defaults = [x["mfa_id"] for x in m.ok("user/mfa/find")["mfa"] if x["default"]]
    assert defaults == [sms["mfa_id"]]
    # modify makes a registered factor the default, and only one is
    moved = m.ok("user/mfa/modify", mfa_id=totp["mfa_id"])
    assert moved["mfa_id"] == totp["mfa_id"] and moved["default"] is True
    defaults = [x["mfa_id"] for x in m.ok("user/mfa/find")["mfa"] if x["default"]]
    assert defaults == [totp["mfa_id"]]
    assert_wepay_error(m("user/mfa/modify", mfa_id=backup["mfa_id"]), 400, "invalid_request", 1003)
    assert_wepay_error(m("user/mfa/modify", mfa_id=voice["mfa_id"]), 400, "invalid_request", 1003)  # pending
    assert_wepay_error(m("user/mfa/modify"), 400, "invalid_request", 1004)


def test_checklist_03_adding_a_factor_once_the_user_has_mfa_needs_a_valid_trusted_device_cookie(server):
    app = partner_app(server, sandbox=True)
    m, other = Member(server, app), Member(server, app)
    # before any registered factor, no cookie is asked for (a pending one is not MFA yet)
    m.ok("user/mfa/create", type="backup")
    _, trusted = m.add("sms", keep_session=True)
    _, other_cookie = other.add("sms")
    body = assert_wepay_error(m("user/mfa/create", type="authenticator"), 403, "access_denied", 1004)
    assert "cookie" in body["error_description"]
    for bad in ("WSIG=garbage", "", trusted.replace("tfd1.", "tfd2."), other_cookie,
                cookie_value(trusted)[:-2] + ("AA" if not cookie_value(trusted).endswith("AA") else "BB")):
        r = m("user/mfa/create", type="authenticator", cookie=bad)
        assert r.status_code == 403 and r.json()["error"] == "access_denied", (bad, r.text)
    # any valid cookie will do: the whole Set-Cookie string, its bare value, a session one
    assert m("user/mfa/create", type="authenticator", cookie=trusted).status_code == 200
    assert m("user/mfa/create", type="authenticator", cookie=cookie_value(trusted)).status_code == 200
    _, session_cookie = m.add("voice", keep_session=False, cookie=trusted,
                              setup_data={"phone_number": "+14155550111"})
    assert m("user/mfa/create", type="authenticator", cookie=session_cookie).status_code == 200
    # a revoked device is refused at once (the user's devices, revoked through the native API)
    r = server.request("DELETE", "/v1/devices", api_key=app["api_key"], token=m.token.split(".", 1)[1])
    assert r.status_code == 200, r.text
    assert_wepay_error(m("user/mfa/create", type="authenticator", cookie=trusted), 403, "access_denied", 1003)


def test_checklist_04_authenticator_answers_qr_codes_and_secret_and_backup_its_codes_once(server):
    m = Member(server, partner_app(server))  # not sandbox: the authenticator code is real
    auth = m.ok("user/mfa/create", type="authenticator", nickname="My phone")
    # keyed by the type (the .NET SDK) and, the same object, as qr (WePay's sample app)
    assert set(auth["challenge_data"]) == {"authenticator", "qr"}
    data = auth["challenge_data"]["authenticator"]
    assert auth["challenge_data"]["qr"] == data
    assert set(data) == {"@1x", "@2x", "svg", "shared_secret"}
    widths = {}
    for scale in ("@1x", "@2x"):
        assert data[scale].startswith("data:image/png;base64,")
        png = base64.b64decode(data[scale].split(",", 1)[1])
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
        widths[scale] = struct.unpack(">I", png[16:20])[0]
    assert widths["@2x"] == 2 * widths["@1x"]
    assert data["svg"].startswith("data:image/svg+xml;base64,")
    assert b"<svg" in base64.b64decode(data["svg"].split(",", 1)[1])
    assert re.fullmatch(r"[A-Z2-7]{32}", data["shared_secret"])
    assert auth["nickname"] == "My phone" and auth["factor_label"]
    # the secret is a working RFC 6238 key (Debian's oathtool computes the code)
    wait_for_fresh_totp_step()
    done = m.ok("user/mfa/confirm", mfa_id=auth["mfa_id"],
                challenge={"code": oathtool(data["shared_secret"]), "keep_session": True})
    assert done["state"] == "registered" and done["cookie"].startswith("WSIG=")

    backup = m.ok("user/mfa/create", type="backup", cookie=done["cookie"])
    assert set(backup["challenge_data"]) == {"backup"}
    codes = backup["challenge_data"]["backup"]
    assert isinstance(codes, list) and len(codes) == 10 and len(set(codes)) == 10
    assert all(isinstance(c, str) and len(c) >= 8 for c in codes)
    # shown once: nothing else ever answers them
    for x in m.ok("user/mfa/find")["mfa"]:
        assert "challenge_data" not in x and "shared_secret" not in str(x)
    assert not any(c in m("user/mfa/send_challenge", mfa_id=backup["mfa_id"]).text for c in codes)
    done = m.ok("user/mfa/confirm", mfa_id=backup["mfa_id"], challenge={"code": codes[3]})
    assert done["state"] == "registered"


def test_checklist_05_confirm_answers_a_wsig_cookie_persistent_30_days_or_a_session_cookie(server):
    m = Member(server, partner_app(server, sandbox=True))
    mfa = m.ok("user/mfa/create", type="sms", setup_data={"phone_number": "+14155550100"})
    m.ok("user/mfa/send_challenge", mfa_id=mfa["mfa_id"])
    now = time.time()
    done = m.ok("user/mfa/confirm", mfa_id=mfa["mfa_id"],
                challenge={"code": SANDBOX_CODE, "keep_session": True, "cookie_domain": ".partner.example"})
    assert {"mfa_id", "state", "type", "nickname", "factor_label", "default", "cookie"} <= set(done)
    trusted = done["cookie"]
    assert trusted.startswith("WSIG=")
    attrs = cookie_attrs(trusted)
    assert "Domain=.partner.example" in attrs and "Path=/" in attrs and "Secure" in attrs and "HttpOnly" in attrs
    assert "Max-Age=2592000" in attrs
    expires = [a for a in attrs if a.startswith("Expires=")]
    assert len(expires) == 1
    when = time.mktime(time.strptime(expires[0][8:], "%a, %d %b %Y %H:%M:%S GMT")) - time.timezone
    assert abs(when - (now + 30 * DAY)) < 10
    claims = device_claims(cookie_value(trusted))
    assert claims["kind"] == "persistent" and claims["domain"] == "api" and abs(claims["expires_at"] - now - 30 * DAY) < 10

    m.ok("user/mfa/send_default_challenge")
    done = m.ok("user/mfa/confirm", mfa_id=mfa["mfa_id"], challenge={"code": SANDBOX_CODE, "keep_session": False})
    session = done["cookie"]
    attrs = cookie_attrs(session)
    assert not any(a.startswith(("Expires=", "Max-Age=")) for a in attrs)  # dies with the browser
    assert not any(a.startswith("Domain=") for a in attrs)  # no cookie_domain: host-only
    assert "Secure" in attrs and "HttpOnly" in attrs
    claims = device_claims(cookie_value(session))
    assert claims["kind"] == "session" and claims["expires_at"] - now <= 10 * 60 + 5  # and 10 minutes at most
    # an attribute cannot be smuggled in through cookie_domain
    r = m("user/mfa/confirm", mfa_id=mfa["mfa_id"],
          challenge={"code": SANDBOX_CODE, "cookie_domain": "partner.example; SameSite=None"})
    assert_wepay_error(r, 400, "invalid_request", 1003)


def test_checklist_06_validate_cookie_answers_challenge_required(server):
    m = Member(server, partner_app(server, sandbox=True))
    mfa, cookie = m.add("sms")
    value = cookie_value(cookie)

    def required(**params):
        r = m("user/mfa/validate_cookie", mfa_id=mfa["mfa_id"], **params)
        assert r.status_code == 200 and set(r.json()) == {"challenge_required"}, r.text
        return r.json()["challenge_required"]

    assert required(cookie=cookie) is False  # the whole Set-Cookie string
    assert required(cookie=value) is False  # or the bare value
    assert required() is True  # missing
    assert required(cookie="WSIG=not-a-cookie") is True  # invalid
    assert required(cookie=value[:-1] + ("A" if value[-1] != "A" else "B")) is True  # altered
    assert resign(server, value) == value  # the test signs as the server does...
    assert required(cookie=resign(server, value, expires_at=time.time() - 1)) is True  # ...so: expired
    assert required(cookie=resign(server, value, expires_at=time.time() + 3600)) is False
    r = server.request("DELETE", "/v1/devices", api_key=m.app["api_key"], token=m.token.split(".", 1)[1])
    assert r.status_code == 200
    assert required(cookie=value) is True  # revoked
    assert_wepay_error(m("user/mfa/validate_cookie", cookie=cookie), 400, "invalid_request", 1004)  # mfa_id


def test_checklist_07_trust_is_per_domain_and_sensitive_operations_check_it(server):
    app = partner_app(server, sandbox=True)
    m = Member(server, app)
    mfa, wsig = m.add("sms", keep_session=True)
    value = cookie_value(wsig)
    user_id = device_claims(value)["user_id"]
    # twofold's own pages (the WePay-side domain) keep their own trust: the partner's cookie
    # does not skip their challenge...
    browser = requests.Session()
    browser.cookies.set("tf_device_" + app["app_id"], value)
    r = sso_entry(server, m, browser)
    assert r.status_code == 303 and r.headers["Location"].startswith("/challenge?")
    r = pass_hosted_challenge(server, browser, r.headers["Location"], trust=True)
    assert r.status_code == 303, r.text[:500]
    hosted = r.headers["Set-Cookie"]
    assert hosted.startswith(f"tf_device_{app['app_id']}=") and "Max-Age=2592000" in hosted
    # ...and their 30-day cookie is no trusted device for the partner
    hosted_value = hosted.split(";")[0].split("=", 1)[1]
    assert m.ok("user/mfa/validate_cookie", mfa_id=mfa["mfa_id"], cookie=hosted_value)["challenge_required"] is True
    assert_wepay_error(m("user/mfa/create", type="authenticator", cookie=hosted_value), 403, "access_denied", 1003)
    assert m.ok("user/mfa/validate_cookie", mfa_id=mfa["mfa_id"], cookie=wsig)["challenge_required"] is False
    # the partner's sensitive operations ask twofold with the same cookie (native /v1/authorize)
    for op in ("change_financial_owner", "add_factor", "change_bank_account"):
        r = server.post("/v1/authorize", api_key=app["api_key"],
                        json={"user_id": user_id, "operation": op, "device_cookie": value})
        assert r.status_code == 200 and r.json()["decision"] == "allow", r.text
        r = server.post("/v1/authorize", api_key=app["api_key"],
                        json={"user_id": user_id, "operation": op, "device_cookie": hosted_value})
        assert r.json()["decision"] == "challenge_required", r.text
        r = server.post("/v1/authorize", api_key=app["api_key"], json={"user_id": user_id, "operation": op})
        assert r.json()["decision"] == "challenge_required", r.text
    # and adding a factor through the face checks it first (checklist line 3)
    assert m("user/mfa/create", type="authenticator", cookie=wsig).status_code == 200


def test_checklist_08_no_delete_call_force_voice_and_the_default_challenge(server):
    app = partner_app(server)  # not sandbox: codes go out through development delivery
    m = Member(server, app)
    phone = "+14155550142"
    sms = m.ok("user/mfa/create", type="sms", setup_data={"phone_number": "(415) 555-0142"})
    assert sms["challenge_data"] == {"sms": sms["factor_label"]} and sms["factor_label"].endswith("0142")
    assert "415555" not in sms["factor_label"]
    sent = server.wait_for_messages(1, where=lambda x: x["to"] == phone)
    assert sent[-1]["channel"] == "sms"
    # create already sent the first code: send_challenge right after it sends nothing twice
    m.ok("user/mfa/send_challenge", mfa_id=sms["mfa_id"])
    time.sleep(0.3)
    assert len(messages_to(server, phone)) == 1
    done = m.ok("user/mfa/confirm", mfa_id=sms["mfa_id"], challenge={"code": code_in(sent[-1]["text"])})
    assert done["state"] == "registered" and done["default"] is True
    # force_voice: the sms factor's code is read aloud in a call
    m.ok("user/mfa/send_challenge", mfa_id=sms["mfa_id"], force_voice=True)
    call = server.wait_for_messages(2, where=lambda x: x["to"] == phone)[-1]
    assert call["channel"] == "voice" and "Again:" in call["text"]
    m.ok("user/mfa/confirm", mfa_id=sms["mfa_id"], challenge={"code": code_in(call["text"])})
    # force_voice means nothing for an authenticator
    totp = m.ok("user/mfa/create", type="authenticator", cookie=done["cookie"])
    assert_wepay_error(m("user/mfa/send_challenge", mfa_id=totp["mfa_id"], force_voice=True), 400,
                       "invalid_request", 1003)
    # send_default_challenge challenges the default factor: the sms one; after modify, the other.
    # (A code went out on this token less than 15 seconds ago: another token of the same user,
    # a session the native API gives the application, carries on.)
    user_id = device_claims(cookie_value(done["cookie"]))["user_id"]
    r = server.post(f"/v1/users/{user_id}/sessions", api_key=app["api_key"], json={})
    assert r.status_code == 201, r.text
    m.token = app["app_id"] + "." + r.json()["token"]
    assert m.ok("user/mfa/send_default_challenge")["mfa_id"] == sms["mfa_id"]
    assert len(server.wait_for_messages(3, where=lambda x: x["to"] == phone)) == 3
    wait_for_fresh_totp_step()
    m.ok("user/mfa/confirm", mfa_id=totp["mfa_id"],
         challenge={"code": oathtool(totp["challenge_data"]["authenticator"]["shared_secret"])})
    m.ok("user/mfa/modify", mfa_id=totp["mfa_id"])
    assert m.ok("user/mfa/send_default_challenge")["mfa_id"] == totp["mfa_id"]
    # there is no call that deletes a factor, and reset leaves registered ones alone
    for call in ("user/mfa/delete", "user/mfa/remove"):
        assert_wepay_error(m(call, mfa_id=sms["mfa_id"]), 400, "invalid_request", 1001)
    assert_wepay_error(m("user/mfa/reset", mfa_id=sms["mfa_id"]), 400, "invalid_request", 1003)
    after = m.ok("user/mfa/reset")["mfa"]
    assert {x["mfa_id"] for x in after} == {sms["mfa_id"], totp["mfa_id"]}


def test_checklist_09_errors_have_wepays_shape_calls_are_post_json_with_a_bearer_token(server):
    m = Member(server, partner_app(server, sandbox=True))
    base = server.base_url
    # 1001: a call that does not exist, or a method other than POST and GET (which WePay's PHP
    # SDK sends for a call without arguments)
    assert_wepay_error(m("user/nothing"), 400, "invalid_request", 1001)
    for method in ("PUT", "DELETE", "PATCH"):
        r = server.http.request(method, base + "/v2/user", headers={"Authorization": f"Bearer {m.token}"})
        assert_wepay_error(r, 400, "invalid_request", 1001)
    # 1002: no Authorization header
    assert_wepay_error(wepay(server, "user"), 401, "invalid_request", 1002)
    # 1006: a token that authenticates nobody
    for bad in ("nonsense", m.token + "x", m.token.split(".")[0] + ".tfs_" + "A" * 43, "app_none." + m.token.split(".")[1]):
        assert_wepay_error(wepay(server, "user", token=bad), 401, "access_denied", 1006)
    # 1005: a body that is not JSON
    r = server.http.post(base + "/v2/user", data="{not json", headers={"Authorization": f"Bearer {m.token}",
                                                                       "Content-Type": "application/json"})
    assert_wepay_error(r, 400, "invalid_request", 1005)
    # 1004 and 1003: a missing or a wrong parameter, named
    body = assert_wepay_error(m("user/mfa/confirm", challenge={"code": "1"}), 400, "invalid_request", 1004)
    assert "mfa_id" in body["error_description"]
    body = assert_wepay_error(m("user/mfa/confirm", mfa_id="x", challenge={"code": "1"}), 400, "invalid_request", 1003)
    assert "mfa_id" in body["error_description"]
    assert_wepay_error(m("user", unexpected=1), 400, "invalid_request", 1003)
    # the token is the bearer credential: the right one answers
    assert m.ok("user")["email"] == m.body["email"]


def test_checklist_10_register_type_sso_silos_the_user_per_application(server):
    a, b = partner_app(server), partner_app(server)
    in_a = Member(server, a, email="Same.Person@Example.com")
    in_b = Member(server, b, email="same.person@example.com")
    assert in_a.reg["user_id"] != in_b.reg["user_id"]
    assert in_a.ok("user")["email"] == in_b.ok("user")["email"] == "same.person@example.com"
    # one application cannot register the same email twice, nor reach the other's user
    r = wepay(server, "user/register", **register_body(a, email="same.person@example.com"))
    assert_wepay_error(r, 400, "invalid_request", 1003)
    mfa = in_b.ok("user/mfa/create", type="backup")
    assert_wepay_error(in_a("user/mfa/confirm", mfa_id=mfa["mfa_id"], challenge={"code": "x"}), 400,
                       "invalid_request", 1003)
    # an sso user signs in only through its application: no password login
    r = server.login(a, "same.person@example.com", "anything at all")
    assert r.status_code == 403 and r.json()["error"]["code"] == "SSO_LOGIN_REQUIRED"
    # an application the operator did not approve for sso cannot register sso users
    c = partner_app(server, can_register_sso=False)
    assert_wepay_error(wepay(server, "user/register", **register_body(c)), 403, "access_denied", 1003)
    without_type = Member(server, c, type=None)  # normal behaviour without type
    assert without_type.ok("user")["state"] == "pending"


def test_checklist_11_sso_users_still_verify_their_email(server):
    approved = partner_app(server, can_mark_email_verified=True)
    m = Member(server, approved)
    assert m.ok("user")["state"] == "pending"
    assert m.ok("user/mark_email_verified")["state"] == "registered"
    assert m.ok("user")["state"] == "registered"
    unapproved = partner_app(server, can_mark_email_verified=False)
    n = Member(server, unapproved)
    assert_wepay_error(n("user/mark_email_verified"), 403, "access_denied", 1003)
    answer = n.ok("user/send_confirmation", email_message="<p>Welcome to <b>Acme</b>!</p>")
    assert answer["state"] == "pending" and answer["email"] == n.body["email"]
    mail = server.wait_for_messages(1, where=lambda x: x["to"] == n.body["email"])[-1]
    assert mail["channel"] == "email" and "<b>Acme</b>" in mail["text"] and "/confirm?" in mail["text"]
    assert_wepay_error(m("user/send_confirmation"), 400, "invalid_request", 1003)  # already confirmed


def test_checklist_12_unconfirmed_register_token_lasts_90_days(start_server):
    server = start_server()
    app = partner_app(server)
    pending, confirmed = Member(server, app), Member(server, app)
    assert pending.reg["expires_in"] == 90 * DAY
    assert pending.reg["token_type"] == "BEARER"
    confirmed.ok("user/mark_email_verified")
    # 90 days and a minute pass (the users' creation times move back while the server is down)
    server.stop()
    emails = ", ".join("'" + m.body["email"].replace("'", "''") + "'" for m in (pending, confirmed))
    db_execute(server, f"UPDATE users SET created_at = created_at - {(90 * DAY + 60) * 1000} WHERE email IN ({emails})")
    server.start()
    assert_wepay_error(pending("user"), 401, "access_denied", 1006)  # the unconfirmed user is gone
    assert confirmed.ok("user")["state"] == "registered"  # a confirmed user's token stays
    again = Member(server, app, email=pending.body["email"])  # the email is free again
    assert again.reg["user_id"] != pending.reg["user_id"]
    # A pending user who is paid gets 14 days to confirm: twofold takes no payments, so nothing
    # shortens the 90 days (docs/faces.md).


def test_checklist_13_sso_token_is_one_time_signed_with_the_signer_and_lasts_ten_minutes(server):
    # the vendor's published test vector, through the vendor's query-string builder
    v = VECTOR
    q = vendor_query_string(v["client_id"], v["client_secret"], token=v["token"], page=v["page"],
                            redirect_uri=v["redirect_uri"])
    assert q == ("client_id=12173158495&page=https%3A%2F%2Fwepay.com%2Faccount%2F12345&redirect_uri="
                 "https%3A%2F%2Fpartnersite.com%2Fhome&stoken=" + v["stoken"] + "&token=" + v["token"])
    m = Member(server, partner_app(server))
    now = time.time()
    t = m.ok("user/request_sso_token")
    assert set(t) == {"sso_token", "expire_time"} and isinstance(t["expire_time"], int)
    assert abs(t["expire_time"] - (now + 600)) < 5
    query = vendor_query_string(m.app["client_id"], m.app["client_secret"], token=t["sso_token"],
                                page=server.base_url + "/account/factors", redirect_uri=HOME)
    browser = requests.Session()
    r = browser.get(f"{server.base_url}/sso?{query}", allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/account/factors"
    assert browser.get(server.base_url + "/account/factors").status_code == 200
    r = requests.get(f"{server.base_url}/sso?{query}", allow_redirects=False)  # once only
    assert r.status_code == 409 and "SSO_TOKEN_USED" in r.text
    # signed with anything but the client secret, it is refused
    t = m.ok("user/request_sso_token")
    forged = vendor_query_string(m.app["client_id"], "not-the-secret", token=t["sso_token"],
                                 page=server.base_url + "/account/factors", redirect_uri=HOME)
    r = requests.get(f"{server.base_url}/sso?{forged}", allow_redirects=False)
    assert r.status_code == 401 and "SSO_SIGNATURE_INVALID" in r.text


def test_checklist_13_sso_token_must_be_redeemed_in_time(start_server):
    server = start_server(args=["--sso-token-lifetime", "1"])
    m = Member(server, partner_app(server))
    t = m.ok("user/request_sso_token")
    time.sleep(1.3)
    query = vendor_query_string(m.app["client_id"], m.app["client_secret"], token=t["sso_token"],
                                page="/account/factors", redirect_uri=HOME)
    r = requests.get(f"{server.base_url}/sso?{query}", allow_redirects=False)
    assert r.status_code == 410 and "SSO_TOKEN_EXPIRED" in r.text


def test_checklist_14_entry_url_is_exactly_the_five_parameters_and_never_goes_by_email(server):
    m = Member(server, partner_app(server, can_mark_email_verified=False))
    t = m.ok("user/request_sso_token")["sso_token"]
    query = vendor_query_string(m.app["client_id"], m.app["client_secret"], token=t, page="/account/devices",
                                redirect_uri=HOME)
    assert [k for k, _ in (p.split("=", 1) for p in query.split("&"))] == [
        "client_id", "page", "redirect_uri", "stoken", "token"]
    for drop in ("client_id", "page", "redirect_uri", "stoken", "token"):
        partial = "&".join(p for p in query.split("&") if not p.startswith(drop + "="))
        r = requests.get(f"{server.base_url}/sso?{partial}", allow_redirects=False)
        assert r.status_code in (400, 401) and "Location" not in r.headers, (drop, r.status_code)
    assert requests.get(f"{server.base_url}/sso?{query}", allow_redirects=False).status_code == 303
    # what twofold emails the user carries no sign-in token and no entry URL
    m.ok("user/send_confirmation")
    for msg in server.wait_for_messages(1):
        assert t not in msg["text"] and "stoken" not in msg["text"] and "/sso" not in msg["text"]


def test_checklist_15_wepay_side_session_ends_ten_minutes_after_the_last_action_or_at_logout(start_server):
    server = start_server(args=["--hosted-session-idle-timeout", "1"])
    m = Member(server, partner_app(server))
    browser = requests.Session()
    assert sso_entry(server, m, browser).status_code == 303
    assert browser.get(server.base_url + "/account/factors", allow_redirects=False).status_code == 200
    time.sleep(1.3)
    r = browser.get(server.base_url + "/account/factors", allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == HOME


def test_checklist_15_user_logout_ends_the_wepay_side_session(server):
    m = Member(server, partner_app(server))
    browser = requests.Session()
    assert sso_entry(server, m, browser).status_code == 303
    assert browser.get(server.base_url + "/account/factors", allow_redirects=False).status_code == 200
    out = m.ok("user/logout")
    assert out["hosted_sessions_ended"] == 1 and out["user_id"] == m.reg["user_id"]
    r = browser.get(server.base_url + "/account/factors", allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == HOME
    # the access token is the partner's credential for the user: it stays
    assert m.ok("user")["user_id"] == m.reg["user_id"]


def test_checklist_16_an_mfa_challenge_comes_before_the_sso_target_page(server):
    m = Member(server, partner_app(server, sandbox=True))
    browser = requests.Session()
    r = sso_entry(server, m, browser, page="/account/devices")
    assert r.status_code == 303 and r.headers["Location"] == "/account/devices"  # no MFA yet
    m.add("sms")
    browser = requests.Session()
    r = sso_entry(server, m, browser, page="/account/devices")
    assert r.status_code == 303 and r.headers["Location"].startswith("/challenge?challenge_id=chl_")
    r2 = browser.get(server.base_url + "/account/devices", allow_redirects=False)
    assert r2.status_code == 303 and r2.headers["Location"].startswith("/challenge")
    r = pass_hosted_challenge(server, browser, r.headers["Location"])
    assert r.status_code == 303 and r.headers["Location"] == "/account/devices"
    assert browser.get(server.base_url + "/account/devices").status_code == 200


# ---- the calls in detail ----

def test_register_answers_a_bearer_token_that_works_on_the_other_calls(server):
    app = partner_app(server)
    m = Member(server, app, first_name="Zoë", last_name="van der Berg")
    reg = m.reg
    assert set(reg) == {"user_id", "access_token", "token_type", "expires_in"}
    assert isinstance(reg["user_id"], int) and 0 < reg["user_id"] < 2 ** 53
    assert reg["access_token"].startswith(app["app_id"] + ".")
    user = m.ok("user")
    assert user == {"user_id": reg["user_id"], "user_name": "Zoë van der Berg", "first_name": "Zoë",
                    "last_name": "van der Berg", "email": m.body["email"], "state": "pending"}
    assert m.ok("user/modify", callback_uri="https://partner.example/ipn2") == user
    assert_wepay_error(m("user/modify", callback_uri="not a url"), 400, "invalid_request", 1003)
    # the secret is stored nowhere in clear, and the token only as a MAC
    raw = server.raw_data_bytes()
    assert app["client_secret"].encode() not in raw and reg["access_token"].split(".")[1].encode() not in raw


def test_register_authenticates_the_client_and_checks_every_argument(server):
    app = partner_app(server)
    ok = register_body(app)
    for bad in ({"client_secret": app["client_secret"] + "x"}, {"client_secret": ""},
                {"client_id": "cli_nosuchclient"}, {"client_id": 12173158495},
                {"client_secret": partner_app(server)["client_secret"]}):
        assert_wepay_error(wepay(server, "user/register", **{**ok, **bad}), 401, "invalid_client", 1006)
    for field in ("client_id", "client_secret", "email", "scope", "first_name", "last_name", "original_ip",
                  "original_device", "tos_acceptance_time"):
        body = assert_wepay_error(wepay(server, "user/register", **{**ok, field: None}), 400, "invalid_request", 1004)
        assert field in body["error_description"]
    for field, value in (("email", "not-an-email"), ("type", "standard"), ("first_name", "x" * 128),
                         ("original_ip", "300.1.1.1"), ("tos_acceptance_time", "yesterday"),
                         ("redirect_uri", "javascript:alert(1)"), ("scope", "all; drop"), ("unknown_arg", 1)):
        body = assert_wepay_error(wepay(server, "user/register", **{**ok, field: value}), 400, "invalid_request", 1003)
        assert field in body["error_description"], body
    assert wepay(server, "user/register", **{**ok, "original_ip": "2001:db8::7"}).status_code == 200


@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_register_refuses_names_that_could_make_a_message_or_page_misleading(server, field):
    ok = register_body(partner_app(server))
    for what, name in REFUSED.items():
        body = assert_wepay_error(wepay(server, "user/register", **{**ok, field: name}), 400, "invalid_request", 1003)
        assert field in body["error_description"], (what, body)
    for name in ACCEPTED:
        r = wepay(server, "user/register", **{**ok, field: name, "email": f"u-{secrets.token_hex(4)}@example.com"})
        assert r.status_code == 200, (name, r.text)


def test_the_longest_names_are_kept_in_whole_characters(server):
    """127 emoji (508 bytes) as first name: the native user's name holds its first 255 bytes,
    cut between characters, so the user stays readable on every face."""
    app = partner_app(server)
    m = Member(server, app, first_name="😀" * 127, last_name="Smith")
    assert m.ok("user")["first_name"] == "😀" * 127
    [row] = db_query(server, f"SELECT user_id FROM users WHERE email = '{m.body['email']}'")
    r = server.get(f"/v1/users/{row['user_id']}", api_key=app["api_key"])
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "😀" * 63  # 252 bytes: a 64th emoji would pass 255


def test_mfa_ids_are_longs_stable_and_accepted_as_text(server):
    m = Member(server, partner_app(server, sandbox=True))
    made = m.ok("user/mfa/create", type="sms", nickname="Work phone", setup_data={"phone_number": "415-555-0100"})
    assert isinstance(made["mfa_id"], int) and 0 < made["mfa_id"] < 2 ** 53
    assert made["nickname"] == "Work phone" and made["factor_label"] == "+*******0100"
    assert m.ok("user/mfa/send_challenge", mfa_id=str(made["mfa_id"]))["mfa_id"] == made["mfa_id"]
    assert m.ok("user/mfa/find")["mfa"] == [{k: made[k] for k in made if k != "challenge_data"}]
    assert_wepay_error(m("user/mfa/send_challenge", mfa_id=made["mfa_id"] + 1), 400, "invalid_request", 1003)
    assert_wepay_error(m("user/mfa/send_challenge", mfa_id=-1), 400, "invalid_request", 1003)


def test_factors_added_through_the_native_api_appear_with_ids(server):
    app = partner_app(server, sandbox=True)
    m = Member(server, app)
    native = m.token.split(".", 1)[1]
    r = server.post("/v1/factors", api_key=app["api_key"], token=native, json={"type": "totp"})
    assert r.status_code == 201, r.text
    found = m.ok("user/mfa/find")["mfa"]
    assert len(found) == 1 and found[0]["type"] == "authenticator" and found[0]["state"] == "pending"
    assert m.ok("user/mfa/find")["mfa"] == found  # the same id every time


def test_confirm_counts_wrong_codes_and_locks_the_challenge(server):
    m = Member(server, partner_app(server, sandbox=True))
    mfa = m.ok("user/mfa/create", type="sms", setup_data={"phone_number": "+14155550100"})
    for _ in range(4):  # WePay's words, which its sample app compares: no count in them
        body = assert_wepay_error(m("user/mfa/confirm", mfa_id=mfa["mfa_id"], challenge={"code": "000000"}), 400,
                                  "invalid_request", 1003)
        assert body["error_description"] == "Invalid code"
    body = assert_wepay_error(m("user/mfa/confirm", mfa_id=mfa["mfa_id"], challenge={"code": "000000"}), 400,
                              "invalid_request", 1003)
    assert "new challenge" in body["error_description"].lower()  # the fifth used the last attempt
    body = assert_wepay_error(m("user/mfa/confirm", mfa_id=mfa["mfa_id"], challenge={"code": SANDBOX_CODE}), 400,
                              "invalid_request", 1003)
    assert "new challenge" in body["error_description"].lower()
    for bad in ({}, {"code": 123456}, {"code": "1", "keep_session": "yes"}, {"code": "1", "other": 1}):
        r = m("user/mfa/confirm", mfa_id=mfa["mfa_id"], challenge=bad)
        assert r.status_code == 400 and r.json()["error_code"] in (1003, 1004), r.text


def test_confirm_of_a_registered_factor_needs_a_challenge_sent_on_this_token(server):
    m = Member(server, partner_app(server, sandbox=True))
    sms, _ = m.add("sms")
    body = assert_wepay_error(m("user/mfa/confirm", mfa_id=sms["mfa_id"], challenge={"code": SANDBOX_CODE}), 400,
                              "invalid_request", 1003)
    assert "send_challenge" in body["error_description"]
    # an authenticator needs nothing sent: confirm checks its code at once
    totp, cookie = m.add("authenticator", cookie=_)
    again = m.ok("user/mfa/confirm", mfa_id=totp["mfa_id"], challenge={"code": SANDBOX_CODE, "keep_session": True})
    assert again["cookie"].startswith("WSIG=")


def test_send_challenge_spacing_is_wepay_throttling(server):
    m = Member(server, partner_app(server, sandbox=True))
    sms, _ = m.add("sms")
    m.ok("user/mfa/send_default_challenge")
    assert_wepay_error(m("user/mfa/send_default_challenge"), 429, "throttle_exceeded", 1007)
    assert_wepay_error(m("user/mfa/send_challenge", mfa_id=sms["mfa_id"], force_voice=True), 429,
                       "throttle_exceeded", 1007)
    # a pending factor too: create sent its code, and a call now would be a second code
    pending = m.ok("user/mfa/create", type="sms", setup_data={"phone_number": "+14155550177"},
                   cookie=m.ok("user/mfa/confirm", mfa_id=sms["mfa_id"], challenge={"code": SANDBOX_CODE})["cookie"])
    assert m.ok("user/mfa/send_challenge", mfa_id=pending["mfa_id"])["state"] == "pending"  # the same code stands
    assert_wepay_error(m("user/mfa/send_challenge", mfa_id=pending["mfa_id"], force_voice=True), 429,
                       "throttle_exceeded", 1007)


def test_reset_discards_pending_factors_only(server):
    m = Member(server, partner_app(server, sandbox=True))
    wrong = m.ok("user/mfa/create", type="sms", setup_data={"phone_number": "+14155550999"})
    assert wrong["default"] is True
    left = m.ok("user/mfa/reset", mfa_id=wrong["mfa_id"])["mfa"]
    assert left == []
    pending = [m.ok("user/mfa/create", type=t) for t in ("authenticator", "backup")]
    sms, cookie = m.add("sms", cookie=None)
    left = m.ok("user/mfa/reset")["mfa"]
    assert [x["mfa_id"] for x in left] == [sms["mfa_id"]] and left[0]["default"] is True
    assert_wepay_error(m("user/mfa/reset", mfa_id=pending[0]["mfa_id"]), 400, "invalid_request", 1003)


def test_an_idempotency_ref_on_a_failing_call_answers_in_wepays_shape(server):
    m = Member(server, partner_app(server, sandbox=True))
    headers = {"Authorization": f"Bearer {m.token}", "idempotency-ref": "wepay-1"}
    for _ in range(2):
        r = server.http.post(server.base_url + "/v2/user/mfa/modify", json={"mfa_id": 5}, headers=headers)
        assert_wepay_error(r, 400, "invalid_request", 1003)
    assert m.ok("user")["user_id"] == m.reg["user_id"]


def test_no_v2_answer_has_the_native_error_shape(server):
    m = Member(server, partner_app(server, sandbox=True))
    base = server.base_url
    calls = ["user/register", "user", "user/modify", "user/mark_email_verified", "user/send_confirmation",
             "user/request_sso_token", "user/logout", "user/mfa/create", "user/mfa/validate_cookie",
             "user/mfa/send_challenge", "user/mfa/send_default_challenge", "user/mfa/confirm", "user/mfa/find",
             "user/mfa/modify", "user/mfa/reset", "user/nothing", "", "user/mfa", "account"]
    seen = 0
    for call in calls:
        for token in (None, "bad", m.token):
            for body in ({}, {"x": 1}, {"mfa_id": "nope", "type": 7, "challenge": []}):
                r = wepay(server, call, token=token, **body)
                seen += r.status_code >= 400
            h = {"Authorization": f"Bearer {token}"} if token else {}
            for data in ("[1]", "{", "x" * (70 * 1024), "{" * 40 + "}" * 40):
                r = server.http.post(f"{base}/v2/{call}", data=data, headers={**h, "Content-Type": "application/json"})
                assert r.status_code >= 400 and assert_wepay_shape(r)
                seen += 1
            for method in ("PUT", "DELETE"):
                r = server.http.request(method, f"{base}/v2/{call}", headers=h)
                assert r.status_code >= 400 and assert_wepay_shape(r)
    assert seen > 350


def test_another_users_idempotency_ref_is_refused_and_replays_nothing(server):
    app = partner_app(server, sandbox=True)
    a, b = Member(server, app), Member(server, app)

    def create(member):
        h = {"Authorization": f"Bearer {member.token}", "idempotency-ref": "wepay-enrol-1"}
        return server.http.post(server.base_url + "/v2/user/mfa/create", json={"type": "authenticator"}, headers=h)

    first = create(a)
    assert first.status_code == 200, first.text
    second = create(b)
    body = assert_wepay_error(second, 400, "invalid_request", 1003)
    assert "idempotency-ref" in body["error_description"]
    assert str(first.json()["mfa_id"]) not in second.text and "shared_secret" not in second.text
    assert b.ok("user/mfa/find")["mfa"] == []
    assert create(a).json() == first.json()  # the owner's retry is still replayed


# ---- what the vendors' own clients send and read (docs/faces.md, "What WePay's clients read") ----

CONFIRM_LINK_RE = re.compile(r"(http://\S+/confirm\?app=app_\w+&token=[A-Za-z0-9_\-]+)")


def test_challenge_data_is_keyed_by_the_factors_type_for_every_client(server):
    """The .NET SDK maps challenge_data to an object keyed by type; WePay's sample app reads
    challenge_data["qr"]["@2x"]. Both read what they expect."""
    m = Member(server, partner_app(server, sandbox=True))
    sms = m.ok("user/mfa/create", type="sms", setup_data={"phone_number": "+14155550100"})
    assert sms["challenge_data"] == {"sms": "+*******0100"} == {"sms": sms["factor_label"]}
    voice = m.ok("user/mfa/create", type="voice", setup_data={"phone_number": "5055551234"})
    assert voice["challenge_data"] == {"voice": "+*******1234"}
    auth = m.ok("user/mfa/create", type="authenticator", nickname="My iPhone")
    data = auth["challenge_data"]
    assert set(data) == {"authenticator", "qr"} and data["qr"] == data["authenticator"]
    assert data["qr"]["@2x"].startswith("data:image/png;base64,")  # the sample app's image_tag
    assert re.fullmatch(r"[A-Z2-7]{32}", data["authenticator"]["shared_secret"])
    backup = m.ok("user/mfa/create", type="backup")
    assert set(backup["challenge_data"]) == {"backup"} and len(backup["challenge_data"]["backup"]) == 10


def test_calls_without_arguments_may_come_as_get_as_the_php_sdk_sends_them(server):
    """WePay's PHP SDK sends GET, without a body, for a call without values: it answers exactly
    as POST with {} (including the SSO token, which PHP partners could not get before)."""
    app = partner_app(server, sandbox=True)
    m = Member(server, app)
    h = {"Authorization": f"Bearer {m.token}", "Content-Type": "application/json",
         "User-Agent": "WePay v2 PHP SDK v0.2.6 Client id:" + app["client_id"]}
    get = lambda call, **kw: server.http.get(f"{server.base_url}/v2/{call}", headers={**h, **kw.pop("headers", {})}, **kw)
    r = get("user")
    assert r.status_code == 200 and r.json() == m.ok("user")
    r = get("user/request_sso_token")
    assert r.status_code == 200, r.text
    token = r.json()["sso_token"]
    assert r.json()["expire_time"] > time.time()
    # the token is a working one-time token (the native call sees it as any other)
    assert token != m.ok("user/request_sso_token")["sso_token"]
    assert get("user/mfa/find").json() == {"mfa": []}
    # a call that needs arguments answers as POST without them would: the missing one named
    body = assert_wepay_error(get("user/mfa/send_challenge"), 400, "invalid_request", 1004)
    assert "mfa_id" in body["error_description"]
    # and the credentials are checked as for POST
    assert_wepay_error(server.http.get(f"{server.base_url}/v2/user"), 401, "invalid_request", 1002)
    assert_wepay_error(get("user", headers={"Authorization": "Bearer nonsense"}), 401, "access_denied", 1006)
    # a GET that does carry values is the same as the POST of them
    r = server.http.request("GET", f"{server.base_url}/v2/user/mfa/create", headers=h, data=b'{"type": "backup"}')
    assert r.status_code == 200 and r.json()["type"] == "backup"


def test_repeated_slashes_are_one_as_a_base_url_ending_in_a_slash_makes_them(server):
    m = Member(server, partner_app(server, sandbox=True))
    h = {"Authorization": f"Bearer {m.token}", "Content-Type": "application/json"}
    want = m.ok("user")
    for path in ("/v2//user", "/v2///user", "/v2/user//", "/v2//user/mfa//find"):
        r = server.http.post(server.base_url + path, json={}, headers=h)
        if path.endswith("find"):
            assert r.status_code == 200 and r.json() == {"mfa": []}, (path, r.text)
        elif path.endswith("//"):
            assert_wepay_error(r, 400, "invalid_request", 1001)  # "/v2/user/" is no call at WePay either
        else:
            assert r.status_code == 200 and r.json() == want, (path, r.text)
    r = server.http.get(server.base_url + "/v2//user", headers=h)  # the PHP SDK's demos: both at once
    assert r.status_code == 200 and r.json() == want


def test_error_descriptions_use_wepays_words_where_its_clients_compare_them(server):
    m = Member(server, partner_app(server))
    for bad in ("not a number", "12", "415-555-012", "+999999999999999999"):
        body = assert_wepay_error(m("user/mfa/create", type="sms", setup_data={"phone_number": bad}), 400,
                                  "invalid_request", 1003)
        assert body["error_description"] == "Invalid phone number.", body
    sms = m.ok("user/mfa/create", type="sms", setup_data={"phone_number": "+14155550100"})
    sent = server.wait_for_messages(1, where=lambda x: x["to"] == "+14155550100")[-1]
    right = code_in(sent["text"])
    wrong = "000000" if right != "000000" else "111111"
    body = assert_wepay_error(m("user/mfa/confirm", mfa_id=sms["mfa_id"], challenge={"code": wrong}), 400,
                              "invalid_request", 1003)
    assert body["error_description"] == "Invalid code", body
    assert m.ok("user/mfa/confirm", mfa_id=sms["mfa_id"], challenge={"code": right})["state"] == "registered"


def test_a_blank_nickname_is_no_nickname(server):
    m = Member(server, partner_app(server, sandbox=True))
    sms = m.ok("user/mfa/create", type="sms", nickname="", setup_data={"phone_number": "+14155550100"})
    assert sms["nickname"] == "Text messages ending in 0100"
    auth = m.ok("user/mfa/create", type="authenticator", nickname="")
    assert auth["nickname"] == "Authenticator app"
    assert m.ok("user/mfa/create", type="authenticator", nickname="My iPhone")["nickname"] == "My iPhone"


def test_resend_confirmation_is_send_confirmation_by_its_older_name(server):
    m = Member(server, partner_app(server, can_mark_email_verified=False))
    answer = m.ok("user/resend_confirmation")
    assert answer["state"] == "pending" and answer["email"] == m.body["email"]
    mail = server.wait_for_messages(1, where=lambda x: x["to"] == m.body["email"])[-1]
    assert CONFIRM_LINK_RE.search(mail["text"])
    assert_wepay_error(m("user/resend_confirmation", unexpected=1), 400, "invalid_request", 1003)


def confirm_by_link(server, text):
    link = CONFIRM_LINK_RE.search(text).group(1)
    page = server.http.get(link)
    assert page.status_code == 200, page.text[:500]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page.text))
    return server.http.post(server.base_url + "/confirm", data=fields, allow_redirects=False)


def test_change_email_makes_the_new_address_unconfirmed_and_tells_the_old_one(server):
    app = partner_app(server, can_mark_email_verified=False)
    m, other = Member(server, app), Member(server, app)
    old = m.body["email"]
    m.ok("user/send_confirmation")
    first = server.wait_for_messages(1, where=lambda x: x["to"] == old)[-1]
    assert confirm_by_link(server, first["text"]).status_code == 200
    assert m.ok("user")["state"] == "registered"
    new = f"new-{secrets.token_hex(4)}@example.com"
    changed = m.ok("user/change_email", email=new.upper(), email_message="Your Acme address changed.")
    assert changed["email"] == new and changed["state"] == "pending" and changed["user_id"] == m.reg["user_id"]
    assert m.ok("user") == changed
    confirmation = server.wait_for_messages(1, where=lambda x: x["to"] == new)[-1]
    assert confirmation["channel"] == "email" and "Your Acme address changed." in confirmation["text"]
    notice = server.wait_for_messages(1, where=lambda x: x["to"] == old and "changed" in x["text"])[-1]
    assert "n***@example.com" in notice["text"] and new not in notice["text"]
    assert not CONFIRM_LINK_RE.search(notice["text"])
    # the new address confirms through its own link
    assert confirm_by_link(server, confirmation["text"]).status_code == 200
    assert m.ok("user")["state"] == "registered" and m.ok("user")["email"] == new
    # the same address again changes nothing and sends nothing
    before = len(server.messages())
    assert m.ok("user/change_email", email=new)["state"] == "registered"
    time.sleep(0.3)
    assert len(server.messages()) == before
    # taken, invalid or missing
    body = assert_wepay_error(m("user/change_email", email=other.body["email"]), 400, "invalid_request", 1003)
    assert "already exists" in body["error_description"]
    for bad in ("not an email", "a@", "ann smith@example.com", ""):
        body = assert_wepay_error(m("user/change_email", email=bad), 400, "invalid_request", 1003)
        assert "email" in body["error_description"]
    assert_wepay_error(m("user/change_email"), 400, "invalid_request", 1004)
    assert m.ok("user")["email"] == new


def test_change_email_cancels_links_sent_to_the_old_address(server):
    app = partner_app(server, can_mark_email_verified=False)
    m = Member(server, app)
    old = m.body["email"]
    m.ok("user/send_confirmation")
    old_link = server.wait_for_messages(1, where=lambda x: x["to"] == old)[-1]["text"]
    # a typo corrected before confirming: the old (never confirmed) address is told nothing
    new = f"fixed-{secrets.token_hex(4)}@example.com"
    assert m.ok("user/change_email", email=new)["state"] == "pending"
    server.wait_for_messages(1, where=lambda x: x["to"] == new)
    assert len([x for x in server.messages() if x["to"] == old]) == 1
    link = CONFIRM_LINK_RE.search(old_link).group(1)
    assert server.http.get(link, allow_redirects=False).status_code == 410
    assert m.ok("user")["state"] == "pending"


def test_a_confirmed_user_whose_email_changed_does_not_expire_as_unconfirmed(start_server):
    server = start_server()
    app = partner_app(server)
    confirmed, never = Member(server, app), Member(server, app)
    confirmed.ok("user/mark_email_verified")
    confirmed.ok("user/change_email", email=f"moved-{secrets.token_hex(4)}@example.com")
    never.ok("user/change_email", email=f"typo-{secrets.token_hex(4)}@example.com")
    server.stop()
    db_execute(server, f"UPDATE users SET created_at = created_at - {(90 * DAY + 60) * 1000} "
                       f"WHERE user_id IN (SELECT user_id FROM wepay_users WHERE wepay_user_id IN "
                       f"({confirmed.reg['user_id']}, {never.reg['user_id']}))")
    server.start()
    assert confirmed.ok("user")["state"] == "pending"  # waits for its new address, for as long as it takes
    assert_wepay_error(never("user"), 401, "access_denied", 1006)  # never confirmed anything: gone


def test_modify_accepts_the_java_sdks_rbits_and_ignores_them(server):
    m = Member(server, partner_app(server, sandbox=True))
    rbits = [{"receive_time": int(time.time()), "type": "person", "source": "user",
              "properties": {"name": "Ann Smith"}},
             {"associated_object_type": "user", "associated_object_id": m.reg["user_id"], "type": "email",
              "source": "partner_database", "receive_time": int(time.time()), "properties": {"email": m.body["email"]},
              "note": "from the sign-up form", "related_rbits": []}]
    answer = m.ok("user/modify", callback_uri="https://partner.example/ipn2", rbits=rbits)
    assert answer == m.ok("user") and "rbits" not in answer
    assert m.ok("user/modify", rbits=[])["user_id"] == m.reg["user_id"]
    for bad in ("person", {"type": "person"}, [1], [[]], [{"type": "x"}] * 101):
        assert_wepay_error(m("user/modify", rbits=bad), 400, "invalid_request", 1003)
    r = wepay(server, "user/register", **register_body(m.app, rbits=rbits))
    assert r.status_code == 200, r.text
    assert_wepay_error(wepay(server, "user/register", **register_body(m.app, rbits="x")), 400, "invalid_request", 1003)


def test_users_racing_for_one_address_get_it_once(server):
    """Eight users of one application ask for the same new address at once: one gets it, the
    others are told it is taken (on PostgreSQL the loser of the race meets the unique index)."""
    from concurrent.futures import ThreadPoolExecutor
    app = partner_app(server)
    members = [Member(server, app) for _ in range(8)]
    wanted = f"contested-{secrets.token_hex(4)}@example.com"
    with ThreadPoolExecutor(len(members)) as pool:
        answers = list(pool.map(lambda m: m("user/change_email", email=wanted), members))
    assert sorted(r.status_code for r in answers) == [200] + [400] * 7, [r.text for r in answers]
    for r in answers:
        if r.status_code == 400:
            assert r.json()["error_code"] == 1003 and "already exists" in r.json()["error_description"]
    holders = [m for m in members if m.ok("user")["email"] == wanted]
    assert len(holders) == 1
