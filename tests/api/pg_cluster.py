"""A throw-away PostgreSQL server for the API tests (TWOFOLD_TEST_DATABASE=postgres).

Debian's PostgreSQL binaries are installed if missing (apt-get, as tools/install-deps does); a
cluster is initialised (initdb) in a temporary folder, started on a free loopback port with its
socket in that folder, and stopped and removed at the end of the test session. Each twofold
server of a test gets a database of its own, a copy of one that `twofold migrate` brought to the
latest schema once (migrated_database; new_database gives an empty one). PostgreSQL refuses to run as root:
when the tests run as root, the cluster belongs to the `postgres` user that the Debian package
creates, and its programs run through runuser.

The test cluster has fsync off (a crash of the test machine loses nothing that matters);
twofold itself still asks for synchronous_commit = on. bench/run starts a durable one.
"""
import glob
import itertools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SUPERUSER = "twofold"


def _bin_dir():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def _install():
    if _bin_dir():
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "postgresql", "postgresql-client"],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    assert _bin_dir(), "apt-get installed postgresql but no /usr/lib/postgresql/*/bin/initdb appeared"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    """durable=True keeps PostgreSQL's default fsync and full-page writes (bench/run uses it)."""

    def __init__(self, durable=False):
        self.durable = durable
        _install()
        self.bin = _bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="twofold-pg-"))
        self.data = self.root / "data"
        self.port = None
        self._names = itertools.count(1)
        self._template = None
        self.as_user = []
        if os.geteuid() == 0:
            # PostgreSQL will not run as root: hand the folder to the Debian package's user
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres", "postgres")
        os.chmod(self.root, 0o700)

    def _run(self, *args, **kw):
        return subprocess.run(self.as_user + [str(self.bin / args[0]), *map(str, args[1:])], check=True,
                              capture_output=True, text=True, **kw)

    def start(self):
        """Initialises the cluster the first time; starts it (again on the same port)."""
        if not self.data.exists():
            self._run("initdb", "-D", self.data, "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
        for attempt in range(3):
            if self.port is None or attempt:
                self.port = _free_port()
            opts = (f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.root} "
                    "-c max_connections=300 -c shared_buffers=" + ("256MB" if self.durable else
                                                                   "64MB -c fsync=off -c full_page_writes=off"))
            try:
                self._run("pg_ctl", "-D", self.data, "-l", self.root / "server.log", "-w", "-t", "30", "-o", opts, "start")
                return self
            except subprocess.CalledProcessError:
                if attempt == 2:
                    raise AssertionError("PostgreSQL did not start:\n" + self.log_tail())
        return self

    def halt(self):
        """Stops the server and keeps its data (start() brings it back on the same port)."""
        self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def _processes(self):
        """The postmaster's PID and its children's (backends, writer, checkpointer...)."""
        pid = int((self.data / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        return [pid] + [int(c) for c in children]

    def freeze(self):
        """Stops every process of the server (SIGSTOP): connections stay open and the kernel
        still accepts new ones, but nothing answers, as with a server stuck on its disk."""
        for pid in self._processes():
            os.kill(pid, signal.SIGSTOP)

    def thaw(self):
        for pid in self._processes():
            os.kill(pid, signal.SIGCONT)

    def log_tail(self):
        p = self.root / "server.log"
        return p.read_text(errors="replace")[-4000:] if p.exists() else ""

    def psql(self, sql, db="postgres"):
        """Runs sql as the superuser; returns its output (unaligned, tuples only)."""
        out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port),
                              "-U", SUPERUSER, "-d", db, "-c", sql], check=True, capture_output=True, text=True)
        return out.stdout

    def url(self, db):
        return f"postgres://{SUPERUSER}@127.0.0.1:{self.port}/{db}"

    def new_database(self, template=None):
        """A new database, empty or a copy of template (a database of this cluster that nobody is
        connected to); returns its URL."""
        name = f"tf_{next(self._names)}"
        # FILE_COPY copies the template's files at once (with fsync off its checkpoints are
        # cheap); the default strategy writes every page through the WAL, about 1.5 x slower
        self.psql(f"CREATE DATABASE {name}" + (f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""))
        return self.url(name)

    def migrated_database(self, migrate):
        """A new database already at twofold's latest schema: a copy of a template that
        migrate(url) brought there once per cluster. A copy costs about half of what a new
        database and its migrations cost, and the API tests start hundreds of servers."""
        if self._template is None:
            url = self.new_database()
            migrate(url)
            self._template = url.rsplit("/", 1)[1]
        return self.new_database(template=self._template)

    def stop(self):
        try:
            self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)


_cluster = None


def cluster():
    """The session's cluster, started at first use."""
    global _cluster
    if _cluster is None:
        _cluster = PgCluster().start()
    return _cluster


def stop_cluster():
    global _cluster
    if _cluster is not None:
        _cluster.stop()
        _cluster = None


def wait_until(pred, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return pred()
