"""Abuse (issue 10): wrong codes by the ten thousand, SMS pumping (send caps per user, per
client address, per number, per range and per application, allowed countries and the +1
plan's countries), and enumeration across applications."""
import random
import re
import time
from concurrent.futures import ThreadPoolExecutor

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
    return [row["details"] for row in db_query(server, f"SELECT details FROM audit_events WHERE type = '{event}' ORDER BY seq")]


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


# ---- send caps per user and per client address (SPEC section 4, send abuse) ----

def enrol_many(user, phones, headers):
    """POST /v1/factors for each phone at once (threads): the answers, in order."""
    with ThreadPoolExecutor(max_workers=len(phones)) as pool:
        return list(pool.map(lambda p: user.post("/v1/factors", json={"type": "sms", "phone": p}, headers=headers),
                             phones))


def wait_for_audit(server, event, count):
    deadline = time.monotonic() + 5
    while True:
        rows = audit_events(server, event)
        if len(rows) >= count or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


def test_one_user_looping_enrolments_meets_its_own_cap_and_the_others_still_get_codes(start_server):
    """One account asking for codes to many numbers at once is stopped at its own hourly cap
    (sends_per_user_per_hour, 10 by default), before it uses up the application's budget
    (15 here): another user of the application, from another address, still gets a code."""
    server = start_server(args=["--trust-forwarded-for", "on"])
    app = server.make_app(send_policy={"per_app_per_hour": 15})
    abuser = User(server, app)
    phones = [f"+4477009004{i:02d}" for i in range(24)]
    answers = enrol_many(abuser, phones, ATTACKER)
    sent = [r for r in answers if r.status_code == 201]
    refused = [r for r in answers if r.status_code != 201]
    assert len(sent) == 10, [r.status_code for r in answers]
    for r in refused:
        assert_error(r, 429, "SEND_LIMIT_REACHED")
        assert 3600 - 300 <= int(r.headers["Retry-After"]) <= 3600  # the hour began at the first send
    # looping on: every later attempt is refused too, and sends nothing
    again = enrol_many(abuser, [f"+4477009005{i:02d}" for i in range(6)], ATTACKER)
    assert {r.status_code for r in again} == {429}
    assert len(server.wait_for_messages(10)) == 10
    rows = wait_for_audit(server, "send.refused", len(refused) + len(again))
    assert len(rows) == len(refused) + len(again) and all('"reason":"user"' in d for d in rows)
    # the application's hour is not used up: another user gets a code
    other = User(server, app)
    phone = "+447700900999"
    r = other.post("/v1/factors", json={"type": "sms", "phone": phone}, headers={"X-Forwarded-For": "198.51.100.5"})
    assert r.status_code == 201, r.text
    assert server.wait_for_messages(1, where=lambda m: m["to"] == phone)


def test_one_user_looping_wepay_create_and_reset_meets_its_own_cap(start_server):
    """The same through the WePay face: rounds of mfa/create to new numbers at once, each
    followed by mfa/reset, until refused (throttled, WePay's 429); then another WePay user of
    the application, from another address, still gets a code."""
    from test_face_wepay import Member, partner_app, wepay

    server = start_server(args=["--trust-forwarded-for", "on"])
    app = partner_app(server, send_policy={"per_app_per_hour": 15})
    abuser = Member(server, app)

    def create(i):
        return wepay(server, "user/mfa/create", token=abuser.token, type="sms",
                     setup_data={"phone_number": f"+4477009006{i:02d}"})

    created, throttled, i = 0, 0, 0
    with ThreadPoolExecutor(max_workers=6) as pool:
        for _ in range(5):
            answers = list(pool.map(create, range(i, i + 6)))
            i += 6
            for r in answers:
                if r.status_code == 200:
                    created += 1
                else:
                    assert (r.status_code, r.json()["error"], r.json()["error_code"]) == (429, "throttle_exceeded", 1007), r.text
                    throttled += 1
            assert abuser.ok("user/mfa/reset")["mfa"] == []
    assert created == 10 and throttled == 20
    assert len(server.wait_for_messages(10)) == 10
    other = Member(server, app)
    r = server.http.post(f"{server.base_url}/v2/user/mfa/create", timeout=20,
                         json={"type": "sms", "setup_data": {"phone_number": "+447700900998"}},
                         headers={"Authorization": f"Bearer {other.token}", "X-Forwarded-For": "198.51.100.7"})
    assert r.status_code == 200, r.text
    assert server.wait_for_messages(1, where=lambda m: m["to"] == "+447700900998")


def test_one_client_address_meets_its_own_cap_before_the_application(start_server):
    """Many accounts from one address: the address's cap (per_address_per_hour) stops them
    before the application's, and a user from another address still gets a code."""
    server = start_server(args=["--trust-forwarded-for", "on"])
    app = server.make_app(send_policy={"per_address_per_hour": 6, "per_app_per_hour": 10})
    users = [User(server, app) for _ in range(3)]
    jobs = [(u, f"+4477009007{n:02d}") for n, u in enumerate(users * 3)]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        answers = list(pool.map(lambda j: j[0].post("/v1/factors", json={"type": "sms", "phone": j[1]}, headers=ATTACKER),
                                jobs))
    assert sum(r.status_code == 201 for r in answers) == 6, [r.status_code for r in answers]
    for r in answers:
        if r.status_code != 201:
            assert_error(r, 429, "SEND_LIMIT_REACHED")
            assert int(r.headers["Retry-After"]) > 0
    rows = wait_for_audit(server, "send.refused", 3)
    assert len(rows) == 3 and all('"reason":"address"' in d for d in rows)
    r = User(server, app).post("/v1/factors", json={"type": "sms", "phone": "+447700900997"},
                               headers={"X-Forwarded-For": "198.51.100.6"})
    assert r.status_code == 201, r.text


def test_send_policy_takes_the_user_and_address_caps(server):
    app = server.make_app(send_policy={"per_user_per_hour": 1, "per_address_per_hour": 50})
    assert app["send_policy"] == {"per_address_per_hour": 50, "per_user_per_hour": 1}
    user = User(server, app)
    assert user.post("/v1/factors", json={"type": "sms", "phone": "+447700900401"}).status_code == 201
    assert_error(user.post("/v1/factors", json={"type": "sms", "phone": "+447700900402"}), 429, "SEND_LIMIT_REACHED")
    for bad in ({"per_user_per_hour": -1}, {"per_address_per_hour": "5"}, {"per_person_per_hour": 5}):
        r = server.post("/v1/admin/apps", admin=True, json={"name": "x", "send_policy": bad})
        assert_error(r, 400, "INVALID_FIELD", "send_policy")


# ---- allowed countries and the North American Numbering Plan ----

# Every member of +1 but the United States, by each of its area codes (libphonenumber's
# territories of country code 1), and samples of Canada's: none is the US.
NANP_NOT_US = [
    ("BS", "242"), ("BB", "246"), ("AI", "264"), ("AG", "268"), ("VG", "284"), ("VI", "340"), ("KY", "345"),
    ("BM", "441"), ("GD", "473"), ("TC", "649"), ("JM", "658"), ("JM", "876"), ("MS", "664"), ("MP", "670"),
    ("GU", "671"), ("AS", "684"), ("SX", "721"), ("LC", "758"), ("DM", "767"), ("VC", "784"), ("PR", "787"),
    ("PR", "939"), ("DO", "809"), ("DO", "829"), ("DO", "849"), ("TT", "868"), ("KN", "869"),
    ("CA", "204"), ("CA", "416"), ("CA", "604"), ("CA", "867"),
]


@pytest.fixture(scope="module")
def us_only_app(shared_server):
    return shared_server.make_app(send_policy={"allowed_countries": ["US"]})


@pytest.mark.parametrize("country,area_code", NANP_NOT_US, ids=[f"{c}-{a}" for c, a in NANP_NOT_US])
def test_a_us_only_application_refuses_every_other_nanp_country(shared_server, us_only_app, country, area_code):
    user = User(shared_server, us_only_app)
    r = user.post("/v1/factors", json={"type": "sms", "phone": f"+1{area_code}5550100"})
    assert_error(r, 429, "PHONE_COUNTRY_NOT_ALLOWED")
    # audited, with the country the area code belongs to (written in a transaction of its own)
    deadline = time.monotonic() + 5
    while True:
        rows = [d for d in audit_events(shared_server, "send.refused") if f'"range":"+1{area_code}"' in d]
        if rows or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert rows and f'"country":"{country}"' in rows[-1], rows
    assert user.get("/v1/factors").json()["factors"] == []  # nothing half-made


@pytest.mark.parametrize("phone", ["+18005550100", "+18885550100", "+19005550100", "+15005550100"])
def test_a_us_only_application_refuses_plan_wide_numbers_of_no_country(shared_server, us_only_app, phone):
    """Toll-free, premium-rate and personal-communication codes are the whole plan's: no country."""
    r = User(shared_server, us_only_app).post("/v1/factors", json={"type": "sms", "phone": phone})
    assert_error(r, 429, "PHONE_COUNTRY_NOT_ALLOWED")


def test_a_us_only_application_sends_to_us_numbers(shared_server, us_only_app):
    for phone in ("+14155550100", "+12125550100", "+19075550100"):
        assert User(shared_server, us_only_app).post("/v1/factors", json={"type": "sms", "phone": phone}).status_code == 201
