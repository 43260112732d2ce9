"""Abuse (issue 10): wrong codes by the ten thousand, SMS pumping (send caps per number, per
range and per application, allowed countries), and enumeration across applications."""
import random
import re

import pytest

from factor_helpers import User
from harness import assert_error, assert_error_shape, db_query

ATTACKER = {"X-Forwarded-For": "203.0.113.66"}


def sandbox_sms_user(server, app):
    user = User(server, app)
    f = user.post("/v1/factors", json={"type": "sms", "phone": "+447700900300"}).json()
    assert user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": "123456"}).status_code == 200
    user.relogin()
    return user, f


def test_ten_thousand_wrong_codes_are_never_accepted(start_server):
    """10,000 wrong codes from one address, spread over 40 users' factors and their challenges:
    none is accepted, and the limits per challenge (5 attempts), per factor (blocked for 15
    minutes after 5 failures in a row) and per address (150 wrong codes here) all answer."""
    # a day-long window, so that no window boundary falls inside the test (the counts would restart)
    server = start_server(args=["--trust-forwarded-for", "on", "--verify-failures-per-address", "150",
                                "--rate-window", "86400"])
    app = server.make_app(sandbox=True)
    users = [sandbox_sms_user(server, app) for _ in range(40)]
    current, seen = {}, {}
    rng = random.Random(7)
    for i in range(10000):
        user, f = users[(i // 7) % len(users)]  # seven in a row for each user, then the next
        key = user.user["user_id"]
        if key not in current or current[key][1]:  # none yet, or locked: try for a new one
            r = user.post("/v1/challenges", json={"purpose": "stepup", "factor_id": f["factor_id"]}, headers=ATTACKER)
            if r.status_code == 201:
                current[key] = [r.json()["challenge_id"], False]
            else:
                code = assert_error_shape(r)["code"]
                seen["create " + code] = seen.get("create " + code, 0) + 1
        wrong = "%06d" % rng.randrange(0, 1000000)
        if wrong == "123456":
            wrong = "654321"
        r = user.post(f"/v1/challenges/{current[key][0]}/verify", json={"code": wrong}, headers=ATTACKER)
        assert r.status_code != 200, f"a wrong code was accepted: {r.text}"
        code = assert_error_shape(r)["code"]
        seen[code] = seen.get(code, 0) + 1
        if code == "CHALLENGE_LIMIT_EXCEEDED":
            current[key][1] = True
        if code == "RATE_LIMITED":
            assert int(r.headers["Retry-After"]) > 0
    assert sum(v for k, v in seen.items() if not k.startswith("create ")) == 10000
    assert seen.get("VERIFICATION_CODE_INVALID", 0) > 0
    assert seen.get("CHALLENGE_LIMIT_EXCEEDED", 0) > 0
    assert seen.get("create FACTOR_BLOCKED", 0) > 0
    assert seen.get("RATE_LIMITED", 0) > 9000
    # the address stays stopped even for a right code; another address is not
    other = User(server, app)
    f = other.post("/v1/factors", json={"type": "sms", "phone": "+447700900301"}).json()
    r = other.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": "123456"}, headers=ATTACKER)
    assert_error(r, 429, "RATE_LIMITED")
    r = other.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": "123456"}, headers={"X-Forwarded-For": "198.51.100.5"})
    assert r.status_code == 200


def test_a_burst_of_enrolments_to_one_premium_range_is_cut_off(server):
    app = server.make_app(send_policy={"per_range_per_hour": 3, "per_number_per_hour": 2})
    results = []
    for i in range(6):
        user = User(server, app)
        r = user.post("/v1/factors", json={"type": "sms", "phone": f"+4490970000{i:02d}"})  # one UK premium range
        results.append(r)
    assert [r.status_code for r in results[:3]] == [201, 201, 201]
    for r in results[3:]:
        assert_error(r, 429, "SEND_LIMIT_REACHED")
    # nothing half-written: the refused enrolments left no factor and sent nothing
    assert len(server.wait_for_messages(3)) == 3
    # and each refusal is in the audit log (written in its own transaction)
    import time
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        rows = audit_events(server, "send.refused")
        if len(rows) == 3:
            break
        time.sleep(0.05)
    assert len(rows) == 3 and all('"reason":"range"' in d for d in rows)


def test_one_number_is_capped_too(server):
    app = server.make_app(send_policy={"per_number_per_hour": 1})
    a, b = User(server, app), User(server, app)
    assert a.post("/v1/factors", json={"type": "sms", "phone": "+447700900777"}).status_code == 201
    assert_error(b.post("/v1/factors", json={"type": "voice", "phone": "+447700900777"}), 429, "SEND_LIMIT_REACHED")


def test_allowed_countries(server):
    app = server.make_app(send_policy={"allowed_countries": ["GB", "DE"]})
    user = User(server, app)
    assert_error(user.post("/v1/factors", json={"type": "sms", "phone": "+2348012345678"}), 429,
                 "PHONE_COUNTRY_NOT_ALLOWED")
    assert user.post("/v1/factors", json={"type": "sms", "phone": "+4915112345678"}).status_code == 201
    bad = server.post("/v1/admin/apps", admin=True, json={"name": "x", "send_policy": {"allowed_countries": ["gb"]}})
    assert_error(bad, 400, "INVALID_FIELD", "send_policy")
    bad = server.post("/v1/admin/apps", admin=True, json={"name": "x", "send_policy": {"per_hour": 5}})
    assert_error(bad, 400, "INVALID_FIELD", "send_policy")


def test_sandbox_sends_nothing_and_is_not_capped(server):
    app = server.make_app(sandbox=True, send_policy={"per_number_per_hour": 1})
    for _ in range(3):
        assert User(server, app).post("/v1/factors", json={"type": "sms", "phone": "+447700900778"}).status_code == 201


def audit_events(server, event):
    assert re.fullmatch(r"[a-z_.]+", event)
    return [row["details"] for row in db_query(server, f"SELECT details FROM audit_log WHERE event = '{event}' ORDER BY seq")]


def test_no_answer_tells_whether_an_email_exists_in_another_application(server):
    a, b = server.make_app(), server.make_app()
    server.make_user(a, email="known@example.com")
    # registering it in another application is not a conflict
    r = server.post("/v1/users", api_key=b["api_key"], json={"email": "known@example.com", "password": "x" * 12})
    assert r.status_code == 201
    # a login for an email known only elsewhere answers as one known nowhere
    c = server.make_app()
    known = server.login(c, "known@example.com", "whatever password")
    unknown = server.login(c, "nobody-at-all@example.com", "whatever password")
    assert known.status_code == unknown.status_code == 401
    assert assert_error_shape(known)["code"] == assert_error_shape(unknown)["code"]
    assert assert_error_shape(known)["message"] == assert_error_shape(unknown)["message"]
