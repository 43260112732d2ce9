"""The sweeper: ended sessions, challenges, tokens and messages are deleted expired_rows_kept
after they ended, idempotency records after their 24 hours and rate counters of past windows;
live rows stay, and so does what a late caller must still be told.

The server reads the real clock, so a row that "ended two days ago" is made by setting its times
back in the database, as two days would have left it.
"""
import re
import time

from factor_helpers import User, enrol_totp
from harness import db_execute, db_query

HOUR_MS = 3600 * 1000
DAY_MS = 24 * HOUR_MS


def now_ms():
    return int(time.time() * 1000)


def deleted_total(srv):
    m = re.search(r"^twofold_expired_rows_deleted_total (\d+)$", srv.get("/metrics").text, re.M)
    return int(m.group(1)) if m else 0


def ids(srv, table, column, where="1 = 1"):
    return {r[column] for r in db_query(srv, f"SELECT {column} FROM {table} WHERE {where}")}


def count(srv, table, where="1 = 1"):
    return db_query(srv, f"SELECT COUNT(*) AS n FROM {table} WHERE {where}")[0]["n"]


def make_history(srv):
    """A user with a session, a pending SMS factor (its enrolment challenge and message), an
    active authenticator factor, a step-up challenge, an idempotent registration, the SMS's send
    counters, and another user's trusted device; then all of it made two days old. Returns (user, pending factor, the rows made
    old that the sweeper may delete)."""
    app = srv.make_app()
    user = User(srv, app)
    r = user.post("/v1/factors", json={"type": "sms", "phone": "+447700900123"})
    assert r.status_code == 201, r.text
    pending = r.json()
    totp = enrol_totp(user)
    r = user.post("/v1/challenges", json={"purpose": "stepup", "factor_id": totp["factor_id"]})
    assert r.status_code == 201, r.text
    r = srv.post("/v1/users", api_key=app["api_key"], json={"email": "idem@example.com"},
                 headers={"idempotency-ref": "registered-two-days-ago"})
    assert r.status_code == 201, r.text
    deadline = time.monotonic() + 10
    while count(srv, "outbox", "status = 'pending'") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert count(srv, "outbox", "status = 'pending'") == 0, "development delivery sends at once"
    # and a trusted device, from a step-up verified in a sandbox application (123456 passes there)
    sandbox = User(srv, srv.make_app(sandbox=True))
    f = sandbox.post("/v1/factors", json={"type": "totp"}).json()
    assert sandbox.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": "123456"}).status_code == 200
    ch = sandbox.post("/v1/challenges", json={"purpose": "stepup"}).json()
    r = sandbox.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": "123456", "trust_device": True})
    assert r.status_code == 200 and r.json()["device"]["device_id"], r.text

    assert count(srv, "sessions") == 2 and count(srv, "challenges") == 5 and count(srv, "outbox") >= 1
    assert count(srv, "devices") == 1
    # the SMS's send counters: its user, the client address, the number, the range, the application
    assert count(srv, "idempotency") == 1 and count(srv, "counters", "key LIKE 'send_%'") == 5
    # all of it but the pending factor's challenge, counted before the sweeper may see it old
    deletable = (count(srv, "sessions") + count(srv, "challenges") - 1 + count(srv, "outbox") +
                 count(srv, "idempotency") + count(srv, "counters", "key LIKE 'send_%'") + count(srv, "devices"))
    old = now_ms() - 2 * DAY_MS
    db_execute(srv, f"UPDATE sessions SET created_at = {old - HOUR_MS}, last_seen_at = {old}, absolute_expires_at = {old}")
    db_execute(srv, f"UPDATE challenges SET created_at = {old - 600000}, expires_at = {old}")
    db_execute(srv, f"UPDATE outbox SET created_at = {old}, next_attempt_at = {old}")
    db_execute(srv, f"UPDATE idempotency SET created_at = {old}")
    db_execute(srv, f"UPDATE devices SET created_at = {old - 30 * DAY_MS}, expires_at = {old}")
    # the send caps' counters of the SMS (the logins' counter is used again in the test)
    db_execute(srv, f"UPDATE counters SET window_start = {old} WHERE key LIKE 'send_%'")
    # and a backlog larger than a batch (the sweeper deletes 100 rows per transaction)
    db_execute(srv, "INSERT INTO counters (key, window_start, count) WITH RECURSIVE n(i) AS "
                    f"(SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 250) SELECT 'aged:' || i, {old}, 1 FROM n")
    deletable += 250
    return user, pending, deletable


def test_rows_that_ended_longer_ago_than_they_are_kept_are_deleted_and_the_rest_stay(start_server):
    srv = start_server(args=["--expired-rows-kept", "86400", "--sweep-interval", "1"])
    user, pending, deletable = make_history(srv)
    old_sessions = ids(srv, "sessions", "session_id")
    kept_challenge = ids(srv, "challenges", "challenge_id", f"factor_id = '{pending['factor_id']}'")
    assert len(kept_challenge) == 1

    # a session that ended an hour ago (kept a day), and a live one
    user.relogin()
    hour_ago = ids(srv, "sessions", "session_id") - old_sessions
    db_execute(srv, f"UPDATE sessions SET absolute_expires_at = {now_ms() - HOUR_MS} "
                    f"WHERE session_id = '{next(iter(hour_ago))}'")
    user.relogin()
    live = ids(srv, "sessions", "session_id") - old_sessions - hour_ago
    assert len(hour_ago) == 1 and len(live) == 1
    r = srv.post("/v1/users", api_key=user.app["api_key"], json={"email": "fresh@example.com"},
                 headers={"idempotency-ref": "registered-now"})
    assert r.status_code == 201, r.text
    live_counters = ids(srv, "counters", "key", f"window_start > {now_ms() - DAY_MS}")
    assert live_counters  # the two logins just made

    deadline = time.monotonic() + 20
    while deleted_total(srv) < deletable and time.monotonic() < deadline:
        time.sleep(0.2)
    assert deleted_total(srv) == deletable

    assert ids(srv, "sessions", "session_id") == hour_ago | live
    assert ids(srv, "challenges", "challenge_id") == kept_challenge, "a pending factor keeps its enrolment challenge"
    assert count(srv, "outbox") == 0 and count(srv, "devices") == 0
    assert ids(srv, "idempotency", "ref") == {"registered-now"}
    assert ids(srv, "counters", "key") == live_counters
    # one line per run that deleted anything (the aging above may span two runs), written just
    # after the metric moved: wait for it too
    def logged():
        return sum(int(line["rows"]) for line in srv.log_lines() if line.get("msg") == "deleted ended rows")
    deadline = time.monotonic() + 20
    while logged() < deletable and time.monotonic() < deadline:
        time.sleep(0.1)
    assert logged() == deletable

    # what is left works as before
    assert user.get("/v1/factors").status_code == 200
    listed = {f["factor_id"]: f["status"] for f in user.get("/v1/factors").json()["factors"]}
    assert listed[pending["factor_id"]] == "pending_verification"
    r = srv.post("/v1/users", api_key=user.app["api_key"], json={"email": "fresh@example.com"},
                 headers={"idempotency-ref": "registered-now"})
    assert r.status_code == 201 and r.headers.get("Idempotent-Replayed") == "true", r.text
    time.sleep(1.5)  # more runs find nothing more
    assert deleted_total(srv) == deletable


def test_nothing_is_deleted_when_expired_rows_are_kept_for_ever(start_server):
    srv = start_server(args=["--expired-rows-kept", "0", "--sweep-interval", "1"])
    make_history(srv)
    before = {t: count(srv, t) for t in ("sessions", "challenges", "outbox", "idempotency", "counters", "devices")}
    time.sleep(2.5)
    assert {t: count(srv, t) for t in before} == before
    assert deleted_total(srv) == 0
