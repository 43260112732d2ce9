"""Security events (docs/events.md): every audited event of an application with an events
endpoint arrives there as a security event token (RFC 8417), a JWT signed HS256 with the
application's events secret, pushed as RFC 8935 says, through the outbox (retried with backoff,
at least once, one jti per SET, in order per user). A local HTTP server receives them and jose
(npm, tests/api/js), a JOSE library independent of twofold, verifies each one. The endpoint's
address is checked when it is set and again when twofold connects."""
import base64
import json
import re
import socket
import subprocess
import threading
import time

import pytest

from factor_helpers import User
from harness import REPO_ROOT, assert_error, assert_not_stored, db_query
from sso_helpers import entry_query
from test_delivery_webhook import Recorder

JS = REPO_ROOT / "tests" / "api" / "js"
CAEP = "https://schemas.openid.net/secevent/caep/event-type/"
TF = "urn:twofold:secevent:event-type:"
AUDIT = "urn:twofold:secevent:audit"
SECRET = "events-secret-" + "x" * 30
HOME = "https://partner.example/home"


# ---- the receiver and the verifier ----

class Receiver(Recorder):
    """A local events endpoint: records every POST and answers it with answer(claims) ->
    (status, JSON body or None); 202 by default."""

    def __init__(self, answer=None):
        super().__init__(answer=lambda body: answer(claims_of(body.decode())) if answer else (202, None))

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/security-events"

    @property
    def posts(self):
        with self.lock:
            return [{"path": p, "headers": h, "body": b.decode(), "status": s}
                    for (h, b), p, s in zip(self.received, self.paths, self.statuses)]

    def delivered(self):
        """The bodies answered 2xx, in the order they arrived."""
        return [p["body"] for p in self.posts if 200 <= p["status"] < 300]


@pytest.fixture
def receiver():
    made = []

    def make(answer=None):
        made.append(Receiver(answer))
        return made[-1]

    yield make
    for r in made:
        r.close()


def claims_of(jwt):
    """The claims of a JWT, unverified (to route and wait on; verify() checks them)."""
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def user_of(claims):
    return claims["sub_id"].get("user", {}).get("id")


def event_of(claims):
    (uri, payload), = claims["events"].items()
    return uri, payload


def audit_name(claims):
    return event_of(claims)[1][AUDIT]["event"]


def wait_until(cond, what, timeout=20.0, show=None):
    deadline = time.monotonic() + timeout
    while True:
        got = cond()
        if got or time.monotonic() > deadline:
            assert got, f"timed out waiting for {what}" + (f": {show()}" if show else "")
            return got
        time.sleep(0.05)


@pytest.fixture(scope="session")
def jose_installed():
    if not (JS / "node_modules" / "jose").is_dir():  # make test-api installs it; a direct pytest run too
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=JS, check=True,
                       capture_output=True, timeout=300)


def verify(tokens, *, secret, issuer, audience):
    """Each token as jose sees it: {"header", "payload"} or {"error"}."""
    res = subprocess.run(["node", str(JS / "verify_sets.mjs")], cwd=JS, capture_output=True, text=True, timeout=60,
                         input=json.dumps({"secret": secret, "issuer": issuer, "audience": audience, "tokens": tokens}))
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def verified(srv, app, tokens, secret=SECRET):
    out = verify(tokens, secret=secret, issuer=srv.base_url, audience=app["app_id"])
    for t, v in zip(tokens, out):
        assert "error" not in v, (v, claims_of(t))
        assert v["header"] == {"alg": "HS256", "typ": "secevent+jwt"}
    return [v["payload"] for v in out]


def events_app(srv, rec, secret=SECRET, **kw):
    return srv.make_app(events={"url": rec.url, "secret": secret}, **kw)


def outbox_sets(srv, app_id):
    return db_query(srv, f"SELECT message_id, status, attempts, last_error FROM outbox WHERE channel = 'set' "
                         f"AND app_id = '{app_id}'")


# ---- a realistic flow, verified with jose ----

def test_a_users_flow_arrives_as_signed_caep_and_twofold_events_in_order(start_server, receiver, jose_installed):
    srv = start_server()
    rec = receiver()
    app = events_app(srv, rec, sandbox=True, redirect_uri_prefixes=["https://partner.example/"])
    assert app["events"] == {"url": rec.url, "secret_set": True}
    user = User(srv, app)
    uid = user.user["user_id"]
    session_id = db_query(srv, f"SELECT session_id FROM sessions WHERE user_id = '{uid}'")[0]["session_id"]
    # enrol a factor (sandbox: the code is 123456)
    f = user.post("/v1/factors", json={"type": "totp"}).json()
    assert user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": "123456"}).status_code == 200
    # step up, trusting the device
    ch = user.post("/v1/challenges", json={"purpose": "stepup"}).json()
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": "123456", "trust_device": True})
    assert r.status_code == 200, r.text
    device_id = r.json()["device"]["device_id"]
    # block the factor with five wrong codes
    ch = user.post("/v1/challenges", json={"purpose": "stepup"}).json()
    for _ in range(4):
        assert_error(user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": "000000"}), 403,
                     "VERIFICATION_CODE_INVALID")
    assert_error(user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": "000000"}), 409,
                 "CHALLENGE_LIMIT_EXCEEDED")
    # revoke the session
    assert user.post("/v1/logout").status_code == 200
    # sign in through the application's SSO
    r = srv.post("/v1/sso/tokens", api_key=app["api_key"], json={"user_id": uid})
    assert r.status_code == 201, r.text
    r = srv.http.get(srv.base_url + entry_query(app, r.json()["token"], srv.base_url + "/account/devices", HOME),
                     allow_redirects=False)
    assert r.status_code == 303, r.text

    # (an authenticator's challenges send nothing: no challenge.sent)
    expected = ["user.registered", "login.succeeded", "factor.added", "challenge.verified", "factor.activated",
                "challenge.verified", "device.trusted", "challenge.failed", "challenge.failed", "challenge.failed",
                "challenge.failed", "challenge.locked", "factor.blocked", "session.revoked", "sso.token_issued",
                "sso.signed_in"]
    mine = lambda: [b for b in rec.delivered() if user_of(claims_of(b)) == uid]
    tokens = wait_until(lambda: len(mine()) >= len(expected) and mine(), f"{len(expected)} SETs of the user",
                        show=lambda: [audit_name(claims_of(b)) for b in rec.delivered()])
    sets = verified(srv, app, tokens)
    assert [audit_name(s) for s in sets] == expected
    for s in sets:
        assert s["iss"] == srv.base_url and s["aud"] == app["app_id"]
        assert re.fullmatch(r"set_[a-z2-7]{26}", s["jti"])
        assert s["sub_id"]["format"] == "complex" and s["sub_id"]["user"] == {"format": "opaque", "id": uid}
        assert "exp" not in s and "sub" not in s
        assert s["txn"].startswith("req_")
        assert len(s["events"]) == 1
        uri, payload = event_of(s)
        assert payload["event_timestamp"] == s["iat"] and abs(s["iat"] - time.time()) < 120
        assert payload["initiating_entity"] in ("user", "admin", "policy", "system")
    assert len({s["jti"] for s in sets}) == len(sets)
    # every POST was RFC 8935's
    for p in rec.posts:
        assert p["path"] == "/security-events"
        assert p["headers"]["Content-Type"] == "application/secevent+jwt"

    by = lambda name, n=0: [s for s in sets if audit_name(s) == name][n]
    uri, p = event_of(by("login.succeeded"))
    assert uri == CAEP + "session-established" and p["initiating_entity"] == "user"
    assert by("login.succeeded")["sub_id"]["session"] == {"format": "opaque", "id": session_id}
    uri, p = event_of(by("factor.added"))
    assert uri == TF + "factor.added" and p[AUDIT] == {"event": "factor.added", "subject": f["factor_id"],
                                                       "details": {"type": "totp"}}
    assert event_of(by("challenge.verified", 0))[0] == TF + "challenge.verified"  # an enrolment's
    uri, p = event_of(by("factor.activated"))
    assert uri == CAEP + "credential-change"
    assert (p["credential_type"], p["change_type"], p["initiating_entity"]) == ("app", "create", "user")
    uri, p = event_of(by("challenge.verified", 1))  # the step-up's
    assert uri == CAEP + "assurance-level-change"
    assert (p["namespace"], p["previous_level"], p["current_level"], p["change_direction"]) == \
        ("NIST-AAL", "nist-aal1", "nist-aal2", "increase")
    assert by("challenge.verified", 1)["sub_id"]["session"]["id"] == session_id
    uri, p = event_of(by("device.trusted"))
    assert uri == CAEP + "device-compliance-change"
    assert (p["previous_status"], p["current_status"]) == ("not-compliant", "compliant")
    assert by("device.trusted")["sub_id"]["device"] == {"format": "opaque", "id": device_id}
    uri, p = event_of(by("challenge.locked"))
    assert uri == TF + "challenge.locked" and p["initiating_entity"] == "policy"
    uri, p = event_of(by("factor.blocked"))
    assert uri == TF + "factor.blocked" and p["initiating_entity"] == "policy"
    assert p[AUDIT]["subject"] == f["factor_id"] and p[AUDIT]["details"] == {"minutes": 15}
    uri, p = event_of(by("session.revoked"))
    assert uri == CAEP + "session-revoked" and p["reason_admin"] == {"en": "logout"}
    assert by("session.revoked")["sub_id"]["session"]["id"] == session_id
    uri, p = event_of(by("sso.signed_in"))
    assert uri == CAEP + "session-established" and p["initiating_entity"] == "admin"
    assert by("sso.signed_in")["sub_id"]["session"]["id"] == p[AUDIT]["details"]["session_id"]
    # never a secret, a code or a token in a SET
    everything = json.dumps(sets)
    for secret in (user.token, app["api_key"], app["client_secret"], f["totp"]["secret"], SECRET, "123456"):
        assert secret not in everything


def test_the_application_event_comes_first_and_every_set_is_the_audit_rows(start_server, receiver, jose_installed):
    """app.created and app.settings_changed are the application's own events: no user, the
    application as the subject; the secret is write-only and sealed at rest."""
    srv = start_server()
    rec = receiver()
    app = events_app(srv, rec)
    assert SECRET not in json.dumps(app)
    assert_not_stored(srv, SECRET, "the events secret")
    r = srv.request("PATCH", f"/v1/admin/apps/{app['app_id']}", admin=True, json={"default_locale": "de-DE"})
    assert r.status_code == 200 and r.json()["events"] == {"url": rec.url, "secret_set": True}
    tokens = wait_until(lambda: len(rec.delivered()) >= 2 and rec.delivered(), "two SETs")
    created, changed = verified(srv, app, tokens)
    assert event_of(created)[0] == TF + "app.created" and event_of(changed)[0] == TF + "app.settings_changed"
    assert created["sub_id"] == {"format": "complex", "application": {"format": "opaque", "id": app["app_id"]}}
    assert event_of(changed)[1][AUDIT]["details"] == {"settings": ["default_locale"]}
    assert event_of(changed)[1]["initiating_entity"] == "admin"


# ---- delivery: retries, refusals, order ----

def test_a_failed_delivery_is_retried_with_the_same_bytes_then_not_sent_again(start_server, receiver, jose_installed):
    answers = iter([(500, None)])
    rec = receiver(lambda claims: next(answers, (202, None)))
    srv = start_server()
    app = events_app(srv, rec)
    wait_until(lambda: rec.delivered(), "the retry to be delivered")
    first, second = rec.posts[0], rec.posts[1]
    assert (first["status"], second["status"]) == (500, 202)
    assert first["body"] == second["body"]  # the same SET, the same jti, the same signature
    (s,) = verified(srv, app, [second["body"]])
    row = wait_until(lambda: [r for r in outbox_sets(srv, app["app_id"]) if r["status"] == "sent"], "the SET sent")[0]
    assert row["message_id"] == s["jti"] and row["attempts"] == 2
    metrics = srv.get("/metrics").text
    assert 'twofold_security_events_total{result="delivered"} 1' in metrics
    assert 'twofold_security_events_total{result="failed"} 1' in metrics
    # one more event: the sent one is not sent again
    r = srv.request("PATCH", f"/v1/admin/apps/{app['app_id']}", admin=True, json={"default_locale": "fr-FR"})
    assert r.status_code == 200
    wait_until(lambda: len(rec.delivered()) == 2, "the second SET")
    assert len(rec.posts) == 3


def test_an_rfc8935_refusal_fails_the_set_for_good_and_the_next_one_goes(start_server, receiver):
    answers = iter([(400, {"err": "invalid_audience", "description": "not ours"})])
    rec = receiver(lambda claims: next(answers, (202, None)))
    srv = start_server()
    app = events_app(srv, rec)
    failed = wait_until(lambda: [r for r in outbox_sets(srv, app["app_id"]) if r["status"] == "failed"], "a failed SET")
    assert failed[0]["attempts"] == 0 and "invalid_audience" in failed[0]["last_error"]
    # the next SET of the same subject (the application) is not held behind it
    assert srv.request("PATCH", f"/v1/admin/apps/{app['app_id']}", admin=True, json={"default_locale": "fr-FR"}).status_code == 200
    wait_until(lambda: rec.delivered(), "the next SET")
    assert len(rec.posts) == 2 and audit_name(claims_of(rec.delivered()[0])) == "app.settings_changed"
    assert 'twofold_security_events_total{result="gave_up"} 1' in srv.get("/metrics").text


def test_a_users_sets_wait_for_the_users_earlier_ones_while_other_users_go_on(start_server, receiver):
    """Three users sign in eight times each, at once. The receiver refuses the first user's
    SETs for a while: none of that user's later SETs arrives meanwhile, the others' all do;
    then every user's arrive in the order their sign-ins were answered."""
    held = threading.Event()
    held.set()
    blocked_user = {}

    def answer(claims):
        return (503, None) if held.is_set() and user_of(claims) == blocked_user.get("id") else (202, None)

    rec = receiver(answer)
    srv = start_server()
    app = events_app(srv, rec)
    users = [srv.make_user(app) for _ in range(3)]
    blocked_user["id"] = users[0]["user_id"]

    def sign_in_eight_times(u):
        for _ in range(8):
            r = srv.login(app, u["email"])
            assert r.status_code == 201, r.text

    threads = [threading.Thread(target=sign_in_eight_times, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    def logins(uid):
        return [c for c in map(claims_of, rec.delivered()) if user_of(c) == uid and audit_name(c) == "login.succeeded"]

    for u in users[1:]:
        wait_until(lambda u=u: len(logins(u["user_id"])) == 8, "the other users' sign-ins")
    blocked_posts = [p for p in rec.posts if user_of(claims_of(p["body"])) == blocked_user["id"]]
    assert blocked_posts and all(p["status"] == 503 for p in blocked_posts)
    # only the user's first SET (its registration) was tried: the later ones wait behind it
    assert {audit_name(claims_of(p["body"])) for p in blocked_posts} == {"user.registered"}
    held.clear()
    wait_until(lambda: len(logins(blocked_user["id"])) == 8, "the held user's sign-ins", timeout=30)
    for u in users:
        uid = u["user_id"]
        got = [c for c in map(claims_of, rec.delivered()) if user_of(c) == uid]
        assert [audit_name(c) for c in got] == ["user.registered"] + ["login.succeeded"] * 8
        # in the order the sign-ins happened: each one's session, in turn
        ids = [c["sub_id"]["session"]["id"] for c in got[1:]]
        rows = db_query(srv, f"SELECT session_id FROM sessions WHERE user_id = '{uid}' ORDER BY created_at")
        assert ids == [r["session_id"] for r in rows]
    assert len({c["jti"] for c in map(claims_of, rec.delivered())}) == len(rec.delivered())


# ---- what is sent to whom ----

def test_an_application_without_events_gets_none_and_never_anothers(start_server, receiver, jose_installed):
    srv = start_server()
    rec_a, rec_b = receiver(), receiver()
    app_a, app_b = events_app(srv, rec_a), events_app(srv, rec_b, secret="another-secret-" + "y" * 30)
    plain = srv.make_app()
    assert plain["events"] is None
    for app in (app_a, app_b, plain):
        User(srv, app)  # user.registered, login.succeeded
    wait_until(lambda: len(rec_a.delivered()) >= 3 and len(rec_b.delivered()) >= 3, "both applications' SETs")
    for rec, app, secret in ((rec_a, app_a, SECRET), (rec_b, app_b, "another-secret-" + "y" * 30)):
        sets = verified(srv, app, rec.delivered(), secret=secret)
        assert {s["aud"] for s in sets} == {app["app_id"]}
        users = {user_of(s) for s in sets} - {None}
        rows = db_query(srv, f"SELECT user_id FROM users WHERE app_id = '{app['app_id']}'")
        assert users == {r["user_id"] for r in rows}
    # the other application's secret does not verify them
    bad = verify(rec_a.delivered(), secret="another-secret-" + "y" * 30, issuer=srv.base_url, audience=app_a["app_id"])
    assert all("error" in v for v in bad)
    assert outbox_sets(srv, plain["app_id"]) == []


def test_an_event_audited_off_the_request_is_sent_too(start_server, receiver, jose_installed):
    # a refused device cookie is audited by the slow pool after the answer (validation never
    # writes): its SET still comes, for the application whose request it was
    srv = start_server()
    rec = receiver()
    app = events_app(srv, rec)
    user = User(srv, app)
    r = srv.post("/v1/devices/validate", api_key=app["api_key"],
                 json={"user_id": user.user["user_id"], "cookie": "tfd1.not.a-cookie"})
    assert r.status_code == 200 and r.json()["trusted"] is False, r.text
    got = wait_until(lambda: [c for c in verified(srv, app, rec.delivered()) if audit_name(c) == "device.validated_false"],
                     "the SET of the refused cookie")
    assert user_of(got[0]) == user.user["user_id"]


def test_removing_the_endpoint_stops_the_sets_and_a_new_secret_signs_the_next(start_server, receiver, jose_installed):
    srv = start_server()
    rec = receiver()
    app = events_app(srv, rec)
    wait_until(lambda: rec.delivered(), "app.created")
    new_secret = "rotated-secret-" + "z" * 30
    r = srv.request("PATCH", f"/v1/admin/apps/{app['app_id']}", admin=True,
                    json={"events": {"url": rec.url, "secret": new_secret}})
    assert r.status_code == 200, r.text
    token = wait_until(lambda: len(rec.delivered()) >= 2 and rec.delivered()[1], "app.settings_changed")
    (s,) = verified(srv, app, [token], secret=new_secret)
    assert event_of(s)[1][AUDIT]["details"] == {"settings": ["events"]}
    r = srv.request("PATCH", f"/v1/admin/apps/{app['app_id']}", admin=True, json={"events": None})
    assert r.status_code == 200 and r.json()["events"] is None
    User(srv, app)
    before = len(outbox_sets(srv, app["app_id"]))
    User(srv, app)
    assert len(outbox_sets(srv, app["app_id"])) == before == 2  # none made without an endpoint


# ---- where twofold may connect ----

PRIVATE_URLS = ["http://127.0.0.1:9/e", "https://127.0.0.1/e", "https://127.1/e", "https://2130706433/e",
                "https://localhost/e", "https://events.localhost/e", "https://[::1]/e", "https://[fd00::1]/e",
                "https://10.0.0.8/e", "https://169.254.169.254/latest", "https://100.64.0.1/e", "https://0.0.0.0/e",
                "https://[::ffff:192.168.0.1]/e"]


def test_private_and_loopback_urls_are_refused_when_set(start_server):
    srv = start_server(args=["--events-allow-private-urls", "off"])
    for url in PRIVATE_URLS + ["ftp://partner.example/e", "https://user:pw@partner.example/e", "https://partner.example/#f"]:
        r = srv.post("/v1/admin/apps", admin=True, json={"name": "Acme", "events": {"url": url, "secret": SECRET}})
        assert_error(r, 400, "INVALID_FIELD", field="events.url")
    app = srv.make_app()
    for body, code, field in (({"url": "https://partner.example/e", "secret": "short"}, "INVALID_FIELD", "events.secret"),
                              ({"url": "https://partner.example/e", "secret": "with space " + "s" * 30}, "INVALID_FIELD", "events.secret"),
                              ({"url": "https://partner.example/e", "secret": "s" * 513}, "INVALID_FIELD", "events.secret"),
                              ({"url": "https://partner.example/e"}, "MISSING_FIELD", "events.secret"),
                              ({"secret": SECRET}, "MISSING_FIELD", "events.url"),
                              ({"url": "https://partner.example/e", "secret": SECRET, "kid": "1"}, "INVALID_FIELD", "events"),
                              ("https://partner.example/e", "INVALID_FIELD", "events"),
                              ({"url": "https://10.1.2.3/e", "secret": SECRET}, "INVALID_FIELD", "events.url")):
        r = srv.request("PATCH", f"/v1/admin/apps/{app['app_id']}", admin=True, json={"events": body})
        assert_error(r, 400, code, field=field)
    assert outbox_sets(srv, app["app_id"]) == []


def test_the_same_urls_are_taken_when_private_addresses_are_allowed(start_server):
    srv = start_server()  # the harness turns events_allow_private_urls on
    for url in PRIVATE_URLS:
        r = srv.post("/v1/admin/apps", admin=True, json={"name": "Acme", "events": {"url": url, "secret": SECRET}})
        assert r.status_code == 201, (url, r.text)


def loopback_name():
    """A host name that resolves, through /etc/hosts, to loopback addresses only, and that is
    neither localhost nor an address: the machine's own name, or None."""
    for name in (socket.gethostname(), socket.getfqdn()):
        if not name or "localhost" in name.lower() or re.fullmatch(r"[\d.]+|.*:.*", name):
            continue
        try:
            addrs = {a[4][0] for a in socket.getaddrinfo(name, 443, proto=socket.IPPROTO_TCP)}
        except socket.gaierror:
            continue
        if addrs and all(a.startswith("127.") or a == "::1" for a in addrs):
            return name
    return None


def test_a_name_that_resolves_to_loopback_is_refused_when_twofold_connects(start_server):
    """The set-time check cannot know where a name points; the check on the address connected
    to refuses it: nothing reaches the endpoint, and the refusal shows in the outbox, the log
    and the metrics."""
    name = loopback_name()
    if name is None:
        pytest.skip("this machine's name does not resolve to loopback addresses only")
    accepted = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]

    def accept():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            accepted.append(1)
            conn.close()

    threading.Thread(target=accept, daemon=True).start()
    try:
        srv = start_server(args=["--events-allow-private-urls", "off"])
        app = srv.make_app(events={"url": f"https://{name}:{port}/security-events", "secret": SECRET})
        assert app["events"]["url"] == f"https://{name}:{port}/security-events"
        row = wait_until(lambda: [r for r in outbox_sets(srv, app["app_id"]) if "refused" in r["last_error"]],
                         "the refusal in the outbox")[0]
        assert row["status"] == "pending" and row["attempts"] >= 1
        assert "address 127." in row["last_error"] and "not public" in row["last_error"]
        logged = wait_until(lambda: [l for l in srv.log_lines() if l.get("msg") == "events endpoint address refused"],
                            "the log line")
        assert logged[0]["app_id"] == app["app_id"] and logged[0]["address"].startswith("127.")
        metrics = srv.get("/metrics").text
        assert re.search(r'twofold_security_events_total\{result="refused_address"\} [1-9]', metrics), metrics
        assert 'twofold_security_events_total{result="delivered"} 0' in metrics
        assert accepted == []  # not a single connection reached the endpoint
    finally:
        listener.close()


# ---- the documentation ----

AUDIT_CALL = re.compile(r'(?:sca_audit|req_audit_detached|req_audit|issue_session|sca_session_issue|sca_session_mint|'
                        r'\baudit)\(\s*[^;]*?"([a-z_]+\.[a-z_]+)"', re.S)
EVENT_LITERAL = re.compile(r'(?:\.event\s*=\s*|\?\s*|:\s*)"([a-z_]+\.[a-z_]+)"')


def audited_event_names():
    names = set()
    for path in (REPO_ROOT / "src").rglob("*.c"):
        text = path.read_text()
        names |= set(AUDIT_CALL.findall(text))
        names |= {n for n in EVENT_LITERAL.findall(text) if "audit" in text}
    # "factor.%s_replaced" (sca/factors.c): the one kind a user has one of, backup codes
    return {n for n in names if not n.startswith(("challenge.code", "challenge.keep", "challenge.cookie"))} | \
        {"factor.backup_codes_replaced"}


def test_docs_events_lists_every_audited_event():
    doc = (REPO_ROOT / "docs" / "events.md").read_text()
    rows = set(re.findall(r"^\| `([a-z_]+\.[a-z_]+)`", doc, re.M)) | \
        set(re.findall(r"^\| `[a-z_]+\.[a-z_]+`, `([a-z_]+\.[a-z_]+)`", doc, re.M))
    names = audited_event_names()
    assert {"factor.blocked", "session.revoked", "login.succeeded", "master_key.rotated", "device.trusted"} <= names
    missing = names - rows
    assert not missing, f"audited events docs/events.md does not list: {sorted(missing)}"
