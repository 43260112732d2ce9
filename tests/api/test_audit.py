"""The audit log: every security event so far, in order, as a hash chain."""
import json

from harness import DEFAULT_PASSWORD, db_execute, db_query, run_cli

ZERO_HASH = bytes(32)


def audit_rows(server):
    return db_query(server, "SELECT * FROM audit_log ORDER BY seq")


def test_a_session_is_audited_in_order_as_an_intact_chain(server):
    created = server.post("/v1/admin/apps", admin=True, json={"name": "Audited"})
    app = created.json()
    reg = server.post("/v1/users", api_key=app["api_key"],
                      json={"email": "aud@example.com", "password": DEFAULT_PASSWORD})
    uid = reg.json()["user_id"]
    ok = server.login(app, "aud@example.com")
    bad = server.login(app, "aud@example.com", "not the password")
    out = server.post("/v1/logout", api_key=app["api_key"], token=ok.json()["token"])
    assert [r.status_code for r in (created, reg, ok, bad, out)] == [201, 201, 201, 401, 200]

    rows = audit_rows(server)
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    assert [r["event"] for r in rows] == ["app.created", "user.registered", "login.succeeded", "login.failed",
                                          "session.revoked"]
    assert [r["subject"] for r in rows] == [app["app_id"], uid, uid, uid, uid]
    assert all(r["app_id"] == app["app_id"] for r in rows)
    # each row names the request that caused it, and where it came from
    assert [r["request_id"] for r in rows] == [x.headers["X-Request-Id"] for x in (created, reg, ok, bad, out)]
    assert all(r["ip"] == "127.0.0.1" for r in rows)
    assert all(r["at_ms"] > 0 for r in rows)
    assert [r["at_ms"] for r in rows] == sorted(r["at_ms"] for r in rows)
    for r in rows:
        json.loads(r["details"])  # details are JSON
    # the chain: each row points at the one before it
    assert bytes(rows[0]["prev_hash"]) == ZERO_HASH
    for prev, row in zip(rows, rows[1:]):
        assert bytes(row["prev_hash"]) == bytes(prev["hash"])
    assert len({bytes(r["hash"]) for r in rows}) == len(rows)

    # the session id in login.succeeded is the one revoked, and no secret is in any row
    assert json.loads(rows[2]["details"]).get("session_id") == ok.json()["session_id"]
    assert json.loads(rows[4]["details"]).get("session_id") == ok.json()["session_id"]
    dump = repr(rows)
    for secret in (DEFAULT_PASSWORD, "not the password", ok.json()["token"], app["api_key"], app["client_secret"],
                   server.admin_token):
        assert secret not in dump

    res = run_cli("audit", "verify", "--data", server.data_dir)
    assert res.returncode == 0, res.stdout + res.stderr


def test_a_failed_login_for_an_unknown_email_is_audited(server, make_app):
    app = make_app()
    assert server.login(app, "ghost@example.com", "some password").status_code == 401
    rows = audit_rows(server)
    assert rows[-1]["event"] == "login.failed"
    assert rows[-1]["app_id"] == app["app_id"]
    assert "some password" not in repr(rows)


def test_sso_sessions_verification_and_confirmation_are_audited(server, make_app):
    app = make_app(can_mark_email_verified=True)
    sso = server.make_user(app, password=None, type="sso")
    std = server.make_user(app)
    r = server.post(f"/v1/users/{sso['user_id']}/sessions", api_key=app["api_key"])
    assert r.status_code == 201
    assert server.post(f"/v1/users/{std['user_id']}/send_confirmation", api_key=app["api_key"]).status_code == 202
    assert server.post(f"/v1/users/{std['user_id']}/mark_email_verified", api_key=app["api_key"]).status_code == 200
    rows = audit_rows(server)
    tail = [(r["event"], r["subject"]) for r in rows[-3:]]
    assert tail[0][1] == sso["user_id"] and tail[0][0].startswith("session.")
    assert tail[1] == ("user.confirmation_sent", std["user_id"])
    assert tail[2] == ("user.email_verified", std["user_id"])
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    res = run_cli("audit", "verify", "--data", server.data_dir)
    assert res.returncode == 0, res.stdout + res.stderr


def test_refused_requests_leave_no_audit_rows(server, make_app):
    app = make_app()
    before = len(audit_rows(server))
    server.post("/v1/admin/apps", json={"name": "no token"})
    server.post("/v1/users", api_key="tfk_wrong", json={"email": "x@example.com"})
    server.post("/v1/users", api_key=app["api_key"], json={"email": "bad"})
    assert len(audit_rows(server)) == before


def test_concurrent_events_keep_the_chain_intact(server, make_app):
    from concurrent.futures import ThreadPoolExecutor

    import requests

    app = make_app()

    def register(i):
        return requests.post(server.base_url + "/v1/users", headers={"api-key": app["api_key"]},
                             json={"email": f"par{i}@example.com"}, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        assert set(pool.map(register, range(40))) == {201}
    rows = audit_rows(server)
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    assert sum(r["event"] == "user.registered" for r in rows) == 40
    res = run_cli("audit", "verify", "--data", server.data_dir)
    assert res.returncode == 0, res.stdout + res.stderr


def anchor_lines(server):
    return [line for line in server.log_lines() if line.get("msg") == "audit chain head"]


def test_the_logged_head_shows_a_cut_off_tail(start_server):
    # the chain alone cannot show that its newest rows were deleted; the server's log lines
    # "audit chain head", kept elsewhere, can (SECURITY.md)
    import time

    srv = start_server(args=["--audit-anchor-interval", "1"])
    app = srv.make_app()
    srv.make_user(app, email="tail@example.com")
    assert srv.login(app, "tail@example.com").status_code == 201
    newest = audit_rows(srv)[-1]
    deadline = time.monotonic() + 10
    while not any(a["seq"] == str(newest["seq"]) for a in anchor_lines(srv)) and time.monotonic() < deadline:
        time.sleep(0.2)
    line = next(a for a in anchor_lines(srv) if a["seq"] == str(newest["seq"]))
    assert line["hash"] == bytes(newest["hash"]).hex()
    head = f"{line['seq']}:{line['hash']}"
    res = run_cli("audit", "head", "--data", srv.data_dir)
    assert res.returncode == 0 and res.stdout.strip() == head, res.stdout + res.stderr

    assert srv.login(app, "tail@example.com", "not the password").status_code == 401  # rows after it
    srv.stop()
    last = audit_rows(srv)[-1]
    assert anchor_lines(srv)[-1]["seq"] == str(last["seq"]), "the stop logs the final head"
    res = run_cli("audit", "verify", "--data", srv.data_dir, "--head", head)
    assert res.returncode == 0 and "holding the 1 head given" in res.stdout, res.stdout + res.stderr

    # the newest rows deleted, the logged head among them
    db_execute(srv, f"DELETE FROM audit_log WHERE seq >= {newest['seq']}")
    res = run_cli("audit", "verify", "--data", srv.data_dir)
    assert res.returncode == 0, "what is left is a valid chain: without a head nothing shows"
    res = run_cli("audit", "verify", "--data", srv.data_dir, "--head", head)
    assert res.returncode == 1, res.stdout + res.stderr
    assert f"row seq={newest['seq']}, once its head, is gone" in res.stdout

    res = run_cli("audit", "verify", "--data", srv.data_dir, "--head", "12:nothex")
    assert res.returncode == 2 and "--head takes SEQ:HASH" in res.stderr
