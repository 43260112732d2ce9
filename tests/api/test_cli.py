"""The twofold command: first start, admin token, app create, audit verify, configuration."""
import json
import re
import shutil
import signal
import sqlite3
import stat
import subprocess

import pytest
import requests

from harness import (DEFAULT_PASSWORD, FAST_ARGON2, ON_POSTGRES, REPO_ROOT, TWOFOLD_BIN, Server, child_env, db_execute,
                     db_query, free_port, run_cli)


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("precreated", [False, True], ids=["new-folder", "folder-made-by-mkdir-p"])
def test_first_start_creates_the_database_and_master_key_readable_only_by_the_owner(tmp_path, start_server, precreated):
    data = tmp_path / "data"
    if precreated:
        data.mkdir(mode=0o755)  # as `make run` does with `mkdir -p data`
        data.chmod(0o755)
    srv = start_server(data_dir=data)
    app = srv.make_app()
    srv.make_user(app)  # something written: the WAL exists now
    key = data / "master.key"
    assert key.exists()
    assert mode(key) == 0o600
    assert len(key.read_bytes()) >= 32
    if ON_POSTGRES:
        return  # the database is PostgreSQL's, not a file in the folder
    db = data / "twofold.db"
    assert db.exists()
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # the database holds MACs of every credential and sealed secrets: nobody else may read it
    for p in [db, *(data.glob("twofold.db-*"))]:
        assert mode(p) & 0o077 == 0, f"{p.name} has mode {oct(mode(p))}"


def test_a_second_start_keeps_the_master_key(tmp_path, start_server):
    srv = start_server()
    key = (srv.data_dir / "master.key").read_bytes()
    app = srv.make_app()
    srv.stop()
    srv.start()
    assert (srv.data_dir / "master.key").read_bytes() == key
    # credentials issued before the restart still work (their MACs use the same key)
    r = srv.post("/v1/users", api_key=app["api_key"], json={"email": "after-restart@example.com"})
    assert r.status_code == 201, r.text


def test_without_an_admin_token_one_is_generated_printed_once_and_kept(tmp_path, start_server):
    srv = start_server(admin_token=None)
    token_file = srv.data_dir / "admin.token"
    assert token_file.exists()
    assert mode(token_file) == 0o600
    token = token_file.read_text().strip()
    assert len(token) >= 32
    first_stdout = srv.stdout_text()
    assert first_stdout.count(token) == 1, first_stdout
    assert token not in srv.stderr_text()
    r = srv.post("/v1/admin/apps", headers={"Authorization": f"Bearer {token}"}, json={"name": "A"})
    assert r.status_code == 201, r.text

    srv.stop()
    srv.start()
    assert token not in srv.stdout_text()
    assert token not in srv.stderr_text()
    assert token_file.read_text().strip() == token
    r = srv.post("/v1/admin/apps", headers={"Authorization": f"Bearer {token}"}, json={"name": "B"})
    assert r.status_code == 201, r.text
    r = srv.post("/v1/admin/apps", headers={"Authorization": f"Bearer {token}x"}, json={"name": "C"})
    assert r.status_code == 401


def test_app_create_prints_credentials_that_work_against_a_running_server(server):
    res = run_cli("app", "create", "--data", server.data_dir, "--name", "Acme Pay")
    assert res.returncode == 0, res.stderr
    creds = json.loads(res.stdout)  # stdout is exactly one JSON document
    for k in ("app_id", "client_id", "client_secret", "api_key"):
        assert isinstance(creds.get(k), str) and creds[k], creds
    assert creds["app_id"].startswith("app_")
    assert creds["sandbox"] is False
    assert creds["name"] == "Acme Pay"
    assert creds["api_key"] not in res.stderr and creds["client_secret"] not in res.stderr

    r = server.post("/v1/users", api_key=creds["api_key"], json={"email": "cli@example.com"})
    assert r.status_code == 201, r.text
    r = server.get(f"/v1/users/{r.json()['user_id']}", api_key=creds["api_key"])
    assert r.status_code == 200


def test_app_create_with_sandbox_makes_a_sandbox_application(server):
    res = run_cli("app", "create", "--data", server.data_dir, "--name", "Sandbox Co", "--sandbox")
    assert res.returncode == 0, res.stderr
    creds = json.loads(res.stdout)
    assert creds["sandbox"] is True
    other = json.loads(run_cli("app", "create", "--data", server.data_dir, "--name", "Sandbox Co").stdout)
    assert other["app_id"] != creds["app_id"] and other["api_key"] != creds["api_key"]


def test_app_create_takes_a_default_locale_and_the_enabled_factor_types(server):
    res = run_cli("app", "create", "--data", server.data_dir, "--name", "Acme Pay", "--default-locale", "de-AT",
                  "--enabled-factor-types", "email,voice,totp")
    assert res.returncode == 0, res.stderr
    app = json.loads(res.stdout)
    assert app["default_locale"] == "de-AT"
    assert app["enabled_factor_types"] == ["voice", "totp", "email"]  # in the kinds' order
    for flags in (("--default-locale", "de_AT"), ("--enabled-factor-types", "sms,fax"),
                  ("--enabled-factor-types", "sms,"), ("--enabled-factor-types", "")):
        res = run_cli("app", "create", "--data", server.data_dir, "--name", "Bad Pay", *flags)
        assert res.returncode == 2 and flags[0] in res.stderr, (flags, res.stderr)


def test_app_create_without_a_name_fails(tmp_path):
    res = run_cli("app", "create", "--data", tmp_path / "data")
    assert res.returncode != 0
    assert "name" in res.stderr


def _audit_session(srv):
    app = srv.make_app()
    user = srv.make_user(app, email="audited@example.com")
    assert srv.login(app, "audited@example.com").status_code == 201
    assert srv.login(app, "audited@example.com", "wrong password!").status_code == 401
    return app, user


def test_audit_verify_passes_on_an_intact_chain(server):
    _audit_session(server)
    res = run_cli("audit", "verify", "--data", server.data_dir)
    assert res.returncode == 0, res.stdout + res.stderr


def _tampered_copy(srv, tmp_path, name, sql):
    """A copy of the server's data folder whose audit log sql changed; on PostgreSQL the
    server's own database, changed in place (the server is stopped)."""
    if ON_POSTGRES:
        assert db_query(srv, "SELECT count(*) AS n FROM audit_events")[0]["n"] >= 4
        db_execute(srv, sql)
        return srv.data_dir
    copy = tmp_path / name
    shutil.copytree(srv.data_dir, copy)
    with sqlite3.connect(copy / "twofold.db") as c:
        assert c.execute("SELECT count(*) FROM audit_events").fetchone()[0] >= 4
        c.execute(sql)
    return copy


def test_audit_verify_names_the_row_whose_details_were_changed(tmp_path, start_server):
    srv = start_server()
    app, _ = _audit_session(srv)
    srv.stop()  # a quiet copy of the data folder
    copy = _tampered_copy(srv, tmp_path, "updated",
                          f"UPDATE audit_events SET details='{{\"x\":1}}' WHERE chain = '{app['app_id']}' AND seq=2")
    res = run_cli("audit", "verify", "--data", copy)
    out = res.stdout + res.stderr
    assert res.returncode != 0, out
    assert re.search(r"\bseq\D{0,3}2\b", out), out


def test_audit_verify_detects_a_deleted_row(tmp_path, start_server):
    srv = start_server()
    app, _ = _audit_session(srv)
    srv.stop()
    copy = _tampered_copy(srv, tmp_path, "deleted", f"DELETE FROM audit_events WHERE chain = '{app['app_id']}' AND seq=2")
    res = run_cli("audit", "verify", "--data", copy)
    out = res.stdout + res.stderr
    assert res.returncode != 0, out
    # the break shows at the gap: the deleted row or the one after it
    assert re.search(r"\bseq\D{0,3}[23]\b", out), out


def _start_with_config(tmp_path, name, config_lines, port, args=(), env=None):
    """A server whose listen address comes from a config file, flag or environment; port is
    where the test expects it to listen."""
    srv = Server(tmp_path / name, args=[*args], env=env, pass_listen=False, port=port)
    cfg = tmp_path / f"{name}.conf"
    cfg.write_text("# twofold test configuration\n" + "\n".join(config_lines) + "\n")
    srv.args = ["--config", str(cfg), *srv.args]
    return srv


def _idle_timeout_seen(srv):
    app = srv.make_app()
    srv.make_user(app, email="cfg@example.com")
    r = srv.login(app, "cfg@example.com")
    assert r.status_code == 201, r.text
    return r.json()["idle_timeout_seconds"]


def test_a_config_file_sets_settings_and_the_listen_address(tmp_path):
    port = free_port()
    srv = _start_with_config(tmp_path, "file", [f"listen = 127.0.0.1:{port}", "session_idle_timeout = 111"], port)
    srv.start()
    try:
        assert _idle_timeout_seen(srv) == 111
    finally:
        srv.stop()


def test_a_flag_overrides_the_config_file(tmp_path):
    file_port, flag_port = free_port(), free_port()
    srv = _start_with_config(tmp_path, "flag", [f"listen = 127.0.0.1:{file_port}", "session_idle_timeout = 111"],
                             flag_port, args=["--session-idle-timeout", "222", "--listen", f"127.0.0.1:{flag_port}"])
    srv.start()
    try:
        assert _idle_timeout_seen(srv) == 222
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{file_port}/healthz", timeout=1)
    finally:
        srv.stop()


def test_the_environment_overrides_flags_and_the_config_file(tmp_path):
    file_port, flag_port, env_port = free_port(), free_port(), free_port()
    srv = _start_with_config(tmp_path, "env", [f"listen = 127.0.0.1:{file_port}", "session_idle_timeout = 111"],
                             env_port, args=["--session-idle-timeout", "222", "--listen", f"127.0.0.1:{flag_port}"],
                             env={"TWOFOLD_SESSION_IDLE_TIMEOUT": "333", "TWOFOLD_LISTEN": f"127.0.0.1:{env_port}"})
    srv.start()
    try:
        assert _idle_timeout_seen(srv) == 333
    finally:
        srv.stop()


def _serve_must_refuse(tmp_path, *args, env=None):
    """serve with bad settings must exit non-zero at once, with a message on stderr."""
    cmd = [str(TWOFOLD_BIN), "serve", "--listen", f"127.0.0.1:{free_port()}", "--data", str(tmp_path / "d"),
           *FAST_ARGON2, *args]
    res = subprocess.run(cmd, env=child_env(env or {"TWOFOLD_ADMIN_TOKEN": "x" * 40}), capture_output=True,
                         text=True, timeout=20)
    assert res.returncode != 0, res.stdout + res.stderr
    assert res.stderr.strip(), "no message"
    return res


def test_an_unknown_flag_is_refused_with_a_message(tmp_path):
    res = _serve_must_refuse(tmp_path, "--no-such-setting", "1")
    assert "no-such-setting" in res.stderr or "no_such_setting" in res.stderr, res.stderr


def test_a_bad_setting_value_is_refused_with_a_message(tmp_path):
    res = _serve_must_refuse(tmp_path, "--session-idle-timeout", "soon")
    assert "session" in res.stderr, res.stderr


def test_a_bad_config_file_line_is_refused_naming_the_line(tmp_path):
    cfg = tmp_path / "bad.conf"
    cfg.write_text("session_idle_timeout = 60\nthis line has no equals sign\n")
    res = _serve_must_refuse(tmp_path, "--config", str(cfg))
    assert ":2" in res.stderr, res.stderr


def test_the_admin_token_cannot_be_given_as_a_flag(tmp_path):
    # a flag would show the secret in the process list
    _serve_must_refuse(tmp_path, "--admin-token", "x" * 40)


def test_an_unknown_command_fails_with_usage(tmp_path):
    res = run_cli("frobnicate")
    assert res.returncode != 0
    assert "usage" in (res.stderr + res.stdout).lower()


def test_help_exits_zero_and_lists_the_settings():
    res = run_cli("help")
    assert res.returncode == 0, res.stderr
    assert "serve" in res.stdout
    assert "--session-idle-timeout" in res.stdout
    assert "--listen" in res.stdout


@pytest.mark.parametrize("args", [("--help",), ("-h",), ("serve", "--help"), ("app", "create", "-h"),
                                  ("serve", "--data", "/nonexistent", "--help")])
def test_help_flags_print_the_usage_anywhere(args):
    # `twofold serve --help` once failed with "flag --help needs a value" and started nothing useful
    res = run_cli(*args)
    assert res.returncode == 0, res.stderr
    assert "usage:" in res.stdout and "--listen" in res.stdout
    assert "needs a value" not in res.stderr


def test_sigint_also_stops_the_server_cleanly(start_server):
    srv = start_server()
    srv.make_app()
    srv.stop(signal.SIGINT)


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite: every test's server starts on an empty database already")
def test_nodes_migrating_an_empty_postgres_database_at_once_then_serving(start_server, tmp_path):
    # Test servers on PostgreSQL start on a copy of an already migrated template (harness.py);
    # here the whole path from an empty database, with two `migrate` racing for it as two
    # nodes deployed together would (the advisory lock makes one wait for the other).
    import pg_cluster
    url = pg_cluster.cluster().new_database()
    racers = [subprocess.Popen([str(TWOFOLD_BIN), "migrate", "--data", str(tmp_path / f"node{i}")],
                               env=child_env({"TWOFOLD_DATABASE": url}), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True) for i in range(2)]
    for p in racers:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
    srv = start_server("after-race", database=url)
    rows = db_query(srv, "SELECT version FROM schema_migrations ORDER BY version")
    versions = [r["version"] for r in rows]
    # every migration file applied once (numbers may skip one that another branch holds)
    files = sorted(int(p.name[:4]) for p in (REPO_ROOT / "src/store/migrations/postgres").glob("*.sql"))
    assert versions == files and len(versions) >= 12, versions
    # a start on an already migrated database: the server's NOTICEs ("already exists,
    # skipping") once reached stderr as plain text, between the JSON log lines
    assert srv.log_lines()
    app = srv.make_app()
    assert srv.post("/v1/users", api_key=app["api_key"], json={"email": "e@example.com",
                                                               "password": DEFAULT_PASSWORD}).status_code == 201


def test_migrate_on_a_served_database_is_a_no_op(server):
    res = run_cli("migrate", "--data", server.data_dir)
    assert res.returncode == 0, res.stderr
    app = server.make_app()
    assert server.post("/v1/users", api_key=app["api_key"], json={"email": "m@example.com",
                                                                  "password": DEFAULT_PASSWORD}).status_code == 201
