"""pytest fixtures for the API tests: a real twofold process per test (see harness.py)."""
import pytest

from harness import DEFAULT_PASSWORD, ON_POSTGRES, TEST_DATABASE, TWOFOLD_BIN, Server


def pytest_report_header(config):
    return f"twofold binary: {TWOFOLD_BIN}; database: {TEST_DATABASE}"


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
