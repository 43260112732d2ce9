"""The API test harness: starts the real twofold binary and talks to it over HTTP.

conftest.py turns this into pytest fixtures; tests import the assertion helpers from here.
Only the standard library, pytest and requests are used, and (openapi_check.py) Debian's
python3-yaml and python3-jsonschema: every answer the harness's HTTP session receives is
validated against docs/openapi.yaml.
"""
import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import requests

import openapi_check

REPO_ROOT = Path(__file__).resolve().parents[2]


def _binary_path():
    raw = os.environ.get("TWOFOLD_BIN", "build/twofold")
    p = Path(raw)
    if not p.is_absolute():
        p = REPO_ROOT / p
    return p


TWOFOLD_BIN = _binary_path()
SANITIZED = os.environ.get("TWOFOLD_SANITIZED") == "1"
# TWOFOLD_TEST_DATABASE=postgres runs every server on a database of its own in a throw-away
# PostgreSQL cluster (pg_cluster.py); the default is SQLite in each server's data folder.
TEST_DATABASE = os.environ.get("TWOFOLD_TEST_DATABASE", "sqlite")
ON_POSTGRES = TEST_DATABASE == "postgres"
# data folder -> database URL of each server on PostgreSQL, so that `twofold CMD --data DIR`
# (run_cli) reaches the same database as the server of that folder
_DATABASES = {}
# Argon2id at its default cost (64 MiB) would make every registration and login slow.
FAST_ARGON2 = ["--argon2-memlimit-kib", "8192", "--argon2-opslimit", "1"]
START_TIMEOUT = 30.0 if SANITIZED else 10.0
STOP_TIMEOUT = 15.0
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "runtime error:", "LeakSanitizer")
DEFAULT_PASSWORD = "correct horse battery staple"

_GENERATE = object()  # admin_token default: a fresh random token


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env(extra=None, unset=()):
    """The environment for a twofold process: ours without any TWOFOLD_* setting (so the
    caller's shell cannot change a test), plus extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWOFOLD_")}
    for k in unset:
        env.pop(k, None)
    env.update(extra or {})
    return env


def run_cli(*args, env=None, timeout=60):
    """Runs `twofold ARGS...` to completion; returns the CompletedProcess (text mode). On
    PostgreSQL, `--data DIR` of a test server also selects that server's database."""
    env = dict(env or {})
    for a in args:
        if str(a) in _DATABASES and "TWOFOLD_DATABASE" not in env:
            env["TWOFOLD_DATABASE"] = _DATABASES[str(a)]
    return subprocess.run([str(TWOFOLD_BIN), *map(str, args)], env=child_env(env), capture_output=True,
                          text=True, timeout=timeout)


def serve_must_exit(data_dir, *, database=None, env=None, probe_headers=None, timeout=30.0):
    """Runs `twofold serve` on data_dir (and, on PostgreSQL, database) with env, which must make
    it exit non-zero before it answers anything: meanwhile its port is asked, again and again,
    for GET /v1/factors (with probe_headers), and no answer may come. Returns its stderr."""
    port = free_port()
    cmd = [str(TWOFOLD_BIN), "serve", "--listen", f"127.0.0.1:{port}", "--data", str(data_dir), *FAST_ARGON2]
    full_env = {"TWOFOLD_ADMIN_TOKEN": "tfa_test_" + secrets.token_urlsafe(24)}
    if ON_POSTGRES and database:
        full_env["TWOFOLD_DATABASE"] = database
    full_env.update(env or {})
    proc = subprocess.Popen(cmd, env=child_env(full_env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True)
    answers = []
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline and not answers:
        try:
            r = requests.get(f"http://127.0.0.1:{port}/v1/factors", headers=probe_headers or {}, timeout=1)
            answers.append(f"{r.status_code} {r.text[:200]}")
        except requests.RequestException:
            time.sleep(0.01)
    if proc.poll() is None:
        proc.kill()
    out, err = proc.communicate(timeout=STOP_TIMEOUT)
    assert not answers, f"twofold serve answered instead of exiting: {answers}"
    assert proc.returncode not in (None, 0, -9), f"twofold serve did not exit with an error ({proc.returncode})\n{err[-4000:]}"
    assert "serving" not in out, out
    if SANITIZED:
        report = sanitizer_report(err)
        assert report is None, f"sanitizer report in twofold's stderr:\n{report}"
    return err


def _migrate_template(url):
    """Brings the API tests' template database to the latest schema with `twofold migrate`,
    as a deployment's first node would on an empty database (test_cli.py starts servers on
    empty databases too)."""
    with tempfile.TemporaryDirectory() as data:
        res = run_cli("migrate", "--data", data, env={"TWOFOLD_DATABASE": url})
    assert res.returncode == 0, f"twofold migrate of the template database failed:\n{res.stderr}"


def checked_session():
    """A requests.Session whose every answer (redirect hops included) is validated against
    docs/openapi.yaml (openapi_check.py; TWOFOLD_OPENAPI_CHECK=0 turns it off)."""
    s = requests.Session()
    s.hooks["response"].append(openapi_check.response_hook)
    return s


def sanitizer_report(text):
    """The sanitizer lines found in text, or None."""
    if any(m in text for m in SANITIZER_MARKERS):
        return text[-6000:]
    return None


class Server:
    """One `twofold serve` process on a free loopback port with its own data folder.

    workdir holds the data folder (unless data_dir is given) and the captured stdout and
    stderr of each start. The same Server can be stopped and started again on the same data.
    """

    _starts = 0

    def __init__(self, workdir, *, data_dir=None, args=(), admin_token=_GENERATE, env=None,
                 fast_argon2=True, pass_listen=True, port=None, preexec=None, database=None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.data_dir = Path(data_dir) if data_dir else self.workdir / "data"
        self.args = list(args)
        if admin_token is _GENERATE:
            admin_token = "tfa_test_" + secrets.token_urlsafe(24)
        self.admin_token = admin_token
        self.extra_env = dict(env or {})
        self.fast_argon2 = fast_argon2
        self.pass_listen = pass_listen
        self.fixed_port = port
        self.preexec = preexec  # run in the child before exec (resource limits)
        self.port = port
        self.proc = None
        self.stdout_path = None
        self.stderr_path = None
        self.http = checked_session()
        # on PostgreSQL: this server's database URL (a new database at the first start, unless
        # given: several servers given one URL are several nodes of one deployment)
        self.database = database

    # ---- life cycle ----

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def command(self):
        cmd = [str(TWOFOLD_BIN), "serve"]
        if self.pass_listen:
            cmd += ["--listen", f"127.0.0.1:{self.port}"]
        # applications' events endpoints are the tests' own local servers (docs/events.md); a
        # test of the refusal turns it off again with a later flag
        cmd += ["--data", str(self.data_dir), "--events-allow-private-urls", "on"]
        if self.fast_argon2:
            cmd += FAST_ARGON2
        return cmd + self.args

    def start(self):
        assert TWOFOLD_BIN.exists(), f"twofold binary not found at {TWOFOLD_BIN} (build it or set TWOFOLD_BIN)"
        for attempt in range(3):
            if self.fixed_port is None:
                self.port = free_port()
            Server._starts += 1
            n = Server._starts
            self.stdout_path = self.workdir / f"server-{n}.stdout"
            self.stderr_path = self.workdir / f"server-{n}.stderr"
            env = {}
            if ON_POSTGRES and "TWOFOLD_DATABASE" not in self.extra_env:
                if self.database is None:  # a server on another's data folder is another node of it
                    self.database = _DATABASES.get(str(self.data_dir))
                if self.database is None:
                    import pg_cluster
                    self.database = pg_cluster.cluster().migrated_database(_migrate_template)
                _DATABASES[str(self.data_dir)] = self.database
                env["TWOFOLD_DATABASE"] = self.database
            if self.admin_token is not None:
                env["TWOFOLD_ADMIN_TOKEN"] = self.admin_token
            env.update(self.extra_env)
            with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
                self.proc = subprocess.Popen(self.command(), stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                             env=child_env(env), preexec_fn=self.preexec)
            if self._wait_ready():
                self.http = checked_session()
                return self
            # lost a race for the port: try another one
            if self.fixed_port is None and "cannot listen" in self.stderr_text() and attempt < 2:
                continue
            break
        rc = self.proc.poll()
        if rc is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
        raise AssertionError(f"twofold did not answer /healthz within {START_TIMEOUT}s (exit code {rc})\n"
                             f"command: {self.command()}\nstderr:\n{self.stderr_text()[-4000:]}")

    def _wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                r = requests.get(self.base_url + "/healthz", timeout=1)
                if r.status_code == 200:
                    return True
            except requests.RequestException:
                pass
            time.sleep(0.02)
        return False

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM):
        """SIGTERM (or sig), wait, and insist on a clean exit (and, under sanitizers, a clean report)."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        self.http.close()
        if proc.poll() is None:
            proc.send_signal(sig)
        try:
            rc = proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError(f"twofold did not stop within {STOP_TIMEOUT}s of signal {sig}\n"
                                 f"stderr tail:\n{self.stderr_text()[-4000:]}")
        err = self.stderr_text()
        if SANITIZED:
            report = sanitizer_report(err)
            assert report is None, f"sanitizer report in twofold's stderr:\n{report}"
        assert rc == 0, f"twofold exited with {rc} after signal {sig}\nstderr tail:\n{err[-4000:]}"

    # ---- captured output ----

    def stderr_text(self):
        return self.stderr_path.read_text(errors="replace") if self.stderr_path and self.stderr_path.exists() else ""

    def stdout_text(self):
        return self.stdout_path.read_text(errors="replace") if self.stdout_path and self.stdout_path.exists() else ""

    def all_output(self):
        """stdout and stderr of every start of any server in this workdir."""
        parts = []
        for p in sorted(self.workdir.glob("server-*.std*")):
            parts.append(p.read_text(errors="replace"))
        return "\n".join(parts)

    def log_lines(self):
        """stderr of the current (or last) start, each line parsed as JSON (a line that is
        not JSON raises, naming it)."""
        out = []
        for i, line in enumerate(self.stderr_text().splitlines(), 1):
            if not line.strip():
                continue
            try:
                out.append(json.loads(line))
            except ValueError:
                raise AssertionError(f"stderr line {i} is not JSON: {line[:500]!r}")
        return out

    # ---- development delivery ----

    @property
    def messages_path(self):
        return self.data_dir / "messages.jsonl"

    def messages(self):
        """The messages development delivery has written whole: a line is read only once its
        newline is there (the server may be in the middle of appending a long one)."""
        if not self.messages_path.exists():
            return []
        whole = self.messages_path.read_text().split("\n")[:-1]
        return [json.loads(line) for line in whole if line.strip()]

    def wait_for_messages(self, count=1, timeout=5.0, where=None):
        """Polls messages.jsonl until at least count messages (matching where, if given)
        are there; returns them. Delivery runs on a worker thread."""
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in self.messages() if where is None or where(m)]
            if len(found) >= count or time.monotonic() >= deadline:
                assert len(found) >= count, f"expected {count} message(s) in {self.messages_path} within {timeout}s, found {found}"
                return found
            time.sleep(0.05)

    # ---- HTTP ----

    def request(self, method, path, *, api_key=None, token=None, admin=False, json=None, data=None,
                headers=None, timeout=20, **kw):
        h = {}
        if api_key is not None:
            h["api-key"] = api_key
        if admin:
            h["Authorization"] = f"Bearer {self.admin_token}"
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        h.update(headers or {})
        return self.http.request(method, self.base_url + path, headers=h, json=json, data=data,
                                 timeout=timeout, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    # ---- domain helpers ----

    def make_app(self, **settings):
        body = {"name": "App " + secrets.token_hex(3)}
        body.update(settings)
        r = self.post("/v1/admin/apps", admin=True, json=body)
        assert r.status_code == 201, r.text
        return r.json()

    def make_user(self, app, email=None, password=DEFAULT_PASSWORD, **fields):
        body = {"email": email or f"user-{secrets.token_hex(4)}@example.com"}
        if password is not None:
            body["password"] = password
        body.update(fields)
        r = self.post("/v1/users", api_key=app["api_key"], json=body)
        assert r.status_code == 201, r.text
        return r.json()

    def login(self, app, email, password=DEFAULT_PASSWORD, **kw):
        return self.post("/v1/login", api_key=app["api_key"], json={"email": email, "password": password}, **kw)

    def token_for(self, app, email, password=DEFAULT_PASSWORD):
        r = self.login(app, email, password)
        assert r.status_code == 201, r.text
        return r.json()["token"]

    def token_alive(self, app, token):
        """Whether a session token is accepted (GET /v1/factors needs a live token and changes nothing)."""
        r = self.get("/v1/factors", api_key=app["api_key"], token=token)
        assert r.status_code in (200, 401), r.text
        return r.status_code == 200

    # ---- storage, as an attacker who copied the data folder sees it ----

    def db_path(self):
        return self.data_dir / "twofold.db"

    def raw_data_bytes(self):
        """Every byte of the database files (main, WAL, shared memory); on PostgreSQL a dump of
        the server's database, with every byte string also decoded from its hex form."""
        if ON_POSTGRES and self.database:
            dump = subprocess.run(["pg_dump", "--data-only", self.database], check=True, capture_output=True).stdout
            return dump + b"".join(bytes.fromhex(h.decode()) for h in re.findall(rb"\\\\x((?:[0-9a-f]{2})+)", dump))
        blob = b""
        for suffix in ("", "-wal", "-shm", "-journal"):
            p = Path(str(self.db_path()) + suffix)
            if p.exists():
                blob += p.read_bytes()
        return blob


def server_data_keys(server, master=None):
    """The data keys the server holds (mac, secretbox, audit, cookie: src/crypto/crypto.h), as
    someone with its master key and its database has them: the key ring's wrapped keys opened
    with libsodium itself (src/crypto/master_key.c: XChaCha20-Poly1305 under the subkey 2 of
    context "tfmaster", after a version byte and a 24-byte nonce)."""
    import ctypes
    import ctypes.util

    sodium = ctypes.CDLL(ctypes.util.find_library("sodium") or "libsodium.so.23")
    assert sodium.sodium_init() >= 0
    master = master if master is not None else (server.data_dir / "master.key").read_bytes()[:32]
    wrapped = bytes(db_query(server, "SELECT wrapped_keys FROM keyring")[0]["wrapped_keys"])
    assert wrapped[0] == 1, "key ring version"
    key = ctypes.create_string_buffer(32)
    derive = sodium.crypto_kdf_derive_from_key
    derive.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint64, ctypes.c_char_p, ctypes.c_char_p]
    assert derive(key, 32, 2, b"tfmaster", master) == 0
    nonce, sealed = wrapped[1:25], wrapped[25:]
    ad = b"twofold data keys v1" + bytes([1])
    out = ctypes.create_string_buffer(len(sealed) - 16)
    decrypt = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt
    decrypt.argtypes = [ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_ulonglong,
                        ctypes.c_char_p, ctypes.c_ulonglong, ctypes.c_char_p, ctypes.c_char_p]
    rc = decrypt(out, None, None, sealed, len(sealed), ad, len(ad), nonce, key.raw)
    assert rc == 0, "the key ring does not open under this master key"
    keys = out.raw
    return {name: keys[32 * i:32 * (i + 1)] for i, name in enumerate(("mac", "secretbox", "audit", "cookie"))}


def assert_not_stored(server, secret, what):
    """secret must not be anywhere in the database files in clear text."""
    found = secret.encode() in server.raw_data_bytes()
    assert not found, f"{what} is stored in clear text in {server.db_path()}"


def read_only_db(path):
    import sqlite3
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)


def _pg_value(v):
    if v is None:
        return None
    if re.fullmatch(r"-?\d+", v):
        return int(v)
    if v.startswith("\\x"):
        return bytes.fromhex(v[2:])
    return v


def db_query(server, sql):
    """The rows of a read-only query on the server's database, as dicts (either backend)."""
    if not ON_POSTGRES:
        import sqlite3
        with read_only_db(server.db_path()) as c:
            c.row_factory = sqlite3.Row
            return [dict(r) for r in c.execute(sql)]
    import csv
    import io
    out = subprocess.run(["psql", "-X", "-q", "--csv", "-v", "ON_ERROR_STOP=1", "-P", "null=\\N", "-d", server.database,
                          "-c", sql], check=True, capture_output=True, text=True).stdout
    rows = list(csv.reader(io.StringIO(out)))
    if not rows:
        return []
    return [{k: _pg_value(None if v == "\\N" else v) for k, v in zip(rows[0], r)} for r in rows[1:]]


def db_execute(server, sql):
    """Runs a statement that changes the server's database (either backend)."""
    if not ON_POSTGRES:
        import sqlite3
        db = sqlite3.connect(server.db_path(), timeout=10)
        with db:
            db.execute(sql)
        db.close()
        return
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", server.database, "-c", sql], check=True,
                   capture_output=True, text=True)


@contextlib.contextmanager
def psql_holding(server, lock_sql):
    """A psql session of its own (PostgreSQL) that runs lock_sql in a transaction and then
    holds what it took for two minutes; the block runs once it is holding, and the session is
    ended after it."""
    holder = subprocess.Popen(["psql", "-X", "-q", "-d", server.database, "-c",
                               f"BEGIN; {lock_sql}; SELECT pg_sleep(120); COMMIT;"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not db_query(server, "SELECT pid FROM pg_stat_activity WHERE query LIKE '%pg_sleep(120)%' "
                                   "AND state = 'active' AND pid <> pg_backend_pid()"):
            assert time.monotonic() < deadline, "the lock holder did not start"
            time.sleep(0.05)
        yield
    finally:
        db_execute(server, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(120)%' "
                           "AND pid <> pg_backend_pid()")
        holder.wait(timeout=30)


# ---- assertions ----

ERROR_CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]+$")


def assert_error_shape(resp, replayed=False):
    """Every error: JSON {"error": {"code", "message", "request_id", ...}} and the request
    id equals the X-Request-Id header (a replayed answer keeps its first request id)."""
    assert resp.headers.get("Content-Type", "").startswith("application/json"), resp.headers
    body = resp.json()
    assert isinstance(body, dict) and list(body) == ["error"], body
    err = body["error"]
    assert isinstance(err, dict), body
    for k in ("code", "message", "request_id"):
        assert isinstance(err.get(k), str) and err[k], f"error.{k} missing or empty: {body}"
    assert ERROR_CODE_RE.match(err["code"]), err
    if not replayed:
        assert err["request_id"] == resp.headers.get("X-Request-Id"), (err, dict(resp.headers))
    return err


def assert_error(resp, status, code, field=None):
    assert resp.status_code == status, f"expected {status} {code}, got {resp.status_code}: {resp.text}"
    err = assert_error_shape(resp)
    assert err["code"] == code, err
    if field is not None:
        assert err.get("field") == field, err
    return err
