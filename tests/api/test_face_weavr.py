"""The Weavr Multi face under /multi (issue 8), written from ../shared/reference/seed-apis.md
section 3 and its section 4 checklist, not from the native tests. Every answer is validated
against Weavr's own published OpenAPI document (weavr_openapi.py)."""
import base64
import re
import time
from pathlib import Path

import pytest

from factor_helpers import sms_codes
from harness import DEFAULT_PASSWORD, db_query
from weavr_openapi import check

MOBILE = "+447700900500"


def weavr_id(native):
    """Weavr's ids are numbers: twofold shows an id's 128 random bits as one (docs/faces.md)."""
    return str(int.from_bytes(base64.b32decode(native.split("_", 1)[1].upper() + "======"), "big"))


class Weavr:
    """A Weavr client: api-key, Bearer token, every answer checked against Weavr's document."""

    def __init__(self, server, app):
        self.server, self.app, self.token = server, app, None

    def call(self, method, path, json=None, headers=None, token=True):
        h = dict(headers or {})
        r = self.server.request(method, "/multi" + path, api_key=self.app["api_key"],
                                token=self.token if token and self.token else None, json=json, headers=h)
        check(r, method, "/multi" + path)
        return r

    def login(self, email, password=DEFAULT_PASSWORD):
        r = self.call("POST", "/login_with_password", {"email": email, "password": {"value": password}}, token=False)
        if r.status_code == 200:
            self.token = r.json()["token"]
        return r


def weavr_user(server, mobile=MOBILE, sandbox=False):
    app = server.make_app(name="Acme Pay", sandbox=sandbox)
    u = server.make_user(app, mobile=mobile)
    w = Weavr(server, app)
    assert w.login(u["email"]).status_code == 200
    return w, u


def enrol_sms(w, sandbox=False):
    assert w.call("POST", "/authentication_factors/otp/SMS").status_code == 204
    code = "123456" if sandbox else sms_codes(w.server, MOBILE)[-1]
    assert w.call("POST", "/authentication_factors/otp/SMS/verify", {"verificationCode": code}).status_code == 204


def test_login_answers_token_identity_and_credentials(server):
    app = server.make_app()
    u = server.make_user(app)
    w = Weavr(server, app)
    r = w.login(u["email"])
    assert r.status_code == 200
    body = r.json()
    assert body["tokenType"] == "AUTH" and body["identity"]["id"] == weavr_id(u["user_id"])
    assert body["credentials"]["type"] == "ROOT"
    assert w.call("GET", "/authentication_factors").status_code == 200
    assert w.call("POST", "/logout").status_code == 204
    assert w.call("GET", "/authentication_factors").status_code == 401  # logged out: 401, no body


def test_wrong_credentials_then_a_30_minute_lock(server):
    app = server.make_app()
    u = server.make_user(app)
    w = Weavr(server, app)
    for _ in range(4):
        r = w.login(u["email"], "wrong password!")
        assert r.status_code == 403 and r.content == b""
    assert w.login(u["email"], "wrong password!").status_code == 423
    assert w.login(u["email"]).status_code == 423  # the right password too, until the window ends


def test_the_token_ends_after_five_minutes_without_activity(server):
    w, u = weavr_user(server)
    from harness import db_execute
    # five minutes and one second of inactivity, as the database records it
    db_execute(server, "UPDATE sessions SET last_seen_at = last_seen_at - 301000, created_at = created_at - 301000")
    assert w.call("GET", "/authentication_factors").status_code == 401


def test_headers_and_error_shapes(server):
    w, u = weavr_user(server)
    r = server.request("GET", "/multi/authentication_factors", api_key="tfk_unknown", token=w.token)
    assert r.status_code == 401 and r.content == b"" and r.headers["request-ref"]
    r = server.request("GET", "/multi/authentication_factors", api_key="", token=w.token)
    assert r.status_code == 400
    r = w.call("POST", "/authentication_factors/otp/EMAIL")
    assert r.status_code == 400
    assert r.json()["syntaxErrors"]["invalidFields"][0]["fieldName"] == "channel"
    r = server.request("GET", "/multi/no_such_thing", api_key=w.app["api_key"], token=w.token)
    assert r.status_code == 404 and set(r.json()) == {"code", "message"} and r.headers["request-ref"]


def test_factor_lifecycle_pending_then_active(server):
    w, u = weavr_user(server)
    r = w.call("GET", "/authentication_factors")
    assert r.status_code == 200 and "factors" not in r.json()  # omitted when none
    assert w.call("POST", "/authentication_factors/otp/SMS").status_code == 204
    assert w.call("GET", "/authentication_factors").json()["factors"] == [
        {"type": "OTP", "channel": "SMS", "status": "PENDING_VERIFICATION"}]
    r = w.call("POST", "/authentication_factors/otp/SMS/verify", {"verificationCode": "12345"})
    assert r.status_code == 400 and "size must be between 6 and 6" in r.json()["message"]
    r = w.call("POST", "/authentication_factors/otp/SMS/verify", {"verificationCode": "12345a"})
    assert r.status_code == 400
    code = sms_codes(server, MOBILE)[-1]
    assert w.call("POST", "/authentication_factors/otp/SMS/verify", {"verificationCode": code}).status_code == 204
    assert w.call("GET", "/authentication_factors").json()["factors"][0]["status"] == "ACTIVE"
    r = w.call("POST", "/authentication_factors/otp/SMS/verify", {"verificationCode": code})
    assert r.status_code == 409 and r.json() == {"errorCode": "CHANNEL_ALREADY_REGISTERED"}
    r = w.call("POST", "/authentication_factors/otp/SMS")
    assert r.status_code == 409 and r.json() == {"errorCode": "CHANNEL_ALREADY_REGISTERED"}


def test_no_mobile_number(server):
    app = server.make_app()
    u = server.make_user(app)
    w = Weavr(server, app)
    w.login(u["email"])
    r = w.call("POST", "/authentication_factors/otp/SMS")
    assert r.status_code == 409 and r.json() == {"errorCode": "MOBILE_NUMBER_NOT_AVAILABLE"}


def test_stepup_sms_15_second_rule_third_issue_and_newest_code(server):
    w, u = weavr_user(server, sandbox=False)
    enrol_sms(w)
    w.login(u["email"])  # a fresh token
    assert w.call("POST", "/stepup/challenges/otp/SMS").status_code == 204
    r = w.call("POST", "/stepup/challenges/otp/SMS")
    assert r.status_code == 409 and r.json() == {"errorCode": "RETRY_IN_15SEC"}
    first = sms_codes(server, MOBILE, count=2)[-1]
    time.sleep(15.1)
    assert w.call("POST", "/stepup/challenges/otp/SMS").status_code == 204
    second = sms_codes(server, MOBILE, count=3)[-1]
    time.sleep(15.1)
    assert w.call("POST", "/stepup/challenges/otp/SMS").status_code == 400  # a third issue on one token
    if first != second:  # only the newest code works
        r = w.call("POST", "/stepup/challenges/otp/SMS/verify", {"verificationCode": first})
        assert r.status_code == 409 and r.json()["errorCode"] == "VERIFICATION_CODE_INVALID"
    assert w.call("POST", "/stepup/challenges/otp/SMS/verify", {"verificationCode": second}).status_code == 204
    r = w.call("POST", "/stepup/challenges/otp/SMS/verify", {"verificationCode": second})
    assert r.status_code == 409 and r.json() == {"errorCode": "ALREADY_VERIFIED"}
    w.login(u["email"])  # a new login gives a fresh allowance
    assert w.call("POST", "/stepup/challenges/otp/SMS").status_code == 204


def test_stepup_attempt_limit_codes(server):
    w, u = weavr_user(server, sandbox=True)
    enrol_sms(w, sandbox=True)
    w.login(u["email"])
    assert w.call("POST", "/stepup/challenges/otp/SMS").status_code == 204
    seen = [w.call("POST", "/stepup/challenges/otp/SMS/verify", {"verificationCode": "000000"}).json()["errorCode"]
            for _ in range(5)]
    assert seen == ["VERIFICATION_CODE_INVALID"] * 3 + ["ONE_CHALLENGE_LIMIT_REMAINING", "CHALLENGE_LIMIT_EXCEEDED"]
    r = w.call("POST", "/stepup/challenges/otp/SMS/verify", {"verificationCode": "123456"})
    assert r.status_code == 409 and r.json() == {"errorCode": "STATE_INVALID"}  # even the right code


def test_right_code_on_the_last_attempt_steps_up(server):
    w, u = weavr_user(server, sandbox=True)
    enrol_sms(w, sandbox=True)
    w.login(u["email"])
    w.call("POST", "/stepup/challenges/otp/SMS")
    for _ in range(4):
        w.call("POST", "/stepup/challenges/otp/SMS/verify", {"verificationCode": "000000"})
    assert w.call("POST", "/stepup/challenges/otp/SMS/verify", {"verificationCode": "123456"}).status_code == 204
    # a stepped-up token unlocks what needs step-up (here: removing a push device is allowed to
    # run and finds none)
    r = w.call("DELETE", "/authentication_factors/push/AUTHY")
    assert r.status_code == 409 and r.json() == {"errorCode": "CHANNEL_NOT_REGISTERED"}


def test_stepup_needs_a_registered_channel(server):
    w, u = weavr_user(server)
    r = w.call("POST", "/stepup/challenges/otp/SMS")
    assert r.status_code == 409 and r.json() == {"errorCode": "CHANNEL_NOT_REGISTERED"}
    r = w.call("POST", "/stepup/challenges/otp/AUTHY")
    assert r.status_code == 400 and r.json()["syntaxErrors"]["invalidFields"][0]["error"] == "NOT_IN"
    r = w.call("POST", "/stepup/challenges/push/AUTHY")
    assert r.status_code == 409 and r.json() == {"errorCode": "CHANNEL_NOT_REGISTERED"}


def test_push_enrolment_accepts_authy_only_and_delete_takes_both(server):
    from test_push import Device
    w, u = weavr_user(server, sandbox=True)
    r = w.call("POST", "/authentication_factors/push/BIOMETRIC")
    assert r.status_code == 400
    r = w.call("POST", "/authentication_factors/push/AUTHY")
    assert r.status_code == 409 and r.json() == {"errorCode": "CHANNEL_NOT_READY"}  # no device key given
    device = Device()
    r = w.call("POST", "/authentication_factors/push/AUTHY", {"publicKey": device.public_key, "pushAddress": "authy-1"})
    assert r.status_code == 204
    assert {"type": "PUSH", "channel": "AUTHY", "status": "PENDING_VERIFICATION"} in \
        w.call("GET", "/authentication_factors").json()["factors"]
    r = w.call("DELETE", "/authentication_factors/push/BIOMETRIC")
    assert r.status_code == 409 and r.json() == {"errorCode": "CHANNEL_NOT_REGISTERED"}


def test_transaction_sca_does_not_step_up_the_token(server):
    w, u = weavr_user(server, sandbox=True)
    enrol_sms(w, sandbox=True)
    w.login(u["email"])
    payment = {"amount": 50000, "currency": "EUR", "payee": {"name": "Landlord", "account": "GB33BUKB20201555555555"},
               "external_reference": "rent-march"}
    r = server.post("/v1/transactions", api_key=w.app["api_key"], token=w.token, json=payment)
    assert r.status_code == 201, r.text
    send = r.json()
    assert send["state"] == "PENDING_CHALLENGE"
    r = w.call("POST", "/challenges/otp/SMS", {"resourceType": "sends", "resourceIds": [weavr_id(send["transaction_id"])]})
    assert r.status_code == 200
    sca = r.json()["scaChallengeId"]
    assert sca.isdigit()
    r = w.call("POST", "/challenges/otp/SMS", {"resourceType": "sends", "resourceIds": [send["transaction_id"], "x"]})
    assert r.status_code == 409 and r.json() == {"errorCode": "STATE_INVALID"}
    r = w.call("POST", f"/challenges/{sca}/otp/SMS/verify", {"verificationCode": "000000", "resourceType": "sends"})
    assert r.status_code == 409 and r.json() == {"errorCode": "VERIFICATION_CODE_INVALID"}
    r = w.call("POST", f"/challenges/{sca}/otp/SMS/verify", {"verificationCode": "123456", "resourceType": "sends"})
    assert r.status_code == 204
    got = server.get(f"/v1/transactions/{send['transaction_id']}", api_key=w.app["api_key"], token=w.token).json()
    assert got["state"] == "APPROVED"
    # the token is not stepped up by a transaction's SCA
    r = server.post("/v1/authorize", api_key=w.app["api_key"], token=w.token,
                    json={"user_id": u["user_id"], "operation": "change_bank_account"})
    assert r.json()["reason"] == "STEP_UP_REQUIRED"
    r = w.call("POST", "/challenges/otp/SMS", {"resourceType": "sends", "resourceIds": [send["transaction_id"]]})
    assert r.status_code == 409 and r.json() == {"errorCode": "STATE_INVALID"}  # not pending any more
    r = w.call("POST", "/challenges/chl_nosuchthing/otp/SMS/verify", {"verificationCode": "123456"})
    assert r.status_code == 404


def test_an_exempt_payment_is_initialised_without_challenge(server):
    w, u = weavr_user(server, sandbox=True)
    small = {"amount": 1500, "currency": "EUR", "payee": {"name": "Cafe", "account": "DE89370400440532013000"}}
    r = server.post("/v1/transactions", api_key=w.app["api_key"], token=w.token, json=small)
    assert r.status_code == 201 and r.json()["state"] == "INITIALISED" and r.json()["exemption"] == "low_value"


def test_idempotency_ref_on_the_face(server):
    w, u = weavr_user(server)
    h = {"idempotency-ref": "weavr-enrol-1"}
    a = w.call("POST", "/authentication_factors/otp/SMS", headers=h)
    b = w.call("POST", "/authentication_factors/otp/SMS", headers=h)
    assert a.status_code == b.status_code == 204
    assert len(sms_codes(server, MOBILE)) == 1  # acted once


def test_no_answer_has_the_native_error_shape(server):
    w, u = weavr_user(server)
    for method, path, body in [("POST", "/authentication_factors/otp/SMS/verify", {"verificationCode": "1"}),
                               ("POST", "/stepup/challenges/otp/SMS", None),
                               ("POST", "/login_with_password", {"email": "x"}),
                               ("GET", "/nothing/here", None)]:
        r = server.request(method, "/multi" + path, api_key=w.app["api_key"], token=w.token, json=body)
        if r.content:
            assert not isinstance(r.json().get("error"), dict), (path, r.text)


def test_an_expired_stepup_code_is_verification_code_expired(server):
    w, u = weavr_user(server, sandbox=True)
    enrol_sms(w, sandbox=True)
    w.login(u["email"])
    assert w.call("POST", "/stepup/challenges/otp/SMS").status_code == 204
    from harness import db_execute
    # five minutes have passed, as the database records it
    db_execute(server, "UPDATE challenges SET expires_at = expires_at - 300001 WHERE purpose = 'stepup'")
    r = w.call("POST", "/stepup/challenges/otp/SMS/verify", {"verificationCode": "123456"})
    assert r.status_code == 409 and r.json() == {"errorCode": "VERIFICATION_CODE_EXPIRED"}


def test_another_users_idempotency_ref_is_refused_and_sends_nothing(server):
    app = server.make_app(name="Acme Pay")
    clients = []
    for mobile in (MOBILE, "+447700900501"):
        u = server.make_user(app, mobile=mobile)
        w = Weavr(server, app)
        assert w.login(u["email"]).status_code == 200
        clients.append(w)
    h = {"idempotency-ref": "weavr-shared"}
    assert clients[0].call("POST", "/authentication_factors/otp/SMS", headers=h).status_code == 204
    r = clients[1].call("POST", "/authentication_factors/otp/SMS", headers=h)
    assert r.status_code == 400 and "idempotency-ref" in r.json()["message"]
    assert len(sms_codes(server, MOBILE)) == 1
    # B's own enrolment sends B's first and only SMS: the refused request queued none before it
    assert clients[1].call("POST", "/authentication_factors/otp/SMS").status_code == 204
    assert len(sms_codes(server, "+447700900501")) == 1


def test_the_lock_holds_whatever_the_letter_case_of_the_email(server):
    app = server.make_app()
    server.make_user(app, email="wv@example.com")
    w = Weavr(server, app)
    for i in range(4):
        assert w.login(["wv@example.com", "WV@example.com", "Wv@Example.COM", "wv@EXAMPLE.com"][i],
                       "wrong password!").status_code == 403
    assert w.login("wV@example.com", "wrong password!").status_code == 423
    for email in ("WV@example.com", "wv@example.com", "WV@EXAMPLE.COM"):
        assert w.login(email).status_code == 423  # locked, the right password too


def test_concurrent_sign_ins_hash_at_most_five_guesses(start_server):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import requests

    srv = start_server(fast_argon2=False, args=["--argon2-memlimit-kib", "32768", "--argon2-opslimit", "2",
                                                "--login-failures-per-user", "1000"])
    app = srv.make_app()
    srv.make_user(app, email="race@example.com")
    passwords = ["wrong password %d" % i for i in range(24)] + [DEFAULT_PASSWORD]
    gate = threading.Barrier(len(passwords))

    def one(i):
        gate.wait(timeout=60)
        return requests.post(srv.base_url + "/multi/login_with_password", headers={"api-key": app["api_key"]},
                             json={"email": "race@example.com", "password": {"value": passwords[i]}}, timeout=120)

    with ThreadPoolExecutor(max_workers=len(passwords)) as pool:
        answers = list(pool.map(one, range(len(passwords))))
    for r in answers:  # after the race: the first check loads Weavr's document, once
        check(r, "POST", "/multi/login_with_password")
    statuses = [r.status_code for r in answers]
    # a wrong password checked once the window holds five attempts answers 423 as the lock does
    assert set(statuses) <= {200, 403, 423}, statuses
    assert statuses.count(403) + statuses.count(200) <= 5, statuses
    # each password checked and found wrong is one login.failed row in the audit log: five at most
    hashed_failures = db_query(srv, "SELECT COUNT(*) AS n FROM audit_events WHERE type = 'login.failed'")[0]["n"]
    assert 1 <= hashed_failures + statuses.count(200) <= 5, (hashed_failures, statuses)


def served_routes():
    """Every /multi route twofold serves, read from its route table (src/routes.c)."""
    table = (Path(__file__).resolve().parents[2] / "src" / "routes.c").read_text()
    rows = re.findall(r'WV\("(\w+)", "(/multi/[^"]*)"', table)
    assert len(rows) >= 13, rows
    return rows


def concrete(path):
    return path.replace("{channel}", "SMS").replace("{id}", "1")


def test_every_route_answers_each_status_with_the_body_weavr_declares(server):
    """For every /multi route twofold serves: no token, an unknown api-key, a token that was
    logged out, a body that is not JSON, and a method the route does not take. check() holds
    each answer to Weavr's document: the declared body, or no body and no Content-Type (a
    client that parses by content type must not be promised JSON it does not get)."""
    w, u = weavr_user(server)
    ended = Weavr(server, w.app)
    assert ended.login(u["email"]).status_code == 200
    assert ended.call("POST", "/logout").status_code == 204
    routes = served_routes()
    paths = {concrete(p) for _, p in routes}
    for method, template in routes:
        path = concrete(template)
        signs_in = template.endswith("/login_with_password")
        r = server.request(method, path, api_key="tfk_unknown", token=None if signs_in else w.token, json={})
        check(r, method, path)
        assert r.status_code == 401, (method, path, r.status_code, r.text)
        if not signs_in:
            r = server.request(method, path, api_key=w.app["api_key"], json={})
            check(r, method, path)
            assert r.status_code == 401, (method, path, r.status_code)
            r = ended.call(method, path[len("/multi"):], {})
            assert r.status_code == 401, (method, path, r.status_code)
        if method == "POST":
            r = server.request(method, path, api_key=w.app["api_key"], token=w.token,
                               data=b"{not json", headers={"Content-Type": "application/json"})
            check(r, method, path)
            assert r.status_code == 400, (method, path, r.status_code, r.text)
    for path in sorted(paths):
        r = server.request("PUT", path, api_key=w.app["api_key"], token=w.token, json={})
        check(r, "PUT", path)


def test_a_sign_in_refused_for_its_password_has_no_body_and_no_type(server):
    app = server.make_app()
    u = server.make_user(app)
    r = Weavr(server, app).login(u["email"], "not the password")
    assert r.status_code == 403 and r.content == b"" and "Content-Type" not in r.headers


def test_a_tokenised_password_is_refused_with_a_clear_error(server):
    """Weavr's reference app sends the token its secure UI component made of the password;
    twofold takes the password itself (docs/faces.md), and says so rather than 403."""
    app = server.make_app()
    u = server.make_user(app)
    w = Weavr(server, app)
    token = base64.urlsafe_b64encode(bytes(range(32))).decode().rstrip("=")  # 43 characters
    r = w.login(u["email"], token)
    assert r.status_code == 400, r.text
    body = r.json()
    assert "secure UI components" in body["message"] and "password" in body["message"]
    assert body["syntaxErrors"]["invalidFields"][0]["fieldName"] == "password.value"
    # it was a failed sign-in all the same: it counts towards the lock
    for _ in range(3):
        assert w.login(u["email"], "wrong password!").status_code == 403
    assert w.login(u["email"], token).status_code == 423
    # a long password that is the user's own still signs in (twofold allows more than Weavr's 30)
    long_one = "A" * 20 + "b" * 20 + "0123456789"
    other = server.make_user(app, password=long_one)
    assert Weavr(server, app).login(other["email"], long_one).status_code == 200
    # and one that is wrong but does not look like a token is the plain 403
    assert Weavr(server, app).login(other["email"], "short wrong").status_code == 403


def test_concurrent_sign_ins_with_one_ref_act_once_in_weavrs_words(server):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    app = server.make_app()
    u = server.make_user(app)
    gate = threading.Barrier(10)

    def one(_):
        gate.wait(timeout=30)
        return server.request("POST", "/multi/login_with_password", api_key=app["api_key"],
                              json={"email": u["email"], "password": {"value": DEFAULT_PASSWORD}},
                              headers={"idempotency-ref": "sign-in-1"}, timeout=60)

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(one, range(10)))
    tokens = {r.json()["token"] for r in answers if r.status_code == 200}
    assert len(tokens) == 1, [r.text for r in answers]  # one sign-in, its answer replayed
    for r in answers:
        if r.status_code != 200:  # the one still being carried out: Weavr's own name for it
            assert r.status_code == 409 and r.json() == {"errorCode": "IDEMPOTENT_REQUEST_IN_PROGRESS"}, r.text


def test_a_code_for_a_backup_code_challenge_is_checked_before_the_face_answers(server):
    """A payment's challenge on a backup-code factor (started on /v1), answered through Weavr's
    verify with six digits: backup codes are checked with Argon2id on the slow pool, and the
    face must wait for that verdict. A wrong code is VERIFICATION_CODE_INVALID, never a 204,
    and the payment stays unapproved."""
    w, u = weavr_user(server, sandbox=True)
    enrol_sms(w, sandbox=True)
    assert w.call("POST", "/stepup/challenges/otp/SMS").status_code == 204
    assert w.call("POST", "/stepup/challenges/otp/SMS/verify", {"verificationCode": "123456"}).status_code == 204
    r = server.post("/v1/factors", api_key=w.app["api_key"], token=w.token, json={"type": "backup_codes"})
    assert r.status_code == 201, r.text
    backup = r.json()
    r = server.post(f"/v1/factors/{backup['factor_id']}/verify", api_key=w.app["api_key"], token=w.token,
                    json={"code": backup["backup_codes"][0]})
    assert r.status_code == 200, r.text
    payment = {"amount": 50000, "currency": "EUR", "payee": {"name": "Landlord", "account": "GB33BUKB20201555555555"}}
    r = server.post("/v1/transactions", api_key=w.app["api_key"], token=w.token, json=payment)
    assert r.status_code == 201, r.text
    send = r.json()
    r = server.post("/v1/challenges", api_key=w.app["api_key"], token=w.token,
                    json={"purpose": "transaction", "factor_id": backup["factor_id"],
                          "transaction_id": send["transaction_id"]})
    assert r.status_code == 201, r.text
    sca = weavr_id(r.json()["challenge_id"])
    for code in ("000000", "654321"):
        r = w.call("POST", f"/challenges/{sca}/otp/SMS/verify", {"verificationCode": code, "resourceType": "sends"})
        assert r.status_code == 409 and r.json() == {"errorCode": "VERIFICATION_CODE_INVALID"}, (r.status_code, r.text)
    got = server.get(f"/v1/transactions/{send['transaction_id']}", api_key=w.app["api_key"], token=w.token).json()
    assert got["state"] == "PENDING_CHALLENGE"
