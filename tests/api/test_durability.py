"""Durability (SPEC section 13, issue 5): with SQLite WAL and synchronous=NORMAL, every
verification that was answered survives kill -9 of the server, and no consumed code works again."""
import signal
import threading
import time

import requests

from factor_helpers import User, stepup_round_trip
from harness import run_cli


def test_answered_verifications_survive_kill_9(start_server):
    srv = start_server("durable")
    user = User(srv, srv.make_app(sandbox=True))
    f = user.post("/v1/factors", json={"type": "totp"}).json()
    assert user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": "123456"}).status_code == 200
    answered, stop = [], threading.Event()
    session = requests.Session()
    headers = {"api-key": user.app["api_key"], "Authorization": f"Bearer {user.token}"}

    def verify_loop():
        while not stop.is_set():
            try:
                done = stepup_round_trip(srv.base_url, session, headers, timeout=5)
                if done is None:
                    continue
                cid, r = done
                if r.status_code == 200:
                    answered.append(cid)
            except requests.RequestException:
                return  # the server is gone

    t = threading.Thread(target=verify_loop)
    t.start()
    time.sleep(1.5)
    srv.proc.send_signal(signal.SIGKILL)  # no clean shutdown
    srv.proc.wait()
    srv.proc = None
    stop.set()
    t.join(timeout=10)
    assert len(answered) > 20, f"only {len(answered)} verifications before the kill"
    srv.start()
    # every answered verification is there: the same challenge cannot be verified again
    for cid in answered[-20:] + answered[:5]:
        r = user.post(f"/v1/challenges/{cid}/verify", json={"code": "123456"})
        assert r.status_code == 409 and r.json()["error"]["code"] == "ALREADY_VERIFIED", (cid, r.text)
    srv.stop()
    r = run_cli("audit", "verify", "--data", srv.data_dir)
    assert r.returncode == 0, r.stdout + r.stderr
    srv.start()
