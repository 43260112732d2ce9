"""Group commit (SPEC section 13, issue 5): concurrent writes share commits, yet each request
is answered on its own change alone. The store-level cases (a failing request in a batch, a
failed COMMIT) are in tests/unit/store/test_store_group.c; these run the real server."""
import threading

import pytest
import requests

from factor_helpers import User, stepup_round_trip
from harness import ON_POSTGRES, psql_holding, run_cli


def _verified_user(srv, app):
    user = User(srv, app)
    f = user.post("/v1/factors", json={"type": "totp"}).json()
    assert user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": "123456"}).status_code == 200
    return user


def _at_once(n, fn):
    """Runs fn(i) on n threads released together; returns the results by index."""
    results, start = [None] * n, threading.Barrier(n)

    def run(i):
        start.wait()
        results[i] = fn(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_concurrent_verifies_of_one_challenge_succeed_exactly_once(start_server):
    srv = start_server("once", args=["--threads", "4"])
    user = _verified_user(srv, srv.make_app(sandbox=True))
    headers = {"api-key": user.app["api_key"], "Authorization": f"Bearer {user.token}"}
    for _ in range(5):
        cid = user.post("/v1/challenges", json={"purpose": "stepup"}).json()["challenge_id"]

        def verify(_i):
            r = requests.post(srv.base_url + f"/v1/challenges/{cid}/verify", headers=headers,
                              json={"code": "123456"}, timeout=10)
            return r.status_code, r.json()

        answers = _at_once(12, verify)
        assert [s for s, _ in answers].count(200) == 1, answers
        others = [b["error"]["code"] for s, b in answers if s != 200]
        assert set(others) == {"ALREADY_VERIFIED"}, answers
    srv.stop()
    r = run_cli("audit", "verify", "--data", srv.data_dir)
    assert r.returncode == 0, r.stdout + r.stderr


def test_concurrent_round_trips_all_commit_and_the_chain_holds(start_server):
    srv = start_server("many", args=["--threads", "4"])
    app = srv.make_app(sandbox=True)
    users = [_verified_user(srv, app) for _ in range(8)]

    def round_trips(i):
        user, s, ok = users[i], requests.Session(), []
        headers = {"api-key": app["api_key"], "Authorization": f"Bearer {user.token}"}
        for _ in range(15):
            cid = s.post(srv.base_url + "/v1/challenges", headers=headers, json={"purpose": "stepup"}, timeout=10).json()["challenge_id"]
            r = s.post(srv.base_url + f"/v1/challenges/{cid}/verify", headers=headers, json={"code": "123456"}, timeout=10)
            assert r.status_code == 200, r.text
            ok.append(cid)
        return ok

    verified = [cid for ids in _at_once(len(users), round_trips) for cid in ids]
    assert len(verified) == 8 * 15
    # every answered verification is in the database, after a restart too
    srv.stop()
    r = run_cli("audit", "verify", "--data", srv.data_dir)
    assert r.returncode == 0, r.stdout + r.stderr
    srv.start()
    for i, cid in enumerate(verified[::10]):
        user = users[verified.index(cid) // 15]
        r = user.post(f"/v1/challenges/{cid}/verify", json={"code": "123456"})
        assert r.status_code == 409 and r.json()["error"]["code"] == "ALREADY_VERIFIED", (i, r.text)


def test_stopping_while_answers_wait_for_their_commit(start_server):
    """The challenge routes' connections wait, suspended, for their batch's COMMIT: a SIGTERM
    in the middle of round trips stops the server cleanly (no connection left suspended, which
    libmicrohttpd refuses at its stop), and every verification answered before it is kept."""
    srv = start_server("stop", args=["--threads", "2"])
    app = srv.make_app(sandbox=True)
    users = [_verified_user(srv, app) for _ in range(8)]
    answered, lock, enough, stop = [], threading.Lock(), threading.Event(), threading.Event()

    def round_trips(i):
        user, s = users[i], requests.Session()
        headers = {"api-key": app["api_key"], "Authorization": f"Bearer {user.token}"}
        while not stop.is_set():
            try:
                done = stepup_round_trip(srv.base_url, s, headers, timeout=10)
            except requests.RequestException:
                return  # the server stopped
            if done is None:
                continue
            cid, r = done
            if r.status_code == 200:
                with lock:
                    answered.append((i, cid))
                    if len(answered) >= 200:
                        enough.set()

    threads = [threading.Thread(target=round_trips, args=(i,)) for i in range(len(users))]
    for t in threads:
        t.start()
    try:
        assert enough.wait(timeout=120), f"only {len(answered)} round trips"
        srv.stop()  # while the threads go on: insists on a clean exit
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    srv.start()
    with lock:
        kept = list(answered)
    for i, cid in kept[-30:]:
        r = users[i].post(f"/v1/challenges/{cid}/verify", json={"code": "123456"})
        assert r.status_code == 409 and r.json()["error"]["code"] == "ALREADY_VERIFIED", (cid, r.text)
    srv.stop()
    r = run_cli("audit", "verify", "--data", srv.data_dir)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's pipeline: a transaction's BEGIN, its user's lock and its "
                    "writes go with its next statement that is read")
def test_a_pipelined_lock_that_times_out_fails_the_request_and_nothing_else(start_server):
    # one connection, so that the next request runs on the very connection whose pipeline failed
    srv = start_server("pipeline", args=["--db-pool-size", "1"])
    app = srv.make_app(sandbox=True)
    user = _verified_user(srv, app)
    cid = user.post("/v1/challenges", json={"purpose": "stepup"}).json()["challenge_id"]
    # another session holds the user's lock past the server's lock_timeout (10 s): the lock,
    # sent in one pipeline with the read of the challenge, gives up waiting for it
    key = f"{app['app_id']}/{user.user['user_id']}"
    with psql_holding(srv, f"SELECT pg_advisory_xact_lock(hashtextextended('{key}', 0))"):
        refused = user.post(f"/v1/challenges/{cid}/verify", json={"code": "123456"})
        assert refused.status_code == 503 and refused.json()["error"]["code"] == "STORE_UNAVAILABLE", refused.text
    # nothing of the refused request was kept: the challenge is still open, and verifies once
    r = user.post(f"/v1/challenges/{cid}/verify", json={"code": "123456"})
    assert r.status_code == 200, r.text
    r = user.post(f"/v1/challenges/{cid}/verify", json={"code": "123456"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "ALREADY_VERIFIED", r.text
    srv.stop()
    res = run_cli("audit", "verify", "--data", srv.data_dir)
    assert res.returncode == 0, res.stdout + res.stderr
