"""Codes by email (issue 25, point 1; SPEC sections 3, 4 and 9): factor type email, enrolled with
the user's own address or one given, confirmed by the code sent; a full citizen of challenges
(expiry, attempts, factor block, 15-second spacing, two counted sends per token, sandbox 123456,
the send caps) with dynamic linking (subject and bodies show amount and payee, the code is bound
to the transaction); a multipart/alternative UTF-8 email without remote content, checked with
Python's email package, through development delivery, SMTP and the webhook."""
import email
import email.policy
import re
import time

import pytest
from aiosmtpd.controller import Controller

from factor_helpers import CODE_RE, User
from harness import assert_error, db_execute, db_query, free_port
from test_delivery_providers import Sink
from test_delivery_webhook import Recorder
from test_face_wepay import Member, partner_app
from test_face_weavr import Weavr

JANE = {"name": "Jane's Shop", "account": "DE89 3704 0044 0532 0130 00"}


def tx(amount, currency="EUR", payee=JANE):
    return {"amount": amount, "currency": currency, "payee": dict(payee)}


def mails_to(server, address, count=1):
    return server.wait_for_messages(count, where=lambda m: m["to"] == address and m["channel"] == "email")


def code_of(message):
    return CODE_RE.search(message["text"]).group(1)


def enrol_email(user, address=None):
    """Enrols and confirms an email factor (the user must be stepped up if it has an active one)."""
    body = {"type": "email", **({"email": address} if address else {})}
    r = user.post("/v1/factors", json=body)
    assert r.status_code == 201, r.text
    f = r.json()
    code = code_of(mails_to(user.server, f["email"])[-1])
    r = user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": code})
    assert r.status_code == 200, r.text
    return f


def email_user(server, app=None, address=None):
    user = User(server, app or server.make_app(name="Acme Pay"))
    f = enrol_email(user, address)
    user.relogin()  # a fresh session: its own send spacing and count
    return user, f


def sandbox_email_user(server):
    user = User(server, server.make_app(sandbox=True))
    f = user.post("/v1/factors", json={"type": "email"}).json()
    assert user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": "123456"}).status_code == 200
    return user, f


def challenge(user, purpose="stepup", **kw):
    r = user.post("/v1/challenges", json={"purpose": purpose, **kw})
    assert r.status_code == 201, r.text
    return r.json()


def verify(user, ch, code, **kw):
    return user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": code, **kw})


def parse(raw):
    return email.message_from_string(raw, policy=email.policy.default)


def addr(msg, header):
    [one] = msg[header].addresses
    return one.addr_spec


def assert_safe_multipart(msg, subject=None):
    """multipart/alternative of a UTF-8 text/plain and text/html, the headers every email has,
    and nothing in the HTML that a mail client would load from elsewhere."""
    assert msg.get_content_type() == "multipart/alternative"
    for h in ("Date", "From", "To", "Subject", "Message-ID"):
        assert msg[h], h
    if subject is not None:
        assert msg["Subject"] == subject
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    text, html = parts[0].get_content(), parts[1].get_content()
    lowered = html.lower()
    assert not re.search(r"https?:|//[a-z0-9]", lowered), html  # no URL at all, so nothing to load
    for remote in ("<img", "<link", "<script", "<iframe", "<object", "@import", "url(", "src=", "background="):
        assert remote not in lowered, remote
    return text, html


# ---- enrolment ----

def test_enrolment_with_the_users_own_address_is_confirmed_by_the_code_sent(server):
    user = User(server, server.make_app(name="Acme Pay"))
    r = user.post("/v1/factors", json={"type": "email"})
    assert r.status_code == 201, r.text
    f = r.json()
    assert f["type"] == "email" and f["status"] == "pending_verification" and f["email"] == user.user["email"]
    assert "phone" not in f and f["challenge_id"].startswith("chl_")
    [m] = mails_to(server, user.user["email"])
    assert m["subject"] == "Acme Pay: your verification code"
    assert re.fullmatch(r"Acme Pay: your code is \d{6}\. It expires in 5 minutes\.\n\n.*\n", m["text"], re.S)
    assert_error(user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": "000000"}), 403,
                 "VERIFICATION_CODE_INVALID")
    r = user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": code_of(m)})
    assert r.status_code == 200, r.text
    [listed] = user.get("/v1/factors").json()["factors"]
    assert listed["status"] == "active" and listed["email"] == user.user["email"] and listed["preferred"]


def test_enrolment_with_an_address_of_its_own_lower_cases_it(server):
    user = User(server, server.make_app())
    r = user.post("/v1/factors", json={"type": "email", "email": "Ann.Other+Pay@Example.ORG"})
    assert r.status_code == 201, r.text
    assert r.json()["email"] == "ann.other+pay@example.org"
    [m] = mails_to(server, "ann.other+pay@example.org")
    assert user.post(f"/v1/factors/{r.json()['factor_id']}/verify", json={"code": code_of(m)}).status_code == 200


@pytest.mark.parametrize("bad", ["not-an-email", "ann@", "@example.com", "ann@example", "ann@@example.com",
                                 "ann@example.com\r\nBcc: eve@evil.example", "ann@example.com\nSubject: hi",
                                 "<ann@example.com>", "ann@example.com, eve@evil.example", "ann smith@example.com",
                                 "a" * 65 + "@example.com", ""])
def test_invalid_addresses_and_header_injections_are_refused(server, bad):
    user = User(server, server.make_app())
    assert_error(user.post("/v1/factors", json={"type": "email", "email": bad}), 400, "INVALID_FIELD", "email")
    assert user.get("/v1/factors").json()["factors"] == []
    assert server.messages() == [] or all(m["channel"] != "email" for m in server.messages())


def test_an_address_is_for_the_email_type_only(server):
    user = User(server, server.make_app())
    assert_error(user.post("/v1/factors", json={"type": "email", "email": 5}), 400, "INVALID_FIELD", "email")
    for body in ({"type": "sms", "phone": "+14155550100", "email": "ann@example.com"},
                 {"type": "totp", "email": "ann@example.com"}):
        assert_error(user.post("/v1/factors", json=body), 400, "INVALID_FIELD", "email")
    assert_error(user.post("/v1/factors", json={"type": "email", "phone": "+14155550100"}), 400, "INVALID_FIELD",
                 "phone")


def test_the_mime_email_is_multipart_text_and_html_without_remote_content(server):
    user = User(server, server.make_app(name="Caf\u00e9 <Pay> & Co"))
    user.post("/v1/factors", json={"type": "email"})
    [m] = mails_to(server, user.user["email"])
    msg = parse(m["mime"])
    text, html = assert_safe_multipart(msg, subject="Caf\u00e9 <Pay> & Co: your verification code")
    assert addr(msg, "To") == user.user["email"] and addr(msg, "From") == "twofold@localhost"
    assert msg["Message-ID"] == f"<{m['message_id']}@twofold>"
    assert text == m["text"].replace("\n", "\r\n") or text == m["text"]
    assert html == m["html"].replace("\n", "\r\n") or html == m["html"]
    assert code_of(m) in text and code_of(m) in html
    # every value is escaped in the HTML: the application's name shows as text, never as markup
    assert "Caf\u00e9 &lt;Pay&gt; &amp; Co" in html and "<Pay>" not in html
    assert html.lstrip().lower().startswith("<!doctype html>") and '<meta charset="utf-8">' in html
    # the raw headers are one line each: the non-ASCII subject is in encoded words
    raw_headers = m["mime"].split("\r\n\r\n", 1)[0]
    assert "=?UTF-8?B?" in raw_headers and all(ord(c) < 128 for c in raw_headers)


# ---- challenges ----

def test_a_sandbox_application_sends_nothing_and_accepts_123456(server):
    user, f = sandbox_email_user(server)
    ch = challenge(user, factor_id=f["factor_id"])
    assert verify(user, ch, "123456").status_code == 200
    time.sleep(0.3)
    assert [m for m in server.messages() if m["channel"] == "email"] == []


def test_attempts_lock_the_challenge_and_failures_block_the_factor(server):
    user, f = sandbox_email_user(server)
    ch = challenge(user)  # picked by default: the user's only factor
    assert ch["factor_id"] == f["factor_id"] and ch["attempts_remaining"] == 5
    for remaining in (4, 3, 2, 1):
        assert assert_error(verify(user, ch, "000000"), 403, "VERIFICATION_CODE_INVALID")["attempts_remaining"] == remaining
    assert_error(verify(user, ch, "000000"), 409, "CHALLENGE_LIMIT_EXCEEDED")
    assert_error(verify(user, ch, "123456"), 409, "CHALLENGE_LIMIT_EXCEEDED")
    # five consecutive failures blocked the factor for 15 minutes
    assert_error(user.post("/v1/challenges", json={"purpose": "stepup"}), 403, "FACTOR_BLOCKED")
    assert "blocked_until" in user.get("/v1/factors").json()["factors"][0]


def test_a_challenge_expires_after_five_minutes(server):
    user, f = email_user(server)
    ch = challenge(user)
    assert ch["expires_at"]
    code = code_of(mails_to(server, f["email"], 2)[-1])
    [row] = db_query(server, f"SELECT created_at, expires_at FROM challenges WHERE challenge_id = '{ch['challenge_id']}'")
    assert row["expires_at"] - row["created_at"] == 5 * 60 * 1000
    # the clock moved past the expiry (the harness has no fake clock: the row is moved instead)
    db_execute(server, f"UPDATE challenges SET expires_at = {int(time.time() * 1000) - 1} "
                       f"WHERE challenge_id = '{ch['challenge_id']}'")
    assert_error(verify(user, ch, code), 410, "CHALLENGE_EXPIRED")


def test_spacing_newest_code_only_and_two_counted_sends_per_token(server):
    user = User(server, server.make_app(name="Acme Pay"))
    r = user.post("/v1/factors", json={"type": "email"})
    f = r.json()
    address = f["email"]
    # an enrolment's own sends are spaced 15 seconds
    assert_error(user.post(f"/v1/challenges/{f['challenge_id']}/resend"), 409, "RETRY_IN_15SEC")
    assert user.post(f"/v1/factors/{f['factor_id']}/verify",
                     json={"code": code_of(mails_to(server, address)[0])}).status_code == 200
    ch = challenge(user)  # counted send 1
    first = code_of(mails_to(server, address, 2)[-1])
    assert_error(user.post(f"/v1/challenges/{ch['challenge_id']}/resend"), 409, "RETRY_IN_15SEC")
    time.sleep(15.2)
    assert user.post(f"/v1/challenges/{ch['challenge_id']}/resend").status_code == 200  # counted send 2
    second = code_of(mails_to(server, address, 3)[-1])
    assert_error(user.post(f"/v1/challenges/{ch['challenge_id']}/resend"), 400, "INVALID_REQUEST")
    assert_error(user.post("/v1/challenges", json={"purpose": "stepup"}), 400, "INVALID_REQUEST")
    if first != second:
        assert_error(verify(user, ch, first), 403, "VERIFICATION_CODE_INVALID")
    assert verify(user, ch, second).status_code == 200
    assert len([m for m in server.messages() if m["to"] == address]) == 3


def refused_for(server, reason):
    """Whether a send.refused audit row names reason (written in a transaction of its own after
    the answer: waits up to 5 s)."""
    deadline = time.monotonic() + 5
    while True:
        rows = [r["details"] for r in db_query(server, "SELECT details FROM audit_events WHERE type = 'send.refused'")]
        if any(f'"reason":"{reason}"' in d for d in rows):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def test_one_address_is_capped(server):
    app = server.make_app(send_policy={"per_email_per_hour": 1})
    a, b = User(server, app), User(server, app)
    assert a.post("/v1/factors", json={"type": "email", "email": "shared@example.com"}).status_code == 201
    r = b.post("/v1/factors", json={"type": "email", "email": "Shared@Example.com"})
    assert_error(r, 429, "SEND_LIMIT_REACHED")
    assert b.get("/v1/factors").json()["factors"] == []  # nothing half-written
    assert b.post("/v1/factors", json={"type": "email", "email": "other@example.com"}).status_code == 201
    assert refused_for(server, "email")
    assert len(mails_to(server, "shared@example.com")) == 1


def test_the_per_address_server_default_applies(start_server):
    srv = start_server(args=["--sends-per-email-per-hour", "1"])
    app = srv.make_app()
    assert User(srv, app).post("/v1/factors", json={"type": "email", "email": "one@example.com"}).status_code == 201
    assert_error(User(srv, app).post("/v1/factors", json={"type": "email", "email": "one@example.com"}), 429,
                 "SEND_LIMIT_REACHED")


def test_the_user_and_application_caps_count_email_codes(server):
    app = server.make_app(send_policy={"per_app_per_hour": 2})
    assert User(server, app).post("/v1/factors", json={"type": "email"}).status_code == 201
    assert User(server, app).post("/v1/factors", json={"type": "sms", "phone": "+447700900901"}).status_code == 201
    assert_error(User(server, app).post("/v1/factors", json={"type": "email"}), 429, "SEND_LIMIT_REACHED")
    app = server.make_app(send_policy={"per_user_per_hour": 1})
    user = User(server, app)
    assert user.post("/v1/factors", json={"type": "email"}).status_code == 201
    assert_error(user.post("/v1/factors", json={"type": "email", "email": "second@example.com"}), 429,
                 "SEND_LIMIT_REACHED")
    assert refused_for(server, "application") and refused_for(server, "user")


def test_allowed_countries_do_not_apply_to_email(server):
    app = server.make_app(send_policy={"allowed_countries": ["DE"]})
    assert User(server, app).post("/v1/factors", json={"type": "email"}).status_code == 201


def test_send_policy_takes_the_email_cap(server):
    bad = server.post("/v1/admin/apps", admin=True, json={"name": "x", "send_policy": {"per_email_per_hour": -1}})
    assert_error(bad, 400, "INVALID_FIELD", "send_policy")
    app = server.make_app(send_policy={"per_email_per_hour": 3})
    assert app["send_policy"] == {"per_email_per_hour": 3}


# ---- dynamic linking ----

def test_the_email_shows_amount_and_payee_and_the_code_is_bound_to_them(server):
    user, f = email_user(server)
    t = tx(123456)
    ch = challenge(user, "transaction", transaction=t)
    m = mails_to(server, f["email"], 2)[-1]
    assert m["subject"] == "Acme Pay: confirm paying \u20ac1,234.56 to \"Jane's Shop\""
    assert m["text"].startswith("Acme Pay: to pay \u20ac1,234.56 to \"Jane's Shop\", your code is ")
    text, html = assert_safe_multipart(parse(m["mime"]), subject=m["subject"])
    assert "\u20ac1,234.56" in text and "Jane's Shop" in text
    assert "\u20ac1,234.56" in html and "Jane&#39;s Shop" in html and "Jane's Shop" not in html
    code = code_of(m)
    for changed in (tx(123457), tx(123456, "GBP"), tx(123456, payee={"name": "Jane's Shop", "account": "DE00"}),
                    tx(123456, payee={"name": "Mallory", "account": JANE["account"]})):
        assert_error(verify(user, ch, code, transaction=changed), 403, "VERIFICATION_CODE_INVALID")
    r = verify(user, ch, code, transaction=t)
    assert r.status_code == 200, r.text
    assert r.json()["authorization"]["transaction_hash"] == ch["transaction"]["transaction_hash"]


def test_a_code_of_one_transaction_does_not_authorise_another(server):
    user, f = email_user(server)
    first = challenge(user, "transaction", transaction=tx(5000))
    code_first = code_of(mails_to(server, f["email"], 2)[-1])
    user.relogin()
    second = challenge(user, "transaction", transaction=tx(990000, payee={"name": "Mallory", "account": "GB29NWBK"}))
    m = mails_to(server, f["email"], 3)[-1]
    assert "\u20ac9,900.00" in m["subject"] and "Mallory" in m["subject"]
    if code_first != code_of(m):
        assert_error(verify(user, second, code_first), 403, "VERIFICATION_CODE_INVALID")
    assert verify(user, second, code_of(m)).status_code == 200
    assert first["challenge_id"] != second["challenge_id"]


def test_payee_names_with_html_are_escaped_and_misleading_ones_refused(server):
    user, f = email_user(server)
    ch = challenge(user, "transaction", transaction=tx(100, payee={"name": "Tom & Jerry <b>Shop</b>", "account": "DE89"}))
    m = mails_to(server, f["email"], 2)[-1]
    _, html = assert_safe_multipart(parse(m["mime"]))
    assert "Tom &amp; Jerry &lt;b&gt;Shop&lt;/b&gt;" in html and "<b>Shop" not in html
    assert ch["transaction"]["payee"]["name"] == "Tom & Jerry <b>Shop</b>"
    for name in ("Jane\r\nBcc: eve@evil.example", "Jane\u202eShop", "Jane\u200bShop", "Jane\u2028Shop"):
        r = user.post("/v1/challenges", json={"purpose": "transaction",
                                              "transaction": tx(100, payee={"name": name, "account": "DE89"})})
        assert_error(r, 400, "INVALID_FIELD", "transaction.payee.name")


# ---- delivery providers ----

def test_codes_go_through_smtp_as_multipart_email(start_server):
    sink = Sink()
    port = free_port()
    ctl = Controller(sink, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        srv = start_server(args=["--smtp-url", f"smtp://127.0.0.1:{port}", "--smtp-from", "codes@twofold.test"])
        user = User(srv, srv.make_app(name="Acme Pay"))
        f = user.post("/v1/factors", json={"type": "email", "email": "smtp-user@example.com"}).json()
        deadline = time.monotonic() + 10
        while not sink.messages and time.monotonic() < deadline:
            time.sleep(0.05)
        [env] = sink.messages
        assert env.mail_from == "codes@twofold.test" and env.rcpt_tos == ["smtp-user@example.com"]
        msg = email.message_from_bytes(env.content, policy=email.policy.default)
        text, html = assert_safe_multipart(msg, subject="Acme Pay: your verification code")
        assert addr(msg, "From") == "codes@twofold.test" and addr(msg, "To") == "smtp-user@example.com"
        code = CODE_RE.search(text).group(1)
        assert code in html
        assert srv.messages() == []  # nothing went to the development log
        assert user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": code}).status_code == 200
    finally:
        ctl.stop()


def test_codes_go_through_the_webhook_with_their_html(start_server):
    import json
    rec = Recorder()
    try:
        srv = start_server(args=["--delivery", "webhook", "--webhook-url", f"http://127.0.0.1:{rec.port}/messages"],
                           env={"TWOFOLD_WEBHOOK_SECRET": "whsec_email"})
        user = User(srv, srv.make_app(name="Acme Pay"))
        f = user.post("/v1/factors", json={"type": "email"}).json()
        [(headers, body)] = rec.wait(1)
        m = json.loads(body)
        assert headers["Twofold-Signature"].startswith("v1=")
        assert m["channel"] == "email" and m["to"] == user.user["email"]
        assert m["subject"] == "Acme Pay: your verification code"
        assert code_of(m) in m["html"] and "mime" not in m
        assert user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": code_of(m)}).status_code == 200
    finally:
        rec.close()


# ---- the vendor faces have no email factor ----

def test_wepay_neither_lists_nor_picks_an_email_factor(server):
    app = partner_app(server, sandbox=True)
    m = Member(server, app)
    native = m.token.split(".", 1)[1]
    f = server.post("/v1/factors", api_key=app["api_key"], token=native, json={"type": "email"}).json()
    r = server.post(f"/v1/factors/{f['factor_id']}/verify", api_key=app["api_key"], token=native, json={"code": "123456"})
    assert r.status_code == 200, r.text
    [native_f] = server.get("/v1/factors", api_key=app["api_key"], token=native).json()["factors"]
    assert native_f["type"] == "email" and native_f["preferred"]  # the user's default, natively
    assert m.ok("user/mfa/find")["mfa"] == []
    r = m("user/mfa/send_default_challenge")
    assert r.status_code == 400 and "email" not in r.text


def test_weavr_neither_lists_nor_picks_an_email_factor(server):
    app = server.make_app(name="Acme Pay", sandbox=True)
    u = server.make_user(app, mobile="+447700900501")
    w = Weavr(server, app)
    assert w.login(u["email"]).status_code == 200
    f = server.post("/v1/factors", api_key=app["api_key"], token=w.token, json={"type": "email"}).json()
    r = server.post(f"/v1/factors/{f['factor_id']}/verify", api_key=app["api_key"], token=w.token,
                    json={"code": "123456"})
    assert r.status_code == 200, r.text
    assert "factors" not in w.call("GET", "/authentication_factors").json()
    r = w.call("POST", "/stepup/challenges/otp/SMS")  # Weavr's only code channel: the email factor is not it
    assert r.status_code == 409 and "CHANNEL_NOT_REGISTERED" in r.text
    assert [m for m in server.messages() if m["channel"] == "email"] == []  # sandbox: and nothing was sent
