"""The audit log: one hash chain per application and one for the deployment, with heads signed
under the deployment's audit key (docs/audit.md). An application reads its own chain
(GET /v1/audit/events, /v1/audit/heads) and checks it offline; the checks here recompute every
hash and signature independently (hashlib, the cryptography package's Ed25519)."""
import base64
import hashlib
import json
import struct
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from factor_helpers import User
from harness import DEFAULT_PASSWORD, ON_POSTGRES, db_execute, db_query, psql_holding, run_cli

ZERO = "0" * 64


def chain_rows(server, chain):
    return db_query(server, f"SELECT * FROM audit_events WHERE chain = '{chain}' ORDER BY seq")


def event_hash(chain, e):
    """docs/audit.md: SHA-256 over each part as a 4-byte big-endian length and its UTF-8 bytes."""
    parts = ["twofold-audit-event-v1", chain, str(e["seq"]), str(e["at"]), e["type"], e["actor"], e["subject"],
             e["ip"], e["request_id"], e["details"], e["prev_hash"]]
    h = hashlib.sha256()
    for p in parts:
        b = p.encode()
        h.update(struct.pack(">I", len(b)) + b)
    return h.hexdigest()


def head_ok(public_key_b64, head):
    message = f"twofold-audit-head-v1\n{head['chain']}\n{head['seq']}\n{head['hash']}\n{head['signed_at']}"
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64))
    try:
        key.verify(base64.b64decode(head["signature"]), message.encode())
        return True
    except Exception:
        return False


def public_key(server):
    res = run_cli("audit", "public-key", "--data", server.data_dir)
    assert res.returncode == 0, res.stderr
    key = res.stdout.strip()
    assert len(base64.b64decode(key)) == 32
    return key


def all_events(server, app, after=0, limit=1000):
    out = []
    while True:
        r = server.get(f"/v1/audit/events?after={after}&limit={limit}", api_key=app["api_key"])
        assert r.status_code == 200, r.text
        out += r.json()["events"]
        if not r.json()["truncated"]:
            return out
        after = out[-1]["seq"]


def all_heads(server, app):
    r = server.get("/v1/audit/heads?limit=1000", api_key=app["api_key"])
    assert r.status_code == 200, r.text
    return r.json()["heads"]


def assert_intact(chain, events):
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    prev = ZERO
    for e in events:
        assert e["prev_hash"] == prev
        assert e["hash"] == event_hash(chain, e), f"event {e['seq']}"
        prev = e["hash"]


def verify_db(server, *heads):
    args = []
    for h in heads:
        args += ["--head", h]
    return run_cli("audit", "verify", "--data", server.data_dir, *args)


def test_a_session_is_audited_in_order_in_the_applications_own_chain(server):
    created = server.post("/v1/admin/apps", admin=True, json={"name": "Audited"})
    app = created.json()
    reg = server.post("/v1/users", api_key=app["api_key"],
                      json={"email": "aud@example.com", "password": DEFAULT_PASSWORD})
    uid = reg.json()["user_id"]
    ok = server.login(app, "aud@example.com")
    bad = server.login(app, "aud@example.com", "not the password")
    out = server.post("/v1/logout", api_key=app["api_key"], token=ok.json()["token"])
    assert [r.status_code for r in (created, reg, ok, bad, out)] == [201, 201, 201, 401, 200]

    # the operator's act is the deployment's; the application's own events are its chain
    deployment = chain_rows(server, "deployment")
    assert deployment[-1]["type"] == "app.created" and deployment[-1]["subject"] == app["app_id"]
    assert deployment[-1]["request_id"] == created.headers["X-Request-Id"]

    events = all_events(server, app)
    assert [e["type"] for e in events] == ["user.registered", "login.succeeded", "login.failed", "session.revoked"]
    assert [e["subject"] for e in events] == [uid] * 4
    assert [e["request_id"] for e in events] == [x.headers["X-Request-Id"] for x in (reg, ok, bad, out)]
    assert all(e["ip"] == "127.0.0.1" for e in events)
    assert [e["at"] for e in events] == sorted(e["at"] for e in events) and events[0]["at"] > 1.7e12
    assert json.loads(events[1]["details"]).get("session_id") == ok.json()["session_id"]
    assert json.loads(events[3]["details"]).get("session_id") == ok.json()["session_id"]
    assert_intact(app["app_id"], events)
    # what the route gives is what is stored
    rows = chain_rows(server, app["app_id"])
    assert [bytes(r["hash"]).hex() for r in rows] == [e["hash"] for e in events]

    dump = repr(events) + repr(deployment)
    for secret in (DEFAULT_PASSWORD, "not the password", ok.json()["token"], app["api_key"], app["client_secret"],
                   server.admin_token):
        assert secret not in dump

    res = verify_db(server)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "audit chains intact" in res.stdout


def test_an_application_reads_only_its_own_chain_page_by_page(server, make_app):
    a, b = make_app(), make_app()
    for i in range(5):
        server.make_user(a, email=f"a{i}@example.com")
    server.make_user(b, email="b0@example.com")
    first = server.get("/v1/audit/events?limit=2", api_key=a["api_key"]).json()
    assert [e["seq"] for e in first["events"]] == [1, 2] and first["truncated"] is True
    rest = server.get("/v1/audit/events?after=2&limit=1000", api_key=a["api_key"]).json()
    assert [e["seq"] for e in rest["events"]] == [3, 4, 5] and rest["truncated"] is False
    theirs = all_events(server, b)
    assert len(theirs) == 1 and theirs[0]["seq"] == 1
    assert {e["hash"] for e in first["events"] + rest["events"]}.isdisjoint({theirs[0]["hash"]})
    assert server.get("/v1/audit/events", api_key="tfk_wrong").status_code == 401
    for bad in ("after=-1", "after=x", "limit=0", "limit=1001", "limit=", "after=1&after=2"):
        r = server.get(f"/v1/audit/events?{bad}", api_key=a["api_key"])
        assert r.status_code == 400 and r.json()["error"]["code"] == "INVALID_FIELD", (bad, r.text)


def test_signed_heads_verify_under_the_deployments_public_key(server, make_app):
    app = make_app()
    server.make_user(app, email="h@example.com")
    key = public_key(server)
    r = server.post("/v1/audit/heads", api_key=app["api_key"])
    assert r.status_code == 200, r.text
    head = r.json()
    events = all_events(server, app)
    assert head["chain"] == app["app_id"] and head["seq"] == events[-1]["seq"] and head["hash"] == events[-1]["hash"]
    assert head_ok(key, head)
    assert abs(head["signed_at"] - time.time() * 1000) < 60_000
    # asked again with nothing new: the same head, not another
    assert server.post("/v1/audit/heads", api_key=app["api_key"]).json() == head
    assert all_heads(server, app) == [head]
    # a forged head does not verify
    assert not head_ok(key, dict(head, seq=head["seq"] + 1))
    # an application without events of its own has nothing to sign yet
    empty = make_app()
    r = server.post("/v1/audit/heads", api_key=empty["api_key"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "STATE_CONFLICT"
    assert all_heads(server, empty) == []


def export_of(server, app):
    return {"app_id": app["app_id"], "events": all_events(server, app), "heads": all_heads(server, app)}


def verify_export(tmp_path, exported, key, name="export.json"):
    path = tmp_path / name
    path.write_text(json.dumps(exported))
    return run_cli("audit", "verify", "--export", path, "--public-key", key)


def test_an_export_checks_offline_and_shows_what_was_changed(server, make_app, tmp_path):
    app = make_app()
    for i in range(4):
        server.make_user(app, email=f"x{i}@example.com")
        assert server.post("/v1/audit/heads", api_key=app["api_key"]).status_code == 200
    key = public_key(server)
    exported = export_of(server, app)
    assert len(exported["heads"]) == 4
    res = verify_export(tmp_path, exported, key)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "4 events (seq 1 to 4), 4 signed heads verified" in res.stdout
    # the key as a file holding the line, as `audit public-key > FILE` writes it
    key_file = tmp_path / "audit.pub"
    key_file.write_text(key + "\n")
    assert verify_export(tmp_path, exported, str(key_file)).returncode == 0

    def broken(changed, why):
        res = verify_export(tmp_path, changed, key, "changed.json")
        assert res.returncode == 1, res.stdout + res.stderr
        assert why in res.stdout, res.stdout

    events = exported["events"]
    broken(dict(exported, events=[events[0], dict(events[1], details='{"x":1}')] + events[2:]), "contents")
    broken(dict(exported, events=events[:1] + events[2:]), "sequence gap")
    broken(dict(exported, events=events[:2]), "newest events were removed")
    broken(dict(exported, heads=[dict(exported["heads"][0], signed_at=1)]), "signature does not verify")
    broken(dict(exported, app_id="app_someoneelse"), "contents")
    other = make_app()
    server.make_user(other)
    assert verify_export(tmp_path, exported, public_key(server)).returncode == 0
    wrong_key = base64.b64encode(bytes(32)).decode()
    res = verify_export(tmp_path, exported, wrong_key)
    assert res.returncode == 1
    res = run_cli("audit", "verify", "--export", tmp_path / "export.json", "--public-key", "not a key")
    assert res.returncode == 2 and "--public-key takes" in res.stderr


def test_a_platform_keeping_its_signed_heads_sees_a_cut_tail(server, make_app, tmp_path):
    app = make_app()
    user = server.make_user(app, email="tail@example.com")
    assert server.login(app, "tail@example.com").status_code == 201
    kept_heads = [server.post("/v1/audit/heads", api_key=app["api_key"]).json()]  # the platform keeps these
    newest = kept_heads[0]["seq"]
    assert server.login(app, "tail@example.com", "wrong").status_code == 401
    assert newest >= 2 and user

    # someone with the database removes the newest events, and the signed heads too
    db_execute(server, f"DELETE FROM audit_events WHERE chain = '{app['app_id']}' AND seq >= {newest}")
    db_execute(server, f"DELETE FROM audit_signed_heads WHERE chain = '{app['app_id']}'")
    res = verify_db(server)
    assert res.returncode == 0, "what is left is a valid chain: without a head nothing shows"
    exported = {"app_id": app["app_id"], "events": all_events(server, app), "heads": kept_heads}
    res = verify_export(tmp_path, exported, public_key(server))
    assert res.returncode == 1 and "newest events were removed" in res.stdout, res.stdout


def test_the_operators_walk_finds_edits_removals_and_forged_heads(server, make_app):
    app = make_app()
    for i in range(3):
        server.make_user(app, email=f"w{i}@example.com")
    assert server.post("/v1/audit/heads", api_key=app["api_key"]).status_code == 200
    assert verify_db(server).returncode == 0
    chain = app["app_id"]

    db_execute(server, f"UPDATE audit_events SET details = '{{\"edited\":true}}' WHERE chain = '{chain}' AND seq = 2")
    res = verify_db(server)
    assert res.returncode == 1 and f"audit chain {chain} BROKEN at seq=2" in res.stdout, res.stdout
    assert "contents" in res.stdout

    db_execute(server, f"DELETE FROM audit_events WHERE chain = '{chain}' AND seq >= 2")
    res = verify_db(server)
    assert res.returncode == 1 and "newest events were removed" in res.stdout, res.stdout

    db_execute(server, f"DELETE FROM audit_signed_heads WHERE chain = '{chain}'")
    assert verify_db(server).returncode == 0
    # a head written into the database without the audit key does not verify
    row = chain_rows(server, chain)[0]
    db_execute(server, "INSERT INTO audit_signed_heads (chain, seq, hash, signed_at, signature) VALUES "
                       f"('{chain}', 1, {sql_bytes(server, bytes(row['hash']))}, 1, {sql_bytes(server, bytes(64))})")
    res = verify_db(server)
    assert res.returncode == 1 and "signature does not verify" in res.stdout, res.stdout


def sql_bytes(server, b):
    return f"'\\x{b.hex()}'::bytea" if ON_POSTGRES else f"x'{b.hex()}'"


def test_a_given_head_shows_its_chain_was_rewritten_or_cut(server, make_app):
    app = make_app()
    server.make_user(app, email="g@example.com")
    assert server.login(app, "g@example.com").status_code == 201
    res = run_cli("audit", "head", "--data", server.data_dir, "--chain", app["app_id"])
    assert res.returncode == 0, res.stderr
    head = res.stdout.strip()
    assert head.startswith(f"{app['app_id']}:2:")
    res = run_cli("audit", "head", "--data", server.data_dir)
    assert head in res.stdout.splitlines() and any(line.startswith("deployment:") for line in res.stdout.splitlines())
    assert verify_db(server, head).returncode == 0
    seq_hash = head.split(":", 1)[1]
    assert "holding the 1 head given" in verify_db(server, seq_hash).stdout
    db_execute(server, f"DELETE FROM audit_events WHERE chain = '{app['app_id']}' AND seq = 2")
    res = verify_db(server, head)
    assert res.returncode == 1 and "once its head, is gone" in res.stdout, res.stdout
    res = verify_db(server, "12:nothex")
    assert res.returncode == 2 and "--head takes [CHAIN:]SEQ:HASH" in res.stderr


def test_refused_requests_leave_no_audit_events(server, make_app):
    app = make_app()
    before = db_query(server, "SELECT count(*) AS n FROM audit_events")[0]["n"]
    server.post("/v1/admin/apps", json={"name": "no token"})
    server.post("/v1/users", api_key="tfk_wrong", json={"email": "x@example.com"})
    server.post("/v1/users", api_key=app["api_key"], json={"email": "bad"})
    assert db_query(server, "SELECT count(*) AS n FROM audit_events")[0]["n"] == before


def test_concurrent_events_of_several_applications_keep_every_chain_intact(server, make_app):
    apps = [make_app(), make_app()]

    def register(i):
        app = apps[i % 2]
        return requests.post(server.base_url + "/v1/users", headers={"api-key": app["api_key"]},
                             json={"email": f"par{i}@example.com"}, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        assert set(pool.map(register, range(40))) == {201}
    for app in apps:
        events = all_events(server, app)
        assert sum(e["type"] == "user.registered" for e in events) == 20
        assert_intact(app["app_id"], events)
    res = verify_db(server)
    assert res.returncode == 0, res.stdout + res.stderr


def test_the_events_of_one_transaction_stay_together_while_others_append(server, make_app):
    # a verified step-up records its verification and the device it answers in one
    # transaction: both are written at its end, from one read of the chain's head (on
    # PostgreSQL, its row held from there to the commit), so the two are consecutive, while
    # other users of the same application append to the same chain at once
    app = make_app(sandbox=True)
    users = [User(server, app) for _ in range(6)]
    for user in users:
        f = user.post("/v1/factors", json={"type": "totp"}).json()
        assert user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": "123456"}).status_code == 200

    def step_ups(user):
        for i in range(4):
            ch = user.post("/v1/challenges", json={"purpose": "stepup"}).json()
            r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": "123456", "trust_device": i % 2 == 0})
            assert r.status_code == 200, r.text

    with ThreadPoolExecutor(max_workers=len(users)) as pool:
        list(pool.map(step_ups, users))
    events = all_events(server, app)
    assert_intact(app["app_id"], events)
    verified = [i for i, e in enumerate(events)
                if e["type"] == "challenge.verified" and json.loads(e["details"])["purpose"] == "stepup"]
    assert len(verified) == 4 * len(users)
    for i in verified:
        assert events[i + 1]["type"] == "device.trusted", events[i:i + 2]
        assert events[i + 1]["request_id"] == events[i]["request_id"]
    res = verify_db(server)
    assert res.returncode == 0, res.stdout + res.stderr


def test_the_heads_are_signed_every_interval_and_at_the_stop(start_server):
    srv = start_server(args=["--audit-anchor-interval", "1"])
    app = srv.make_app()
    srv.make_user(app, email="anchor@example.com")
    newest = all_events(srv, app)[-1]

    def signed():
        return [h for h in all_heads(srv, app) if h["seq"] == newest["seq"]]

    deadline = time.monotonic() + 30
    while not signed() and time.monotonic() < deadline:
        time.sleep(0.1)
    head = signed()[0]
    assert head["hash"] == newest["hash"] and head_ok(public_key(srv), head)
    lines = [x for x in srv.log_lines() if x.get("msg") == "audit chain head" and x.get("chain") == app["app_id"]]
    assert any(x["seq"] == str(newest["seq"]) and x["hash"] == newest["hash"] for x in lines)

    assert srv.login(app, "anchor@example.com", "not the password").status_code == 401
    srv.stop()
    last = chain_rows(srv, app["app_id"])[-1]
    heads = db_query(srv, f"SELECT seq FROM audit_signed_heads WHERE chain = '{app['app_id']}' ORDER BY seq")
    assert heads[-1]["seq"] == last["seq"], "the stop signs the final head"


def test_the_audit_key_is_created_once_readable_only_by_the_owner(start_server):
    srv = start_server()
    path = srv.data_dir / "audit.key"
    assert path.stat().st_mode & 0o777 == 0o600
    key = public_key(srv)
    srv.stop()
    srv.start()
    assert public_key(srv) == key
    res = run_cli("audit", "sign", "--data", srv.data_dir)
    assert res.returncode == 0 and "signed the heads of" in res.stdout, res.stdout + res.stderr


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL chains its events itself (migration 0028)")
def test_postgresql_chains_an_event_as_the_documented_hash_does_whatever_its_text(server):
    # on PostgreSQL the append statement numbers and hashes the event in SQL; what it computes
    # must be docs/audit.md's hash for any text, UTF-8 beyond ASCII and empty parts included
    e = {"seq": 12, "at": 1765000000123, "type": "user.updated", "actor": "user:usr_é", "subject": "",
         "ip": "2001:db8::1", "request_id": "req_ü✓", "details": '{"name":"Zoë \u202e ✓ 𝄞"}', "prev_hash": "ab" * 32}
    quoted = {k: "'" + str(v).replace("'", "''") + "'" for k, v in e.items()}
    rows = db_query(server, "SELECT encode(twofold_audit_event_hash('app_x', {seq}, {at}, {type}, {actor}, {subject}, {ip}, "
                            "{request_id}, {details}, decode({prev_hash}, 'hex')), 'hex') AS h".format(**quoted))
    assert rows[0]["h"] == event_hash("app_x", e)


@pytest.mark.skipif(not ON_POSTGRES, reason="the audit statements that go with the COMMIT (PostgreSQL's pipeline)")
def test_an_append_failing_at_the_commit_undoes_the_request_and_leaves_the_connection_clean(start_server):
    # one connection for everything, so that the request after the failure runs on the very
    # connection whose pipelined COMMIT failed
    srv = start_server("one_connection", args=["--db-pool-size", "1"])
    app = srv.make_app(sandbox=True)
    user = User(srv, app)
    chain = app["app_id"]
    # another writer holds the chain's head row past the server's lock_timeout (10 s): the
    # append that goes with the next request's COMMIT gives up waiting for it
    with psql_holding(srv, f"SELECT seq FROM audit_chain_heads WHERE chain = '{chain}' FOR UPDATE"):
        refused = user.post("/v1/factors", json={"type": "totp"})
        assert refused.status_code == 503 and refused.json()["error"]["code"] == "STORE_UNAVAILABLE", refused.text
    assert user.get("/v1/factors").json()["factors"] == []  # nothing of the request was kept
    added = user.post("/v1/factors", json={"type": "totp"})
    assert added.status_code == 201, added.text
    assert [f["factor_id"] for f in user.get("/v1/factors").json()["factors"]] == [added.json()["factor_id"]]
    assert_intact(chain, all_events(srv, app))
    res = verify_db(srv)
    assert res.returncode == 0, res.stdout + res.stderr
