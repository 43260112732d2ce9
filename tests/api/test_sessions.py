"""Sessions: password login, sessions for SSO users, logout, idle timeout, rate limits."""
import base64
import re
import time
from pathlib import Path
from datetime import datetime, timezone

import pytest

from harness import DEFAULT_PASSWORD, SANITIZED, assert_error, assert_error_shape, assert_not_stored, db_query

TOKEN_RE = re.compile(r"^([a-z]+)_([A-Za-z0-9_-]+)$")


def parse_time(s):
    assert s.endswith("Z"), s
    return datetime.fromisoformat(s[:-1]).replace(tzinfo=timezone.utc).timestamp()


def test_login_answers_201_with_a_token(server, make_app, make_user):
    app = make_app()
    u = make_user(app, email="ann@example.com")
    before = time.time()
    r = server.login(app, "ann@example.com")
    assert r.status_code == 201, r.text
    s = r.json()
    assert s["user_id"] == u["user_id"]
    assert isinstance(s["token"], str)
    exp = parse_time(s["expires_at"])
    # 1800 s idle timeout by default: the token expires then unless used
    assert before + 1800 - 5 <= exp <= time.time() + 1800 + 5
    assert server.token_alive(app, s["token"])


def test_tokens_are_256_bit_random_and_differ(server, make_app, make_user):
    app = make_app()
    make_user(app, email="ann@example.com")
    tokens = [server.token_for(app, "ann@example.com") for _ in range(3)]
    assert len(set(tokens)) == 3
    for t in tokens:
        m = TOKEN_RE.match(t)
        assert m, t
        body = m.group(2)
        assert len(body) >= 43, t  # 256 bits in base64url
        assert len(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))) >= 32
    for t in tokens:
        assert_not_stored(server, t, "a session token")


def test_a_wrong_password_is_401_invalid_credentials(server, make_app, make_user):
    app = make_app()
    make_user(app, email="ann@example.com")
    r = server.login(app, "ann@example.com", "not the password")
    assert_error(r, 401, "INVALID_CREDENTIALS")
    assert "token" not in r.text


def test_an_unknown_email_looks_exactly_like_a_wrong_password(server, make_app, make_user):
    app = make_app()
    make_user(app, email="ann@example.com")
    wrong = assert_error(server.login(app, "ann@example.com", "not the password"), 401, "INVALID_CREDENTIALS")
    unknown = assert_error(server.login(app, "nobody@example.com", "not the password"), 401, "INVALID_CREDENTIALS")
    assert set(wrong) == set(unknown)
    assert wrong["message"] == unknown["message"]


def test_a_user_without_a_password_cannot_log_in(server, make_app, make_user):
    app = make_app()
    make_user(app, email="nopw@example.com", password=None)
    assert_error(server.login(app, "nopw@example.com", "anything at all"), 401, "INVALID_CREDENTIALS")


def test_login_needs_email_and_password(server, make_app):
    app = make_app()
    r = server.post("/v1/login", api_key=app["api_key"], json={"email": "ann@example.com"})
    assert_error(r, 400, "MISSING_FIELD", field="password")
    r = server.post("/v1/login", api_key=app["api_key"], json={"password": DEFAULT_PASSWORD})
    assert_error(r, 400, "MISSING_FIELD", field="email")
    r = server.post("/v1/login", api_key=app["api_key"], json={"email": 1, "password": DEFAULT_PASSWORD})
    assert_error(r, 400, "INVALID_FIELD", field="email")


def test_an_sso_user_cannot_log_in_with_a_password(server, make_app, make_user):
    app = make_app(sso_login_url="https://partner.example/login")
    make_user(app, email="sso@example.com", password=None, type="sso")
    err = assert_error(server.login(app, "sso@example.com", "whatever it is"), 403, "SSO_LOGIN_REQUIRED")
    assert err["login_url"] == "https://partner.example/login"
    plain = make_app()
    make_user(plain, email="sso@example.com", password=None, type="sso")
    err = assert_error(server.login(plain, "sso@example.com", "whatever it is"), 403, "SSO_LOGIN_REQUIRED")
    assert "login_url" not in err


def test_an_application_can_open_a_session_for_its_sso_user(server, make_app, make_user):
    app = make_app()
    u = make_user(app, password=None, type="sso")
    r = server.post(f"/v1/users/{u['user_id']}/sessions", api_key=app["api_key"])
    assert r.status_code == 201, r.text
    s = r.json()
    assert s["user_id"] == u["user_id"]
    assert TOKEN_RE.match(s["token"]) and len(s["token"].split("_", 1)[1]) >= 43
    assert server.token_alive(app, s["token"])
    assert server.post("/v1/logout", api_key=app["api_key"], token=s["token"]).status_code == 200
    assert not server.token_alive(app, s["token"])


def test_sessions_for_a_standard_user_are_refused(server, make_app, make_user):
    app = make_app()
    u = make_user(app)
    r = server.post(f"/v1/users/{u['user_id']}/sessions", api_key=app["api_key"])
    assert_error(r, 403, "NOT_SSO_USER")


def test_logout_revokes_the_token(server, make_app, make_user):
    app = make_app()
    make_user(app, email="ann@example.com")
    token = server.token_for(app, "ann@example.com")
    other = server.token_for(app, "ann@example.com")
    r = server.post("/v1/logout", api_key=app["api_key"], token=token)
    assert r.status_code == 200, r.text
    assert_error(server.post("/v1/logout", api_key=app["api_key"], token=token), 401, "INVALID_TOKEN")
    assert_error(server.get("/v1/factors", api_key=app["api_key"], token=token), 401, "INVALID_TOKEN")
    # only that token
    assert server.token_alive(app, other)


def test_a_token_only_works_with_its_own_application(server, make_app, make_user):
    a, b = make_app(), make_app()
    make_user(a, email="ann@example.com")
    token = server.token_for(a, "ann@example.com")
    assert_error(server.get("/v1/factors", api_key=b["api_key"], token=token), 401, "INVALID_TOKEN")
    assert_error(server.post("/v1/logout", api_key=b["api_key"], token=token), 401, "INVALID_TOKEN")
    assert server.token_alive(a, token)


@pytest.mark.parametrize("authorization", [
    None, "Bearer", "Bearer garbage", "Bearer tfs_" + "A" * 43, "Token abc", "Bearer " + "x" * 5000,
], ids=["none", "empty", "garbage", "well-formed", "other-scheme", "huge"])
def test_a_bad_bearer_token_is_401(server, make_app, authorization):
    app = make_app()
    headers = {"api-key": app["api_key"]}
    if authorization is not None:
        headers["Authorization"] = authorization
    assert_error(server.get("/v1/factors", headers=headers), 401, "INVALID_TOKEN")
    assert_error(server.post("/v1/logout", headers=headers), 401, "INVALID_TOKEN")


def test_the_admin_token_is_not_a_session_token(server, make_app):
    app = make_app()
    assert_error(server.get("/v1/factors", api_key=app["api_key"], admin=True), 401, "INVALID_TOKEN")


def alive_within(srv, app, token, since, limit):
    """Whether token is accepted, and whether that answer is conclusive: the request must have
    been answered within `limit` seconds of `since` (a busy machine can stretch a request past a
    short timeout, and then the server is right to refuse the token)."""
    alive = srv.token_alive(app, token)
    return alive, time.monotonic() - since < limit


def test_an_idle_token_dies_and_a_used_token_lives(start_server):
    srv = start_server(args=["--session-idle-timeout", "2"])
    app = srv.make_app()
    srv.make_user(app, email="ann@example.com")
    r = srv.login(app, "ann@example.com")
    idle_since = time.monotonic()  # the idle token's last use was answered by now
    assert r.json()["idle_timeout_seconds"] == 2
    idle = r.json()["token"]
    sent = time.monotonic()
    used = srv.token_for(app, "ann@example.com")
    start, checked = time.monotonic(), 0
    while time.monotonic() - start < 3.5:
        # the previous use was served after `sent`: within 2 s of it the token must still live
        now_sent = time.monotonic()
        alive, conclusive = alive_within(srv, app, used, sent, 2.0)
        if conclusive:
            assert alive, f"a token used every 0.5 s died after {time.monotonic() - start:.1f} s"
            checked += 1
        elif not alive:
            break  # this machine left the token idle for more than its timeout
        sent = now_sent
        time.sleep(0.5)
    assert checked > 0, "no use of the token was answered within its idle timeout"
    while time.monotonic() - idle_since < 2.5:
        time.sleep(0.1)
    assert_error(srv.get("/v1/factors", api_key=app["api_key"], token=idle), 401, "INVALID_TOKEN")
    assert_error(srv.post("/v1/logout", api_key=app["api_key"], token=idle), 401, "INVALID_TOKEN")


def test_a_token_dies_at_its_maximum_lifetime_even_when_used(start_server):
    lifetime = 4
    srv = start_server(args=["--session-max-lifetime", str(lifetime), "--session-idle-timeout", "60"])
    app = srv.make_app()
    srv.make_user(app, email="ann@example.com")
    # a busy machine may answer no use within the lifetime: then a new session tries again
    for _ in range(3):
        sent = time.monotonic()  # the session is made after this
        r = srv.login(app, "ann@example.com")
        made_by = time.monotonic()  # and before this
        token = r.json()["token"]
        assert parse_time(r.json()["expires_at"]) <= time.time() + lifetime + 1
        checked = 0
        while time.monotonic() - sent < lifetime - 0.5:
            alive, conclusive = alive_within(srv, app, token, sent, lifetime)
            if conclusive:
                assert alive
                checked += 1
            time.sleep(0.3)
        if checked:
            break
    assert checked > 0, "no use of the token was answered within its lifetime"
    while time.monotonic() - made_by < lifetime + 0.5:
        time.sleep(0.1)
    assert not srv.token_alive(app, token)


def assert_rate_limited(r, window):
    err = assert_error(r, 429, "RATE_LIMITED")
    retry = r.headers.get("Retry-After")
    assert retry is not None and retry.isdigit(), dict(r.headers)
    # the window began at the key's first attempt, moments ago, not at a boundary of the clock
    assert window - 300 <= int(retry) <= window
    return err


WINDOW = 3600


def test_repeated_wrong_passwords_lock_the_user_out_for_the_window(start_server):
    srv = start_server(args=["--login-failures-per-user", "3", "--rate-window", str(WINDOW)])
    app = srv.make_app()
    srv.make_user(app, email="ann@example.com")
    srv.make_user(app, email="bob@example.com")
    for _ in range(3):
        assert_error(srv.login(app, "ann@example.com", "wrong password"), 401, "INVALID_CREDENTIALS")
    # the right password no longer helps: the attacker learns nothing from it either
    assert_rate_limited(srv.login(app, "ann@example.com"), WINDOW)
    assert_rate_limited(srv.login(app, "ANN@example.com", "wrong password"), WINDOW)
    # another user of the same application is not affected
    assert srv.login(app, "bob@example.com").status_code == 201


def test_failures_for_one_user_do_not_lock_out_the_same_email_in_another_application(start_server):
    srv = start_server(args=["--login-failures-per-user", "2", "--rate-window", str(WINDOW)])
    a, b = srv.make_app(), srv.make_app()
    srv.make_user(a, email="ann@example.com")
    srv.make_user(b, email="ann@example.com")
    for _ in range(2):
        srv.login(a, "ann@example.com", "wrong password")
    assert_rate_limited(srv.login(a, "ann@example.com"), WINDOW)
    assert srv.login(b, "ann@example.com").status_code == 201


def test_too_many_logins_from_one_address_are_429(start_server):
    srv = start_server(args=["--login-attempts-per-address", "5", "--rate-window", str(WINDOW)])
    app = srv.make_app()
    for i in range(3):
        srv.make_user(app, email=f"u{i}@example.com")
    answers = [srv.login(app, f"u{i % 3}@example.com").status_code for i in range(5)]
    assert answers == [201] * 5
    assert_rate_limited(srv.login(app, "u0@example.com"), WINDOW)
    assert_rate_limited(srv.login(app, "nobody@example.com", "guess guess"), WINDOW)


def test_a_rate_limited_answer_has_the_error_shape(start_server):
    srv = start_server(args=["--login-attempts-per-address", "1", "--rate-window", str(WINDOW)])
    app = srv.make_app()
    srv.login(app, "x@example.com", "whatever1")
    r = srv.login(app, "x@example.com", "whatever1")
    assert r.status_code == 429
    assert_error_shape(r)


def test_a_forged_x_forwarded_for_does_not_escape_the_address_limit(start_server):
    # trust_forwarded_for is off by default: the header is the attacker's to choose
    srv = start_server(args=["--login-attempts-per-address", "3", "--rate-window", str(WINDOW)])
    app = srv.make_app()
    for i in range(3):
        r = srv.login(app, "guess@example.com", "guess guess", headers={"X-Forwarded-For": f"203.0.113.{i}"})
        assert_error(r, 401, "INVALID_CREDENTIALS")
    r = srv.login(app, "guess@example.com", "guess guess", headers={"X-Forwarded-For": "203.0.113.99"})
    assert_rate_limited(r, WINDOW)


def test_a_full_password_pool_answers_503_at_once_and_recovers(start_server):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import requests

    srv = start_server(fast_argon2=False, args=["--slow-workers", "1", "--slow-queue", "1",
                                                "--argon2-memlimit-kib", "65536", "--argon2-opslimit", "3"])
    app = srv.make_app()
    srv.make_user(app, email="busy@example.com")
    gate = threading.Barrier(12)

    def one(_):
        gate.wait(timeout=30)
        return requests.post(srv.base_url + "/v1/login", headers={"api-key": app["api_key"]}, timeout=120,
                             json={"email": "busy@example.com", "password": DEFAULT_PASSWORD})

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(one, range(12)))
    statuses = sorted(r.status_code for r in answers)
    assert set(statuses) <= {201, 503}, statuses
    assert 201 in statuses and 503 in statuses, statuses
    for r in answers:
        if r.status_code == 503:
            assert_error(r, 503, "OVERLOADED")
            assert r.headers.get("Retry-After", "").isdigit()
    assert srv.login(app, "busy@example.com").status_code == 201


def login_count(srv, status):
    m = re.search(r'^twofold_http_requests_total\{route="POST /v1/login",status="%d"\} (\d+)$' % status,
                  srv.get("/metrics").text, re.M)
    return int(m.group(1)) if m else 0


def raw_login(srv, app, password=DEFAULT_PASSWORD, extra_headers=""):
    import json
    import socket

    body = json.dumps({"email": "gone@example.com", "password": password}).encode()
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.sendall(b"POST /v1/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
              b"api-key: " + app["api_key"].encode() + b"\r\n" + extra_headers.encode() +
              b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    return s


def test_logins_whose_clients_left_while_they_waited_are_not_carried_out(start_server):
    # a login waits for the hash pool with its connection suspended; a client that gave up
    # meanwhile (a flood's, a user's closed tab) costs no Argon2id when its turn comes: it is
    # counted as 499 CLIENT_CLOSED_REQUEST, its idempotency-ref stays free, its attempt against
    # the user's limit is given back (it guessed nothing), the queue drains. The 15 logins count
    # against the per-user limit while they wait, so it is 15 here.
    srv = start_server(fast_argon2=False, args=["--slow-workers", "1", "--argon2-memlimit-kib", "65536",
                                                "--argon2-opslimit", "3", "--login-failures-per-user", "15",
                                                "--rate-window", str(WINDOW)])
    app = srv.make_app()
    srv.make_user(app, email="gone@example.com")
    waiting = [raw_login(srv, app) for _ in range(3)]  # these clients wait for their answers
    time.sleep(0.3)  # queued first: the one worker is busy with them for three hashes
    for i in range(12):
        raw_login(srv, app, extra_headers=f"idempotency-ref: left-{i}\r\n").close()
    for s in waiting:
        s.settimeout(60)
        assert s.recv(4096).startswith(b"HTTP/1.1 201 "), "a waiting client is answered"
        s.close()
    deadline = time.monotonic() + 30
    while login_count(srv, 499) < 12 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert login_count(srv, 499) == 12
    assert login_count(srv, 201) == 3  # the twelve were not hashed and answered to nobody
    # the request was not carried out: the same idempotency-ref runs it now
    r = srv.login(app, "gone@example.com", headers={"idempotency-ref": "left-0"})
    assert r.status_code == 201, r.text
    assert srv.login(app, "gone@example.com", "not the password").status_code == 401
    assert login_count(srv, 499) == 12
    # the twelve gave their attempts back: the user has the rest of the 15 for real guesses
    for _ in range(14):
        assert_error(srv.login(app, "gone@example.com", "not the password"), 401, "INVALID_CREDENTIALS")
    assert_rate_limited(srv.login(app, "gone@example.com"), WINDOW)


def resident_mib(srv):
    status = Path(f"/proc/{srv.proc.pid}/status").read_text()
    return int(re.search(r"^VmRSS:\s+(\d+) kB$", status, re.M).group(1)) / 1024


@pytest.mark.skipif(SANITIZED, reason="AddressSanitizer keeps freed memory in its quarantine")
def test_argon2_memory_is_kept_through_a_burst_and_given_back_after_it(start_server):
    # each slow thread keeps its 64 MiB work area between hashes (no mapping per login), and
    # gives it back once it has had nothing to do for 5 s: the process shrinks after a burst
    srv = start_server(fast_argon2=False, args=["--slow-workers", "1", "--argon2-memlimit-kib", "65536",
                                                "--argon2-opslimit", "1"])
    app = srv.make_app()
    srv.make_user(app, email="burst@example.com")
    # a hash on a handler thread and one on the hashes' pool, back to back: both threads' areas
    # are held (on a busy machine the first may have idled past 5 s by the second: again)
    for i in range(5):
        srv.make_user(app, email=f"burst{i}@example.com")
        assert srv.login(app, "burst@example.com").status_code == 201
        during = resident_mib(srv)
        if during > 128:
            break
    assert during > 128, during
    deadline = time.monotonic() + 30
    while resident_mib(srv) > during - 120 and time.monotonic() < deadline:
        time.sleep(0.25)
    assert resident_mib(srv) <= during - 120, (during, resident_mib(srv))
    assert srv.login(app, "burst@example.com").status_code == 201
    assert srv.login(app, "burst@example.com", "not the password").status_code == 401


# ---- the per-user limit holds however many guesses arrive at once ----

RACE_ARGS = ["--login-failures-per-user", "5", "--login-attempts-per-address", "1000", "--rate-window", str(WINDOW),
             "--argon2-memlimit-kib", "32768", "--argon2-opslimit", "2"]


def all_at_once(n, fn):
    """Runs fn(i) for i in range(n) on n threads released together; the answers in order."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    gate = threading.Barrier(n)

    def one(i):
        gate.wait(timeout=60)
        return fn(i)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


def test_concurrent_wrong_passwords_hash_at_most_the_limit(start_server):
    # 24 wrong passwords and the right one, all at once: each attempt counts before its hash, so
    # at most 5 are checked (401 or 201) and the rest are refused unhashed (429)
    import requests

    srv = start_server(fast_argon2=False, args=RACE_ARGS)
    app = srv.make_app()
    srv.make_user(app, email="race@example.com")
    passwords = ["wrong password %d" % i for i in range(24)] + [DEFAULT_PASSWORD]
    answers = all_at_once(len(passwords), lambda i: requests.post(
        srv.base_url + "/v1/login", headers={"api-key": app["api_key"]}, timeout=120,
        json={"email": "race@example.com", "password": passwords[i]}))
    statuses = [r.status_code for r in answers]
    assert set(statuses) <= {201, 401, 429}, statuses
    checked = statuses.count(401) + statuses.count(201)
    assert 1 <= checked <= 5, statuses
    assert statuses.count(429) == len(passwords) - checked
    hashed_failures = db_query(srv, "SELECT COUNT(*) AS n FROM audit_events WHERE type = 'login.failed'")[0]["n"]
    assert hashed_failures == statuses.count(401)


def test_right_passwords_give_their_attempt_back(start_server):
    srv = start_server(args=["--login-failures-per-user", "3", "--rate-window", str(WINDOW)])
    app = srv.make_app()
    srv.make_user(app, email="often@example.com")
    for _ in range(10):
        assert srv.login(app, "often@example.com").status_code == 201
    for _ in range(3):
        assert_error(srv.login(app, "often@example.com", "wrong password"), 401, "INVALID_CREDENTIALS")
    assert_rate_limited(srv.login(app, "often@example.com"), WINDOW)


def test_concurrent_wrong_passwords_on_the_hosted_login_hash_at_most_the_limit(start_server):
    import requests

    from sso_helpers import csrf_of

    srv = start_server(fast_argon2=False, args=RACE_ARGS)
    app = srv.make_app(redirect_uri_prefixes=["https://partner.example/"])
    srv.make_user(app, email="page@example.com")
    browsers = []
    for _ in range(16):
        b = requests.Session()
        form = b.get(f"{srv.base_url}/login?client_id={app['client_id']}", timeout=30)
        assert form.status_code == 200
        browsers.append((b, csrf_of(form.text)))
    answers = all_at_once(len(browsers), lambda i: browsers[i][0].post(
        srv.base_url + "/login", allow_redirects=False, timeout=120,
        data={"csrf": browsers[i][1], "client_id": app["client_id"], "next": "/account/factors",
              "email": "page@example.com", "password": "wrong password %d" % i}))
    statuses = [r.status_code for r in answers]
    assert set(statuses) <= {401, 429}, statuses
    assert 1 <= statuses.count(401) <= 5, statuses
