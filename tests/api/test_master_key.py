"""The master key (issue 21, point 10): the database keeps a check value of it and a command
whose key does not match exits before it listens or writes (not answering every request 401
INVALID_API_KEY, as a node with another key once did); the key read from the file that
master_key_file or TWOFOLD_MASTER_KEY_FILE names (a secret manager's mount), never created;
`twofold key rotate`: every sealed secret sealed anew and the key ring re-wrapped, in one
transaction, with tokens, cookies, API keys, sessions, the audit chain and idempotent answers
still good under the new key, and nothing left that the old key opens; and a database from
before the key ring, which gets one at its first start. On SQLite and on PostgreSQL
(tests/api/test_multinode.py has the nodes that start together)."""
import base64
import hashlib
import hmac
import os
import json
import secrets
import stat
import struct
import time
from pathlib import Path

import pytest

from factor_helpers import User, oathtool, sms_codes, wait_for_fresh_totp_step
from harness import (DEFAULT_PASSWORD, ON_POSTGRES, Server, assert_error, db_execute, db_query, run_cli,
                     serve_must_exit)
from sso_helpers import entry_query
from test_delivery_providers import FakeTwilio, basic
from test_delivery_webhook import Recorder

MISMATCH = "does not match the key this database was created with"
HOME = "https://partner.example/home"

# every column that holds sealed values (store.h, enum sealed_column): table, key columns, column
SEALED = [("apps", "app_id", "client_secret_sealed"), ("apps", "app_id", "delivery_sealed"),
          ("factors", "factor_id", "secret_sealed"), ("outbox", "message_id", "sealed_body"),
          ("idempotency", "scope || '/' || ref", "body"), ("apps", "app_id", "events_secret_sealed")]
EVENTS_SECRET = "rotation-events-secret-" + "e" * 24


def write_key(path, key=None, *, hex_form=False, mode=0o600):
    key = key if key is not None else secrets.token_bytes(32)
    path = Path(path)
    path.write_bytes((key.hex() + "\n").encode() if hex_form else key)
    path.chmod(mode)
    return key


def blob_literal(b):
    return f"'\\x{b.hex()}'::bytea" if ON_POSTGRES else f"X'{b.hex()}'"


def keyring(srv):
    rows = db_query(srv, "SELECT check_value, wrapped_keys, created_at, rotated_at FROM keyring")
    assert len(rows) <= 1
    return rows[0] if rows else None


def set_keyring(srv, ring):
    db_execute(srv, f"UPDATE keyring SET check_value = {blob_literal(ring['check_value'])}, "
                    f"wrapped_keys = {blob_literal(ring['wrapped_keys'])}")


def sealed_values(srv):
    out = {}
    for table, key, col in SEALED:
        for r in db_query(srv, f"SELECT {key} AS k, {col} AS v FROM {table} WHERE {col} IS NOT NULL"):
            if r["v"]:
                out[(table, col, r["k"])] = bytes(r["v"])
    return out


def sso_entry(srv, app, user_id):
    r = srv.post("/v1/sso/tokens", api_key=app["api_key"], json={"user_id": user_id})
    assert r.status_code == 201, r.text
    q = entry_query(app, r.json()["token"], "/account/factors", HOME)
    return srv.http.get(srv.base_url + q, allow_redirects=False)


def trusted_device(srv):
    """A sandbox user stepped up with a trusted device: (app, user_id, cookie)."""
    user = User(srv, srv.make_app(sandbox=True))
    f = user.post("/v1/factors", json={"type": "totp"}).json()
    assert user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": "123456"}).status_code == 200
    ch = user.post("/v1/challenges", json={"purpose": "stepup"}).json()
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": "123456", "trust_device": True})
    assert r.status_code == 200, r.text
    return user.app, user.user["user_id"], r.json()["device"]["cookie"]


def cookie_trusted(srv, app, user_id, cookie):
    r = srv.post("/v1/devices/validate", api_key=app["api_key"], json={"user_id": user_id, "cookie": cookie})
    assert r.status_code == 200, r.text
    return r.json()["trusted"]


def totp_stepup(user, factor, code):
    ch = user.post("/v1/challenges", json={"purpose": "stepup", "factor_id": factor["factor_id"]})
    assert ch.status_code == 201, ch.text
    return user.post(f"/v1/challenges/{ch.json()['challenge_id']}/verify", json={"code": code})


def must_exit(srv, env=None, probe_app=None):
    """serve on srv's folder and database must exit non-zero without answering; its stderr."""
    headers = {"api-key": probe_app["api_key"]} if probe_app else None
    return serve_must_exit(srv.data_dir, database=srv.database, env=env, probe_headers=headers)


# ---- the check value ----

def test_a_node_whose_master_key_is_another_exits_at_start_and_never_answers(start_server, tmp_path):
    srv = start_server()
    app = srv.make_app()
    key = (srv.data_dir / "master.key").read_bytes()
    srv.stop()
    other = tmp_path / "other.key"
    write_key(other)
    # a node of the same database given another key file, and a data folder whose master.key was
    # replaced: both exit before listening, saying why, instead of answering 401 INVALID_API_KEY
    err = must_exit(srv, env={"TWOFOLD_MASTER_KEY_FILE": str(other)}, probe_app=app)
    assert MISMATCH in err and str(other) in err, err
    assert any(line.get("level") == "error" and MISMATCH in line.get("msg", "")
               for line in map(_json_or_none, err.splitlines()) if line), err
    (srv.data_dir / "master.key").unlink()
    write_key(srv.data_dir / "master.key")
    assert MISMATCH in must_exit(srv, probe_app=app)
    # the database holds the key's check value, not the key
    ring = keyring(srv)
    assert ring and len(ring["check_value"]) == 32 and ring["rotated_at"] == 0
    assert ring["check_value"] != key and key not in srv.raw_data_bytes() and key.hex().encode() not in srv.raw_data_bytes()
    # the commands that use the keys refuse too, and change nothing
    for cmd in (["app", "create", "--name", "X"], ["audit", "verify"], ["audit", "head"]):
        res = run_cli(*cmd, "--data", srv.data_dir)
        assert res.returncode != 0 and MISMATCH in res.stderr, (cmd, res.stdout, res.stderr)
        assert "api_key" not in res.stdout
    assert keyring(srv) == ring
    assert db_query(srv, "SELECT count(*) AS n FROM apps")[0]["n"] == 1
    # the right key again: the node serves, and what it issued still works
    (srv.data_dir / "master.key").write_bytes(key)
    srv.start()
    assert srv.post("/v1/users", api_key=app["api_key"], json={"email": "back@example.com"}).status_code == 201


def _json_or_none(line):
    import json
    try:
        return json.loads(line)
    except ValueError:
        return None


# ---- master_key_file ----

@pytest.mark.parametrize("how", ["setting", "flag", "environment"])
def test_the_key_is_read_from_the_file_master_key_file_names_and_none_is_created(start_server, tmp_path, how):
    secret_dir = tmp_path / "secrets"
    secret_dir.mkdir()
    key_path = secret_dir / "twofold-master-key"
    key = write_key(key_path, hex_form=how == "environment", mode=0o400)  # as a secret manager mounts it
    cfg = tmp_path / "twofold.conf"
    cfg.write_text(f"master_key_file = {key_path}\n")
    srv = Server(tmp_path / "node",
                 args={"setting": ["--config", str(cfg)], "flag": ["--master-key-file", str(key_path)],
                       "environment": []}[how],
                 env={"TWOFOLD_MASTER_KEY_FILE": str(key_path)} if how == "environment" else None)
    srv.start()
    try:
        app = srv.make_app()
        user = srv.make_user(app)
        assert srv.token_alive(app, srv.token_for(app, user["email"]))
        srv.stop()
        srv.start()  # the key ring written at the first start matches the file's key
        assert srv.post("/v1/users", api_key=app["api_key"], json={"email": "again@example.com"}).status_code == 201
        assert not (srv.data_dir / "master.key").exists()
        assert sorted(p.name for p in secret_dir.iterdir()) == ["twofold-master-key"]
        assert key_path.read_bytes() == ((key.hex() + "\n").encode() if how == "environment" else key)
        # the key file's path is no secret, but the key never shows
        out = srv.all_output()
        assert key.hex() not in out
        res = run_cli("audit", "verify", "--data", srv.data_dir, env={"TWOFOLD_MASTER_KEY_FILE": str(key_path)})
        assert res.returncode == 0, res.stderr
        # without it, the data folder's own (new) key is not the database's
        res = run_cli("audit", "verify", "--data", srv.data_dir)
        assert res.returncode != 0 and MISMATCH in res.stderr
    finally:
        srv.stop()


def test_a_missing_or_unusable_key_file_fails_clearly_and_nothing_is_created(start_server, tmp_path):
    srv = start_server()
    app = srv.make_app()
    srv.stop()
    missing = tmp_path / "mounted" / "master-key"
    err = must_exit(srv, env={"TWOFOLD_MASTER_KEY_FILE": str(missing)}, probe_app=app)
    assert str(missing) in err and "does not exist" in err and "never creates" in err, err
    assert not missing.parent.exists()
    not_a_key = tmp_path / "not-a-key"
    not_a_key.write_text("hunter2\n")
    not_a_key.chmod(0o600)
    err = must_exit(srv, env={"TWOFOLD_MASTER_KEY_FILE": str(not_a_key)}, probe_app=app)
    assert str(not_a_key) in err and "32 bytes" in err, err
    err = must_exit(srv, env={"TWOFOLD_MASTER_KEY_FILE": str(tmp_path)}, probe_app=app)  # a folder
    assert str(tmp_path) in err and "not a regular file" in err, err
    # the commands too; migrate needs no key
    res = run_cli("app", "create", "--name", "X", "--data", srv.data_dir, "--master-key-file", str(missing))
    assert res.returncode != 0 and "does not exist" in res.stderr
    res = run_cli("migrate", "--data", srv.data_dir, "--master-key-file", str(missing))
    assert res.returncode == 0, res.stderr
    assert not missing.parent.exists()


def test_migrate_alone_writes_no_key_and_no_key_ring(tmp_path):
    data = tmp_path / "fresh"
    env = {}
    if ON_POSTGRES:
        import pg_cluster
        from harness import _migrate_template
        env["TWOFOLD_DATABASE"] = pg_cluster.cluster().migrated_database(_migrate_template)
    res = run_cli("migrate", "--data", data, env=env)
    assert res.returncode == 0, res.stderr
    assert not (data / "master.key").exists()
    probe = Server(tmp_path, data_dir=data, database=env.get("TWOFOLD_DATABASE"))
    assert keyring(probe) is None


# ---- rotation ----

def _rotation_fixture(srv, twilio):
    """Everything a rotation must keep working, issued before it."""
    s = {"events": twilio.events}
    app = srv.make_app(redirect_uri_prefixes=["https://partner.example/"],
                       delivery={"twilio": {"account_sid": "AC-APP", "auth_token": "app-token-xyz", "from": "+15005550007",
                                            "base_url": twilio.url}},
                       events={"url": f"http://127.0.0.1:{twilio.events.port}/events", "secret": EVENTS_SECRET})
    s["app"] = app
    s["user"] = user = User(srv, app)
    wait_for_fresh_totp_step(margin=8)
    s["enrol_step"] = int(time.time()) // 30
    r = user.post("/v1/factors", json={"type": "totp"})
    assert r.status_code == 201, r.text
    s["totp"] = factor = r.json()
    r = user.post(f"/v1/factors/{factor['factor_id']}/verify", json={"code": oathtool(factor["totp"]["secret"])})
    assert r.status_code == 200, r.text
    s["cookie"] = trusted_device(srv)
    r = srv.post("/v1/users", api_key=app["api_key"], json={"email": "idem@example.com"},
                 headers={"idempotency-ref": "rotation-1"})
    assert r.status_code == 201, r.text
    s["idem"] = r.json()
    s["sso_user"] = srv.make_user(app, password=None, type="sso")["user_id"]
    return s


def _next_totp_code(s):
    """A code one step after the enrolment's: accepted (never a replay) for a minute after it."""
    step = s["enrol_step"] + 1
    assert int(time.time()) // 30 <= step + 1, "the test took too long for its TOTP code"
    return oathtool(s["totp"]["totp"]["secret"], offset_steps=step - int(time.time()) // 30)


def _all_still_work(srv, s, twilio):
    app, user = s["app"], s["user"]
    assert srv.token_alive(app, user.token)  # the session
    assert srv.post("/v1/users", api_key=app["api_key"], json={"email": f"k{secrets.token_hex(3)}@example.com"}).status_code == 201
    r = totp_stepup(user, s["totp"], _next_totp_code(s))  # the TOTP secret
    assert r.status_code == 200, r.text
    assert cookie_trusted(srv, *s["cookie"]) is True  # the device cookie
    r = srv.post("/v1/users", api_key=app["api_key"], json={"email": "idem@example.com"},
                 headers={"idempotency-ref": "rotation-1"})
    assert r.status_code == 201 and r.headers.get("Idempotent-Replayed") == "true", r.text
    assert r.json() == s["idem"]  # the recorded answer
    r = sso_entry(srv, app, s["sso_user"])  # the client secret
    assert r.status_code == 303, r.text[:500]
    n = len(twilio.calls)  # the application's own Twilio credentials
    sms_user = User(srv, app)
    assert sms_user.post("/v1/factors", json={"type": "sms", "phone": "+447700900123"}).status_code == 201
    path, headers, _ = twilio.wait(n + 1)[n]
    assert path == "/2010-04-01/Accounts/AC-APP/Messages.json"
    assert headers["Authorization"] == basic("AC-APP", "app-token-xyz")
    # the events secret: a security event token of now, signed with it (docs/events.md)
    n = len(s["events"].received)
    srv.make_user(app)
    _, jwt = s["events"].wait(n + 1)[-1]
    signing_input, _, signature = jwt.rpartition(b".")
    want = hmac.new(EVENTS_SECRET.encode(), signing_input, hashlib.sha256).digest()
    assert hmac.compare_digest(signature, base64.urlsafe_b64encode(want).rstrip(b"="))


def test_rotation_keeps_everything_working_under_the_new_key_and_the_old_key_opens_nothing(start_server):
    twilio = FakeTwilio()
    twilio.events = Recorder()
    try:
        srv = start_server()
        s = _rotation_fixture(srv, twilio)
        old_key = (srv.data_dir / "master.key").read_bytes()
        srv.stop()  # (its outbox delivers what is due first: the values to compare stay as they are)
        old_ring, before = keyring(srv), sealed_values(srv)
        assert {k[:2] for k in before} - {("outbox", "sealed_body")} == \
            {(t, c) for t, _, c in SEALED if t != "outbox"}, before.keys()

        res = run_cli("key", "rotate", "--data", srv.data_dir)
        assert res.returncode == 0, res.stdout + res.stderr
        new_key = (srv.data_dir / "master.key").read_bytes()
        backups = list(srv.data_dir.glob("master.key.old-*"))
        assert len(new_key) == 32 and new_key != old_key
        assert len(backups) == 1 and backups[0].read_bytes() == old_key
        for p in (srv.data_dir / "master.key", backups[0]):
            assert stat.S_IMODE(p.stat().st_mode) == 0o600
        assert not list(srv.data_dir.glob("master.key.new*"))
        assert "TOTP secrets" in res.stdout and str(backups[0]) in res.stdout
        assert new_key.hex() not in res.stdout + res.stderr and old_key.hex() not in res.stdout + res.stderr
        new_ring, after = keyring(srv), sealed_values(srv)
        assert new_ring["check_value"] != old_ring["check_value"] and new_ring["rotated_at"] > 0
        assert new_ring["created_at"] == old_ring["created_at"]
        # every sealed value sealed anew, none left as it was
        assert after.keys() == before.keys()
        assert [k for k in before if after[k] == before[k]] == []

        # the old key with the ring it had (as in a backup from before): the secrets the
        # database holds now do not open under it
        set_keyring(srv, old_ring)
        srv.extra_env["TWOFOLD_MASTER_KEY_FILE"] = str(backups[0])
        srv.start()
        r = totp_stepup(s["user"], s["totp"], _next_totp_code(s))
        assert_error(r, 403, "VERIFICATION_CODE_INVALID")
        r = srv.post("/v1/users", api_key=s["app"]["api_key"], json={"email": "idem@example.com"},
                     headers={"idempotency-ref": "rotation-1"})
        assert r.status_code == 500, r.text
        r = sso_entry(srv, s["app"], s["sso_user"])
        assert r.status_code != 303, r.text[:500]
        srv.stop()
        set_keyring(srv, new_ring)

        # the new key: every credential issued before the rotation works
        del srv.extra_env["TWOFOLD_MASTER_KEY_FILE"]
        srv.start()
        _all_still_work(srv, s, twilio)
        res = run_cli("audit", "verify", "--data", srv.data_dir)
        assert res.returncode == 0, res.stdout + res.stderr
        rows = db_query(srv, "SELECT type AS event, actor, details FROM audit_events WHERE type = 'master_key.rotated'")
        assert len(rows) == 1 and rows[0]["actor"] == "operator:cli", rows
        srv.stop()

        # the old key no longer starts a node
        err = must_exit(srv, env={"TWOFOLD_MASTER_KEY_FILE": str(backups[0])}, probe_app=s["app"])
        assert MISMATCH in err
        srv.start()
    finally:
        twilio.httpd.shutdown()
        twilio.events.close()


def test_rotation_to_a_named_key_file_for_a_secret_manager(start_server, tmp_path):
    first = tmp_path / "key-1"
    write_key(first)
    srv = start_server(env={"TWOFOLD_MASTER_KEY_FILE": str(first)})
    app = srv.make_app()
    user = srv.make_user(app)
    token = srv.token_for(app, user["email"])
    srv.stop()
    env = {"TWOFOLD_MASTER_KEY_FILE": str(first)}
    # the current key as the new one: refused
    res = run_cli("key", "rotate", "--data", srv.data_dir, "--new-key", first, env=env)
    assert res.returncode != 0 and "current master key" in res.stderr, res.stderr
    # made there (a new file, 0600) when it does not exist
    second = tmp_path / "key-2"
    res = run_cli("key", "rotate", "--data", srv.data_dir, "--new-key", second, env=env)
    assert res.returncode == 0, res.stdout + res.stderr
    assert len(second.read_bytes()) == 32 and stat.S_IMODE(second.stat().st_mode) == 0o600
    assert str(second) in res.stdout
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("key-")) == ["key-1", "key-2"]
    assert not (srv.data_dir / "master.key").exists()
    # a key the secret manager made (hex), given to the next rotation
    third = tmp_path / "key-3"
    write_key(third, hex_form=True, mode=0o400)
    res = run_cli("key", "rotate", "--data", srv.data_dir, "--new-key", third,
                  env={"TWOFOLD_MASTER_KEY_FILE": str(second)})
    assert res.returncode == 0, res.stdout + res.stderr
    for old in (first, second):
        assert MISMATCH in must_exit(srv, env={"TWOFOLD_MASTER_KEY_FILE": str(old)}, probe_app=app)
    srv.extra_env["TWOFOLD_MASTER_KEY_FILE"] = str(third)
    srv.start()
    assert srv.token_alive(app, token)
    assert run_cli("audit", "verify", "--data", srv.data_dir, env={"TWOFOLD_MASTER_KEY_FILE": str(third)}).returncode == 0


def test_rotation_with_a_new_cookie_key_revokes_every_trusted_device(start_server):
    # for a master key that may have leaked: the cookie key derived from it (a database from
    # before the key ring) or taken with a copy of the ring could sign cookies for anyone
    srv = start_server()
    app, user_id, cookie = trusted_device(srv)
    app2, user2, cookie2 = trusted_device(srv)
    token = srv.token_for(app, srv.make_user(app)["email"])
    srv.stop()
    res = run_cli("key", "rotate", "--new-cookie-key", "--data", srv.data_dir)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "2 trusted devices were revoked" in res.stdout, res.stdout
    srv.start()
    for a, u, c in ((app, user_id, cookie), (app2, user2, cookie2)):
        r = srv.post("/v1/devices/validate", api_key=a["api_key"], json={"user_id": u, "cookie": c})
        assert r.status_code == 200 and r.json()["trusted"] is False, r.text
    assert db_query(srv, "SELECT count(*) AS n FROM devices WHERE revoked_at = 0")[0]["n"] == 0
    assert srv.token_alive(app, token)  # the rest stays
    rows = db_query(srv, "SELECT details FROM audit_events WHERE type = 'master_key.rotated'")
    assert '"new_cookie_key":true' in rows[0]["details"] and '"devices_revoked":2' in rows[0]["details"], rows
    assert run_cli("audit", "verify", "--data", srv.data_dir).returncode == 0
    # a device trusted after the rotation gets a cookie under the new key
    app3, user3, cookie3 = trusted_device(srv)
    assert cookie_trusted(srv, app3, user3, cookie3) is True


def test_a_rotation_that_fails_changes_nothing(start_server, tmp_path):
    srv = start_server()
    app = srv.make_app()
    key = (srv.data_dir / "master.key").read_bytes()
    srv.stop()
    # with another key than the database's: refused before anything is written
    other = tmp_path / "other.key"
    write_key(other)
    res = run_cli("key", "rotate", "--data", srv.data_dir, env={"TWOFOLD_MASTER_KEY_FILE": str(other)})
    assert res.returncode != 0 and MISMATCH in res.stderr, res.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if "key" in p.name) == ["other.key"]
    # a sealed value that does not open (damaged): the whole rotation is undone
    srv.start()
    victim = srv.make_app()
    srv.stop()
    ring, before = keyring(srv), sealed_values(srv)
    db_execute(srv, f"UPDATE apps SET client_secret_sealed = {blob_literal(bytes(60))} WHERE app_id = '{victim['app_id']}'")
    damaged = sealed_values(srv)
    res = run_cli("key", "rotate", "--data", srv.data_dir)
    assert res.returncode != 0, res.stdout + res.stderr
    assert "nothing was changed" in res.stderr, res.stderr
    assert (srv.data_dir / "master.key").read_bytes() == key
    assert sorted(p.name for p in srv.data_dir.iterdir() if p.name.startswith("master.key")) == ["master.key"]
    assert keyring(srv) == ring and sealed_values(srv) == damaged
    assert [k for k in before if before[k] != damaged[k]] == [("apps", "client_secret_sealed", victim["app_id"])]
    srv.start()
    assert srv.post("/v1/users", api_key=app["api_key"], json={"email": "still@example.com"}).status_code == 201


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite cannot tell whether its one node is serving: the README says to stop it")
def test_rotation_refuses_while_a_node_is_serving(start_server):
    # a node that kept serving would seal what it writes under the old sealing key, which the
    # database no longer has after the rotation
    srv = start_server()
    app = srv.make_app()
    ring, before = keyring(srv), sealed_values(srv)
    res = run_cli("key", "rotate", "--data", srv.data_dir)
    assert res.returncode != 0 and "stop every node first" in res.stderr, res.stdout + res.stderr
    assert keyring(srv) == ring and sealed_values(srv) == before
    assert sorted(p.name for p in srv.data_dir.iterdir() if p.name.startswith("master.key")) == ["master.key"]
    assert srv.post("/v1/users", api_key=app["api_key"], json={"email": "on@example.com"}).status_code == 201


# ---- a database from before the key ring ----

def _kdf(master, subkey_id, context):
    """libsodium's crypto_kdf_derive_from_key (BLAKE2b with salt and personalisation)."""
    return hashlib.blake2b(b"", digest_size=32, key=master, salt=struct.pack("<Q", subkey_id) + bytes(8),
                           person=context + bytes(16 - len(context))).digest()


def _audit_hash(key, seq, at_ms, prev, fields):
    """core/audit_chain.c: HMAC-SHA-256 over length-prefixed fields."""
    parts = [b"twofold-audit-v1", prev, struct.pack(">Q", seq), struct.pack(">Q", at_ms)] + [f.encode() for f in fields]
    return hmac.new(key, b"".join(struct.pack(">Q", len(p)) + p for p in parts), hashlib.sha256).digest()


def _older_database(tmp_path, master):
    """A migrated database holding one audit row that an older twofold wrote with master (its
    audit key derived as those builds did), and no key ring: the server for it, not started."""
    database = None
    if ON_POSTGRES:
        import pg_cluster
        from harness import _migrate_template
        database = pg_cluster.cluster().migrated_database(_migrate_template)
    srv = Server(tmp_path / "older", database=database)
    res = run_cli("migrate", "--data", srv.data_dir, env={"TWOFOLD_DATABASE": database} if database else None)
    assert res.returncode == 0, res.stderr
    at_ms = int(time.time() * 1000)
    fields = ["", "operator.note", "operator:test", "", "", "", "{}"]
    h = _audit_hash(_kdf(master, 3, b"twofold\0"), 1, at_ms, bytes(32), fields)
    _write_older_audit_row(srv, at_ms, fields, h)
    return srv


def _write_older_audit_row(srv, at_ms, fields, h):
    """The single keyed audit chain of the builds before the per-application chains (format 1):
    its row, and nothing in the new chains."""
    for table in ("audit_events", "audit_chains", "audit_signed_heads") + (("audit_chain_heads",) if ON_POSTGRES else ()):
        db_execute(srv, f"DELETE FROM {table}")
    values = ", ".join(f"'{f}'" for f in fields)
    db_execute(srv, "INSERT INTO audit_log (seq, at_ms, app_id, event, actor, subject, ip, request_id, details, "
                    f"prev_hash, hash) VALUES (1, {at_ms}, {values}, {blob_literal(bytes(32))}, {blob_literal(h)})")


def test_a_database_from_before_the_key_ring_gets_one_and_keeps_its_keys(tmp_path):
    master = secrets.token_bytes(32)
    srv = _older_database(tmp_path, master)
    older_row = db_query(srv, "SELECT * FROM audit_log")[0]
    key_path = tmp_path / "older.key"
    write_key(key_path, master)
    # another key on that database: its first audit row does not verify, and nothing is written
    other = tmp_path / "other.key"
    write_key(other)
    err = must_exit(srv, env={"TWOFOLD_MASTER_KEY_FILE": str(other)})
    assert MISMATCH in err and "first audit row" in err, err
    assert keyring(srv) is None
    # its own key: the ring is written, with the data keys that database's rows were made with
    srv.extra_env["TWOFOLD_MASTER_KEY_FILE"] = str(key_path)
    srv.start()
    try:
        ring = keyring(srv)
        assert ring is not None
        # the older row, checked under those keys, moved into the deployment's chain
        assert db_query(srv, "SELECT count(*) AS n FROM audit_log")[0]["n"] == 0
        moved = db_query(srv, "SELECT * FROM audit_events WHERE chain = 'deployment' ORDER BY seq")
        assert [(r["seq"], r["type"], r["at_ms"]) for r in moved[:1]] == [(1, "operator.note", older_row["at_ms"])]
        split = json.loads(moved[1]["details"])
        assert moved[1]["type"] == "audit.chains_split" and split["format1_intact"] is True
        assert split["format1_rows"] == 1 and split["format1_head_hash"] == bytes(older_row["hash"]).hex()
        app = srv.make_app()
        user = User(srv, app)
        r = srv.post("/v1/users", api_key=app["api_key"], json={"email": "idem@example.com"},
                     headers={"idempotency-ref": "upgrade-1"})
        assert r.status_code == 201, r.text
        idem = r.json()
        wait_for_fresh_totp_step(margin=8)
        step = int(time.time()) // 30
        factor = user.post("/v1/factors", json={"type": "totp"}).json()
        assert user.post(f"/v1/factors/{factor['factor_id']}/verify",
                         json={"code": oathtool(factor["totp"]["secret"])}).status_code == 200
        srv.stop()
        # everything in it now as an older twofold wrote it: no ring. The next start writes one
        # again, and what was issued works: the ring's data keys are the derived ones.
        db_execute(srv, "DELETE FROM keyring")
        _write_older_audit_row(srv, older_row["at_ms"], [older_row[k] for k in (
            "app_id", "event", "actor", "subject", "ip", "request_id", "details")], bytes(older_row["hash"]))
        srv.start()
        assert keyring(srv)["check_value"] == ring["check_value"]
        assert srv.token_alive(app, user.token)
        r = srv.post("/v1/users", api_key=app["api_key"], json={"email": "idem@example.com"},
                     headers={"idempotency-ref": "upgrade-1"})
        assert r.status_code == 201 and r.json() == idem, r.text
        code = oathtool(factor["totp"]["secret"], offset_steps=step + 1 - int(time.time()) // 30)
        assert totp_stepup(user, factor, code).status_code == 200
        res = run_cli("audit", "verify", "--data", srv.data_dir, env={"TWOFOLD_MASTER_KEY_FILE": str(key_path)})
        assert res.returncode == 0, res.stdout + res.stderr
    finally:
        srv.stop()
