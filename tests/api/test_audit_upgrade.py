"""Upgrading from the single keyed audit chain (format 1) to the per-application chains: a
database written by the last build before them, checked by that build's `twofold audit verify`,
is moved into the new chains at the first start of this one, and checked again by this one's.
The earlier build is built from this repository's history (the parent of the commit that added
migration 0026), once, into build/."""
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from harness import ON_POSTGRES, Server, child_env, db_execute, db_query, run_cli
from test_audit import ZERO, all_events, event_hash

ROOT = Path(__file__).resolve().parents[2]
MIGRATION = "src/store/migrations/sqlite/0026_audit_chains.sql"


def _git(*args):
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)


def earlier_binary():
    """The twofold binary of the commit before the per-application chains, built once."""
    added = _git("log", "--diff-filter=A", "--format=%H", "--", MIGRATION)
    if added.returncode != 0 or not added.stdout.strip():
        pytest.skip("needs the repository's git history (a clone) to build the earlier twofold")
    parent = _git("rev-parse", "--verify", "--quiet", added.stdout.split()[-1] + "^{commit}^")
    if parent.returncode != 0 or _git("cat-file", "-e", parent.stdout.strip() + "^{tree}").returncode != 0:
        pytest.skip("needs the repository's history before migration 0026 (a full clone, not a shallow one)")
    rev = parent.stdout.strip()
    out = ROOT / "build" / f"twofold-{rev[:12]}"
    out.parent.mkdir(exist_ok=True)
    with open(ROOT / "build" / "earlier-twofold.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the SQLite and PostgreSQL suites run side by side
        if not out.exists():
            with tempfile.TemporaryDirectory() as src:
                archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], capture_output=True, check=True)
                subprocess.run(["tar", "-x", "-C", src], input=archive.stdout, check=True)
                # a plain build, whatever make (and its variables, through MAKEFLAGS) runs the tests
                env = {k: v for k, v in os.environ.items()
                       if k not in ("CC", "CFLAGS", "SAN", "OPT", "BUILD", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
                build = subprocess.run(["make", "-j2", "all"], cwd=src, env=env, capture_output=True, text=True)
                assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
                shutil.copy(Path(src) / "build" / "twofold", str(out) + ".tmp")
                os.replace(str(out) + ".tmp", out)
    return out


class EarlierServer(Server):
    def __init__(self, binary, *a, **kw):
        super().__init__(*a, **kw)
        self.binary = binary

    def command(self):
        cmd = super().command()[1:]
        if "--events-allow-private-urls" in cmd:  # a setting that build did not have
            i = cmd.index("--events-allow-private-urls")
            del cmd[i:i + 2]
        return [str(self.binary)] + cmd


def earlier_cli(binary, srv, *args):
    env = {"TWOFOLD_DATABASE": srv.database} if ON_POSTGRES else {}
    return subprocess.run([str(binary), *map(str, args)], env=child_env(env), capture_output=True, text=True,
                          timeout=60)


def written_by_the_earlier_build(tmp_path):
    binary = earlier_binary()
    database = None
    if ON_POSTGRES:
        import pg_cluster
        database = pg_cluster.cluster().new_database()  # empty: the earlier build migrates it
    srv = EarlierServer(binary, tmp_path / "data", database=database).start()
    apps = [srv.make_app(), srv.make_app()]
    for n, app in enumerate(apps):
        srv.make_user(app, email=f"u{n}@example.com")
        assert srv.login(app, f"u{n}@example.com").status_code == 201
        assert srv.login(app, f"u{n}@example.com", "not the password").status_code == 401
    srv.stop()
    return binary, srv, apps


def test_the_earlier_chain_moves_into_the_applications_chains_intact(tmp_path):
    binary, srv, apps = written_by_the_earlier_build(tmp_path)
    before = earlier_cli(binary, srv, "audit", "verify", "--data", srv.data_dir)
    assert before.returncode == 0 and "audit chain intact" in before.stdout, before.stdout + before.stderr
    old_head = earlier_cli(binary, srv, "audit", "head", "--data", srv.data_dir).stdout.strip()
    old_rows = db_query(srv, "SELECT * FROM audit_log ORDER BY seq")
    assert len(old_rows) == 8 and old_head == f"8:{bytes(old_rows[-1]['hash']).hex()}"

    after = run_cli("audit", "verify", "--data", srv.data_dir)
    assert after.returncode == 0 and "audit chains intact" in after.stdout, after.stdout + after.stderr
    assert "WARNING" not in after.stdout
    assert db_query(srv, "SELECT count(*) AS n FROM audit_log")[0]["n"] == 0

    deployment = db_query(srv, "SELECT * FROM audit_events WHERE chain = 'deployment' ORDER BY seq")
    assert [r["type"] for r in deployment] == ["app.created", "app.created", "audit.chains_split"]
    split = json.loads(deployment[-1]["details"])
    assert split == {"format1_rows": 8, "format1_head_seq": 8, "format1_head_hash": old_head.split(":")[1],
                     "format1_intact": True, "format1_broken_seq": 0}
    for app in apps:
        was = [r for r in old_rows if r["app_id"] == app["app_id"] and r["event"] != "app.created"]
        now = db_query(srv, f"SELECT * FROM audit_events WHERE chain = '{app['app_id']}' ORDER BY seq")
        keep = ("at_ms", "actor", "subject", "ip", "request_id", "details")
        assert [(r["event"], *(r[k] for k in keep)) for r in was] == [(r["type"], *(r[k] for k in keep)) for r in now]
        assert [r["seq"] for r in now] == [1, 2, 3]

    # the service runs on it, and each application reads its moved chain, then its new events
    srv2 = Server(srv.workdir, database=srv.database).start()
    try:
        app = apps[0]
        assert srv2.login(app, "u0@example.com").status_code == 201
        events = all_events(srv2, app)
        assert [e["type"] for e in events] == ["user.registered", "login.succeeded", "login.failed", "login.succeeded"]
        prev = ZERO
        for e in events:
            assert e["prev_hash"] == prev and e["hash"] == event_hash(app["app_id"], e)
            prev = e["hash"]
    finally:
        srv2.stop()
    assert run_cli("audit", "verify", "--data", srv.data_dir).returncode == 0


def test_a_broken_earlier_chain_is_moved_as_it_is_and_says_where_it_broke(tmp_path):
    binary, srv, apps = written_by_the_earlier_build(tmp_path)
    db_execute(srv, "UPDATE audit_log SET details = '{\"edited\":true}' WHERE seq = 3")
    before = earlier_cli(binary, srv, "audit", "verify", "--data", srv.data_dir)
    assert before.returncode == 1 and "seq=3" in before.stdout, before.stdout + before.stderr

    after = run_cli("audit", "verify", "--data", srv.data_dir)
    assert after.returncode == 0, after.stdout + after.stderr
    assert "WARNING: the audit chain of the earlier builds was already broken" in after.stdout, after.stdout
    split = db_query(srv, "SELECT details FROM audit_events WHERE type = 'audit.chains_split'")
    assert json.loads(split[0]["details"])["format1_intact"] is False
    assert json.loads(split[0]["details"])["format1_broken_seq"] == 3
