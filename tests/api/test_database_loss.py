"""Losing the PostgreSQL server (issue 9): dropped connections are replaced without an error,
requests made while the database is down are answered 503 STORE_UNAVAILABLE at once rather
than hanging, a server that stops answering (frozen) costs a request at most twofold's own
wait for an answer (20 s) before it too is answered 503, /readyz says so in its own body (and /healthz stays 200: the process is alive),
and everything works again when the database is back.
Runs on PostgreSQL only, on a cluster of its own (it stops it)."""
import time

import pytest

from harness import ON_POSTGRES, assert_error

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="losing the database server is a PostgreSQL matter "
                                                        "(make test runs this suite with TWOFOLD_TEST_DATABASE=postgres)")


@pytest.fixture
def own_cluster():
    import pg_cluster
    c = pg_cluster.PgCluster().start()
    yield c
    c.stop()


def test_dropped_connections_and_a_stopped_database(start_server, own_cluster):
    srv = start_server("lossy", database=own_cluster.new_database(), args=["--db-pool-size", "4"])
    try:
        app = srv.make_app()
        users = [srv.make_user(app, password=None, type="sso") for _ in range(3)]
        # the server ends every connection of the pool: the next requests reconnect, unharmed
        own_cluster.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname LIKE 'tf_%'")
        for u in users:
            r = srv.get(f"/v1/users/{u['user_id']}", api_key=app["api_key"])
            assert r.status_code == 200, r.text
        r = srv.get("/readyz")
        assert r.status_code == 200, r.text
        assert r.json() == {"status": "ready", "database": {"backend": "postgres", "status": "ok"}}

        own_cluster.halt()
        for _ in range(3):
            t0 = time.monotonic()
            r = srv.post("/v1/users", api_key=app["api_key"], json={"email": "down@example.com", "type": "sso"})
            assert time.monotonic() - t0 < 10, "a request waited on the lost database"
            assert_error(r, 503, "STORE_UNAVAILABLE")
            assert r.headers.get("Retry-After") == "5", r.headers
        # the Weavr face answers 503 as Weavr's document declares it: no body, no Content-Type
        from weavr_openapi import check
        r = srv.post("/multi/login_with_password", api_key=app["api_key"],
                     json={"email": "down@example.com", "password": {"value": "whatever it is"}})
        check(r, "POST", "/multi/login_with_password")
        assert r.status_code == 503, r.text
        # readiness answers in its own shape, not the dispatcher's error, and at once: the
        # stopped server refuses the connection (connect_timeout bounds an unanswered one)
        for _ in range(2):  # the pool's broken connections, then no connection at all
            t0 = time.monotonic()
            r = srv.get("/readyz")
            assert time.monotonic() - t0 < 6, "readiness waited on the lost database"
            assert r.status_code == 503, r.text
            assert r.json() == {"status": "unavailable", "database": {"backend": "postgres", "status": "unavailable"}}
        # liveness takes no connection: the process is alive and answers
        r = srv.get("/healthz")
        assert r.status_code == 200 and r.json() == {"status": "ok"}, r.text
        assert srv.get("/metrics").status_code == 200

        own_cluster.start()
        deadline = time.monotonic() + 15
        while srv.get("/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        r = srv.get("/readyz")
        assert r.status_code == 200, r.text
        assert r.json() == {"status": "ready", "database": {"backend": "postgres", "status": "ok"}}
        r = srv.post("/v1/users", api_key=app["api_key"], json={"email": "back@example.com", "type": "sso"})
        assert r.status_code == 201, r.text
    finally:
        srv.stop()


def test_a_database_that_stops_answering_is_not_waited_for_forever(start_server, own_cluster):
    srv = start_server("frozen", database=own_cluster.new_database(), args=["--db-pool-size", "2"])
    try:
        app = srv.make_app()
        user = srv.make_user(app, password=None, type="sso")
        assert srv.get(f"/v1/users/{user['user_id']}", api_key=app["api_key"]).status_code == 200
        own_cluster.freeze()
        try:
            t0 = time.monotonic()
            r = srv.post("/v1/users", api_key=app["api_key"], json={"email": "frozen@example.com", "type": "sso"},
                         timeout=60)
            waited = time.monotonic() - t0
            assert_error(r, 503, "STORE_UNAVAILABLE")
            assert waited < 30, f"the request waited {waited:.1f} s on a database that did not answer"
        finally:
            own_cluster.thaw()
        # the broken connection is replaced: the next requests work, and the one that was
        # answered 503 changed nothing
        deadline = time.monotonic() + 15
        while srv.get("/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        r = srv.post("/v1/users", api_key=app["api_key"], json={"email": "frozen@example.com", "type": "sso"})
        assert r.status_code == 201, r.text
    finally:
        srv.stop()
