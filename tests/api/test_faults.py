"""Faults (issue 10): a full disk gives 503 STORE_UNAVAILABLE, never a crash or a corrupt
database; slow clients and hundreds of idle connections do not stop the service from answering
others. (kill -9 during verifications is tests/api/test_durability.py.)"""
import resource
import shutil
import socket
import sqlite3
import subprocess
import time

import pytest

from factor_helpers import User
from harness import ON_POSTGRES, assert_error, run_cli


@pytest.mark.skipif(ON_POSTGRES, reason="the files a full disk stops are SQLite's; on PostgreSQL the database server's "
                    "disk is its own, and a lost database is tests/api/test_database_loss.py")
def test_a_full_disk_answers_503_and_corrupts_nothing(start_server, tmp_path):
    limit = 3 * 1024 * 1024  # every file the server writes stops growing at 3 MiB

    def cap_file_size():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    server = start_server("full", preexec=cap_file_size)
    app = server.make_app()
    created, refused = [], None
    for i in range(20000):
        r = server.post("/v1/users", api_key=app["api_key"],
                        json={"email": f"filler-{i}@example.com", "name": "x" * 200})
        if r.status_code == 201:
            created.append(r.json()["user_id"])
            continue
        refused = r
        break
    assert refused is not None, "the disk never filled"
    assert_error(refused, 503, "STORE_UNAVAILABLE")
    assert server.get("/healthz").status_code == 200  # still serving
    server.stop()
    server.preexec = None
    server.start()
    # every user that was answered 201 is there; the database and the audit chain are whole
    for user_id in created[-50:]:
        assert server.get(f"/v1/users/{user_id}", api_key=app["api_key"]).status_code == 200
    db = sqlite3.connect(f"file:{server.db_path()}?mode=ro", uri=True)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    assert server.post("/v1/users", api_key=app["api_key"], json={"email": "after@example.com"}).status_code == 201
    server.stop()
    out = run_cli("audit", "verify", "--data", str(server.data_dir))
    assert out.returncode == 0, out.stdout + out.stderr


def test_slow_clients_and_idle_connections_do_not_stop_the_others(start_server):
    server = start_server(args=["--connection-timeout", "2"])
    idle = []
    for _ in range(300):  # connections that never send anything
        s = socket.create_connection(("127.0.0.1", server.port))
        idle.append(s)
    trickle = []
    for _ in range(20):  # headers a byte at a time, never finished
        s = socket.create_connection(("127.0.0.1", server.port))
        s.sendall(b"POST /v1/users HTTP/1.1\r\nHost: x\r\n")
        trickle.append(s)
    started = time.monotonic()
    for _ in range(20):
        for s in trickle:
            try:
                s.sendall(b"X")
            except OSError:
                pass
        r = server.get("/healthz", timeout=2)
        assert r.status_code == 200
    assert time.monotonic() - started < 10
    # the configured timeout closes the idle ones
    time.sleep(3.5)
    closed = 0
    for s in idle[:20]:
        s.settimeout(1)
        try:
            if s.recv(1) == b"":
                closed += 1
        except OSError:
            closed += 1
    assert closed == 20
    for s in idle + trickle:
        s.close()


@pytest.mark.skipif(ON_POSTGRES, reason="the files made read-only are SQLite's")
def test_a_read_only_database_answers_503_and_recovers(start_server):
    """The database files made immutable under the running server (chattr +i: root's file modes
    do not stop root): writes answer 503 STORE_UNAVAILABLE, reads go on, and once the files are
    writable again everything works and nothing is corrupt."""
    server = start_server("ro")
    app = server.make_app()
    user = server.make_user(app, email="before@example.com")
    # a signed-in user with an active factor, for the challenge routes, which answer once their
    # batch's COMMIT is made (ROUTE_COMMIT_LATER): the answer made before it must not go out
    payer = User(server, server.make_app(sandbox=True))
    factor = payer.post("/v1/factors", json={"type": "totp"}).json()
    assert payer.post(f"/v1/factors/{factor['factor_id']}/verify", json={"code": "123456"}).status_code == 200
    files = [p for p in (server.db_path(), server.db_path().with_name("twofold.db-wal"))
             if p.exists()]
    if not shutil.which("chattr") or subprocess.run(["chattr", "+i", *map(str, files)]).returncode != 0:
        pytest.skip("chattr +i is not available here (needs root on ext2/3/4)")
    try:
        r = server.post("/v1/users", api_key=app["api_key"], json={"email": "during@example.com"})
        assert_error(r, 503, "STORE_UNAVAILABLE")
        for _ in range(5):
            r = payer.post("/v1/challenges", json={"purpose": "stepup"})
            assert_error(r, 503, "STORE_UNAVAILABLE")
        assert server.get(f"/v1/users/{user['user_id']}", api_key=app["api_key"]).status_code == 200
    finally:
        subprocess.run(["chattr", "-i", *map(str, files)], check=True)
    assert server.post("/v1/users", api_key=app["api_key"], json={"email": "after@example.com"}).status_code == 201
    ch = payer.post("/v1/challenges", json={"purpose": "stepup"})
    assert ch.status_code == 201, ch.text
    assert payer.post(f"/v1/challenges/{ch.json()['challenge_id']}/verify", json={"code": "123456"}).status_code == 200
    server.stop()
    db = sqlite3.connect(f"file:{server.db_path()}?mode=ro", uri=True)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    assert run_cli("audit", "verify", "--data", str(server.data_dir)).returncode == 0
