"""pytest fixtures for the API tests: a real twofold process per test (see harness.py)."""
import pytest

import openapi_check
from harness import DEFAULT_PASSWORD, ON_POSTGRES, REPO_ROOT, TEST_DATABASE, TWOFOLD_BIN, Server


def pytest_report_header(config):
    state = "on" if openapi_check.ENABLED else "off (TWOFOLD_OPENAPI_CHECK=0)"
    return [f"twofold binary: {TWOFOLD_BIN}; database: {TEST_DATABASE}", f"answers checked against docs/openapi.yaml: {state}"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


@pytest.fixture(autouse=True)
def _openapi_mismatches(request):
    """A mismatch with docs/openapi.yaml raises in the test that caused it; one raised where
    the test could not see it (another thread, a caught exception) fails the test here."""
    openapi_check.take_failures()
    yield
    missed = openapi_check.take_failures()
    rep = getattr(request.node, "rep_call", None)
    if missed and rep is not None and rep.passed:
        pytest.fail("answers that do not match docs/openapi.yaml:\n" + "\n".join(missed), pytrace=False)


def pytest_terminal_summary(terminalreporter):
    """How much of the document the run exercised; the rest is listed in
    build/openapi-coverage.txt."""
    if not openapi_check.ENABLED or not openapi_check.seen:
        return
    declared = openapi_check.declared_responses()
    hit = declared & openapi_check.seen
    terminalreporter.write_line(f"docs/openapi.yaml: {len(hit)} of {len(declared)} declared responses were "
                                f"answered and validated")
    build = REPO_ROOT / "build"
    if build.is_dir():
        lines = [f"{m} {t} {s}" for m, t, s in sorted(declared - openapi_check.seen, key=lambda x: (x[1], x[0], x[2]))]
        (build / "openapi-coverage.txt").write_text("declared in docs/openapi.yaml, never answered in the last API "
                                                    "test run:\n" + "\n".join(lines) + "\n")


@pytest.fixture(scope="session", autouse=True)
def postgres_cluster():
    """On PostgreSQL (TWOFOLD_TEST_DATABASE=postgres): the session's cluster, started at first
    use by a server and stopped after the last test."""
    yield
    if ON_POSTGRES:
        import pg_cluster
        pg_cluster.stop_cluster()


@pytest.fixture
def start_server(tmp_path):
    """Factory: start_server(args=[...], admin_token=..., env={...}, ...) starts a server in
    its own folder under tmp_path; every server it started is stopped (exit code checked)
    at the end of the test."""
    started = []

    def start(name=None, **kw):
        srv = Server(tmp_path / (name or f"srv{len(started)}"), **kw)
        started.append(srv)
        return srv.start()

    yield start
    errors = []
    for srv in started:
        try:
            srv.stop()
        except AssertionError as e:
            errors.append(str(e))
    assert not errors, "\n\n".join(errors)


@pytest.fixture
def server(start_server):
    """A fresh server with default settings (and fast Argon2id)."""
    return start_server("main")


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    """One server for a module's read-mostly tests."""
    srv = Server(tmp_path_factory.mktemp("shared")).start()
    yield srv
    srv.stop()


@pytest.fixture
def admin(server):
    return {"Authorization": f"Bearer {server.admin_token}"}


@pytest.fixture
def make_app(server):
    """make_app(**settings) -> the JSON answer of POST /v1/admin/apps (credentials included)."""
    return server.make_app


@pytest.fixture
def make_user(server):
    """make_user(app, email=None, password=DEFAULT_PASSWORD, **fields) -> the user JSON."""
    return server.make_user


@pytest.fixture
def login(server):
    """login(app, email, password) -> the requests.Response of POST /v1/login."""
    return server.login


@pytest.fixture
def password():
    return DEFAULT_PASSWORD
