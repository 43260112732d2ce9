"""Challenges (issue 3, SPEC section 4, seeds 002 and 003): attempts and their limits, the
factor block, resend spacing and the per-session cap, only the newest code, TOTP window and
replay, step-up. Expiry after 5 minutes is proved with a fake clock in
tests/unit/core/test_challenge.c."""
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from factor_helpers import (User, enrol_sms, enrol_totp, oathtool, sleep_into_next_totp_step, sms_codes,
                            wait_for_fresh_totp_step)
from harness import ON_POSTGRES, assert_error
from test_query_plans import statements


def sandbox_user(server):
    """A user of a sandbox application with an active authenticator factor: sandbox accepts
    123456, and authenticator challenges send nothing, so no send spacing applies."""
    user = User(server, server.make_app(sandbox=True))
    f = user.post("/v1/factors", json={"type": "totp"}).json()
    assert user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": "123456"}).status_code == 200
    return user, f


def challenge(user, purpose="stepup", **kw):
    r = user.post("/v1/challenges", json={"purpose": purpose, **kw})
    assert r.status_code == 201, r.text
    return r.json()


def verify(user, ch, code, **kw):
    return user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": code, **kw})


def test_verified_challenge_steps_the_session_up_and_works_once(server):
    user, f = sandbox_user(server)
    ch = challenge(user)
    assert ch["factor_id"] == f["factor_id"] and ch["status"] == "pending" and ch["attempts_remaining"] == 5
    r = verify(user, ch, "123456")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "verified" and body["stepped_up_until"].endswith("Z")
    assert_error(verify(user, ch, "123456"), 409, "ALREADY_VERIFIED")
    # stepped up: adding a factor is allowed now
    assert user.post("/v1/factors", json={"type": "backup_codes"}).status_code == 201


def test_wrong_codes_count_down_and_the_right_code_on_the_last_attempt_succeeds(server):
    user, _ = sandbox_user(server)
    ch = challenge(user)
    for remaining in (4, 3, 2, 1):
        err = assert_error(verify(user, ch, "000000"), 403, "VERIFICATION_CODE_INVALID")
        assert err["attempts_remaining"] == remaining
    assert verify(user, ch, "123456").status_code == 200


def test_fifth_wrong_code_locks_the_challenge_even_for_the_right_code(server):
    user, _ = sandbox_user(server)
    ch = challenge(user)
    for _ in range(4):
        assert_error(verify(user, ch, "000000"), 403, "VERIFICATION_CODE_INVALID")
    assert_error(verify(user, ch, "000000"), 409, "CHALLENGE_LIMIT_EXCEEDED")
    assert_error(verify(user, ch, "123456"), 409, "CHALLENGE_LIMIT_EXCEEDED")
    # and the session did not step up: adding a factor still needs it
    assert_error(user.post("/v1/factors", json={"type": "backup_codes"}), 403, "STEP_UP_REQUIRED")


def test_wrong_code_leaves_the_token_valid_but_not_stepped_up(server):
    user, _ = sandbox_user(server)
    ch = challenge(user)
    assert_error(verify(user, ch, "999999"), 403, "VERIFICATION_CODE_INVALID")
    assert user.get("/v1/factors").status_code == 200
    assert_error(user.post("/v1/factors", json={"type": "backup_codes"}), 403, "STEP_UP_REQUIRED")


def test_five_failures_across_challenges_block_the_factor(server):
    user, f = sandbox_user(server)
    first = challenge(user)
    for _ in range(3):
        verify(user, first, "000000")
    second = challenge(user)
    assert_error(verify(user, second, "000000"), 403, "VERIFICATION_CODE_INVALID")
    assert_error(verify(user, second, "000000"), 403, "VERIFICATION_CODE_INVALID")
    # the fifth consecutive failure blocked the factor: even the right code is refused
    assert_error(verify(user, second, "123456"), 403, "FACTOR_BLOCKED")
    assert_error(user.post("/v1/challenges", json={"purpose": "stepup"}), 403, "FACTOR_BLOCKED")
    listed = user.get("/v1/factors").json()["factors"][0]
    assert "blocked_until" in listed


def test_only_the_newest_challenge_of_a_session_counts(server):
    user, _ = sandbox_user(server)
    old = challenge(user, purpose="login")
    new = challenge(user, purpose="login")
    assert_error(verify(user, old, "123456"), 409, "CHALLENGE_SUPERSEDED")
    assert verify(user, new, "123456").status_code == 200


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's query plan; PostgreSQL's planner reads a small table whole")
def test_superseding_reads_the_pending_challenges_only_not_the_sessions_history(server):
    """A new challenge supersedes the pending ones of its session and factor. That UPDATE must
    find them through an index on pending challenges: found through the session alone, it read
    every challenge the session ever had, and a session with 1,700 of them verified four times
    slower (issue 5, migration 0012). The statement is store_sql.c's
    S_CHALLENGE_SUPERSEDE, as the SQLite driver prepares it."""
    user, _ = sandbox_user(server)
    challenge(user)
    db = sqlite3.connect(f"file:{server.db_path()}?mode=ro", uri=True)
    try:
        plan = db.execute("EXPLAIN QUERY PLAN " + statements("sqlite")["S_CHALLENGE_SUPERSEDE"],
                          ("ses_x", "fac_x", "chl_x")).fetchall()
    finally:
        db.close()
    assert [row[3] for row in plan] == ["SEARCH challenges USING INDEX challenges_pending (session_id=? AND factor_id=?)"]


def test_a_challenge_belongs_to_the_session_that_started_it(server):
    user, _ = sandbox_user(server)
    ch = challenge(user)
    other = User.__new__(User)
    other.server, other.app, other.user = user.server, user.app, user.user
    other.token = server.token_for(user.app, user.user["email"])
    assert_error(verify(other, ch, "123456"), 404, "NOT_FOUND")
    assert verify(user, ch, "123456").status_code == 200


def test_resend_spacing_newest_code_only_and_two_sends_per_session(server):
    app = server.make_app()
    user = User(server, app)
    phone = "+14155550177"
    f = user.post("/v1/factors", json={"type": "sms", "phone": phone}).json()
    enrol_code = sms_codes(server, phone)[0]
    # enrolment sends have their own 15-second spacing, not counted against the session
    assert_error(user.post(f"/v1/challenges/{f['challenge_id']}/resend"), 409, "RETRY_IN_15SEC")
    assert user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": enrol_code}).status_code == 200

    ch = challenge(user)  # step-up send 1
    first = sms_codes(server, phone, count=2)[-1]
    assert_error(user.post(f"/v1/challenges/{ch['challenge_id']}/resend"), 409, "RETRY_IN_15SEC")
    time.sleep(15.2)
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/resend")  # step-up send 2
    assert r.status_code == 200, r.text
    second = sms_codes(server, phone, count=3)[-1]
    # a third send on this token is refused, by resend or by a new challenge
    assert_error(user.post(f"/v1/challenges/{ch['challenge_id']}/resend"), 400, "INVALID_REQUEST")
    assert_error(user.post("/v1/challenges", json={"purpose": "stepup"}), 400, "INVALID_REQUEST")
    # the resend invalidated the first code: only the newest verifies
    if first != second:
        assert_error(verify(user, ch, first), 403, "VERIFICATION_CODE_INVALID")
    assert verify(user, ch, second).status_code == 200
    # signing in again gives a fresh allowance
    user.relogin()
    assert user.post("/v1/challenges", json={"purpose": "stepup"}).status_code == 201


def test_totp_accepts_one_step_either_side_and_refuses_replay(server):
    user = User(server, server.make_app())
    f = enrol_totp(user)
    secret = f["totp"]["secret"]
    sleep_into_next_totp_step(server, margin=0.3)  # a step the enrolment did not use
    ch = challenge(user, factor_id=f["factor_id"])
    assert_error(verify(user, ch, oathtool(secret, offset_steps=2)), 403, "VERIFICATION_CODE_INVALID")
    assert_error(verify(user, ch, oathtool(secret, offset_steps=-2)), 403, "VERIFICATION_CODE_INVALID")
    ahead = oathtool(secret, offset_steps=1)
    assert verify(user, ch, ahead).status_code == 200
    # the step after now was accepted: now's code and the previous step's are replays
    ch2 = challenge(user, factor_id=f["factor_id"])
    err = assert_error(verify(user, ch2, oathtool(secret)), 403, "VERIFICATION_CODE_REPLAYED")
    assert err["attempts_remaining"] == 4
    assert_error(verify(user, ch2, ahead), 403, "VERIFICATION_CODE_REPLAYED")


def test_replaying_a_used_totp_code_never_blocks_the_factor(server):
    # whoever saw one used code replays it: each replay uses an attempt of its challenge (the
    # fifth locks it) but not the factor's five consecutive failures, so the user is not blocked
    user = User(server, server.make_app())
    f = user.post("/v1/factors", json={"type": "totp"}).json()
    secret = f["totp"]["secret"]
    wait_for_fresh_totp_step(margin=10)
    used = oathtool(secret)
    assert user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": used}).status_code == 200
    for _ in range(3):  # 15 replays, three challenges' worth
        ch = challenge(user, factor_id=f["factor_id"])
        for left in (4, 3, 2, 1):
            err = assert_error(verify(user, ch, used), 403, "VERIFICATION_CODE_REPLAYED")
            assert err["attempts_remaining"] == left
        assert_error(verify(user, ch, used), 409, "CHALLENGE_LIMIT_EXCEEDED")
    ch = challenge(user, factor_id=f["factor_id"])
    r = verify(user, ch, oathtool(secret, offset_steps=1))  # the next step's code: never used
    assert r.status_code == 200, r.text
    # wrong codes still block: five in a row
    for _ in range(5):
        ch = challenge(user, factor_id=f["factor_id"])
        assert verify(user, ch, "000000" if oathtool(secret) != "000000" else "111111").status_code == 403
    r = user.post("/v1/challenges", json={"purpose": "stepup", "factor_id": f["factor_id"]})
    assert_error(r, 403, "FACTOR_BLOCKED")


def test_totp_previous_step_code_is_accepted(server):
    user = User(server, server.make_app())
    r = user.post("/v1/factors", json={"type": "totp"})
    f = r.json()
    wait_for_fresh_totp_step()
    r = user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": oathtool(f["totp"]["secret"], offset_steps=-1)})
    assert r.status_code == 200, r.text


def test_challenge_input_is_validated(server):
    user, f = sandbox_user(server)
    assert_error(user.post("/v1/challenges", json={}), 400, "MISSING_FIELD", field="purpose")
    assert_error(user.post("/v1/challenges", json={"purpose": "coffee"}), 400, "INVALID_FIELD", field="purpose")
    assert_error(user.post("/v1/challenges", json={"purpose": "stepup", "factor_id": "fac_nope"}), 404, "NOT_FOUND")
    ch = challenge(user)
    assert_error(user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={}), 400, "MISSING_FIELD", field="code")
    assert_error(user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": 123456}), 400, "INVALID_FIELD", field="code")
    assert_error(user.post("/v1/challenges/chl_unknown/verify", json={"code": "123456"}), 404, "NOT_FOUND")
    # no token: 401
    r = server.post("/v1/challenges", api_key=user.app["api_key"], json={"purpose": "stepup"})
    assert_error(r, 401, "INVALID_TOKEN")


def test_user_without_an_active_factor_gets_no_factor(server):
    user = User(server, server.make_app())
    assert_error(user.post("/v1/challenges", json={"purpose": "login"}), 409, "NO_FACTOR")
    f = user.post("/v1/factors", json={"type": "totp"}).json()
    assert_error(user.post("/v1/challenges", json={"purpose": "login", "factor_id": f["factor_id"]}), 409, "FACTOR_NOT_ACTIVE")


# ---- the resend rules hold under concurrency (SPEC section 4) ----

def at_once(calls):
    """Runs the calls together (threads); their answers, in order."""
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def test_concurrent_enrolment_sends_to_one_factor_send_one_code(server):
    """Enrolment sends are spaced 15 seconds per factor, whichever challenge or request asks:
    many asks at once, past the spacing, send exactly one code; the others are 409."""
    user = User(server, server.make_app())
    phone = "+14155550181"
    f = user.post("/v1/factors", json={"type": "sms", "phone": phone}).json()
    sms_codes(server, phone)
    # a new enrolment challenge right away is too soon for this factor
    r = user.post("/v1/challenges", json={"purpose": "enrolment", "factor_id": f["factor_id"]})
    assert_error(r, 409, "RETRY_IN_15SEC")
    time.sleep(15.2)  # the spacing itself: past it, one send is allowed
    new = lambda: user.post("/v1/challenges", json={"purpose": "enrolment", "factor_id": f["factor_id"]})
    resend = lambda: user.post(f"/v1/challenges/{f['challenge_id']}/resend")
    answers = at_once([new] * 10 + [resend] * 2)
    assert sum(r.status_code in (200, 201) for r in answers) == 1, [(r.status_code, r.text[:80]) for r in answers]
    for r in answers[:10]:  # the new challenges that lost: too soon
        if r.status_code != 201:
            assert_error(r, 409, "RETRY_IN_15SEC")
    for r in answers[10:]:  # the resends that lost: too soon, or their challenge was replaced meanwhile
        if r.status_code != 200:
            assert r.status_code == 409 and r.json()["error"]["code"] in ("RETRY_IN_15SEC", "CHALLENGE_SUPERSEDED"), r.text
    assert len(sms_codes(server, phone, count=2)) == 2
    time.sleep(0.5)
    assert len([m for m in server.messages() if m["to"] == phone]) == 2


def test_concurrent_step_up_sends_on_one_token_send_at_most_two_codes(server):
    """Many step-up sends at once on one token: one code; past 15 seconds, many again: one
    more; then none, whatever the purpose (the cap of two per token)."""
    user = User(server, server.make_app())
    phone = "+14155550182"
    enrol_sms(user, phone)
    send = lambda: user.post("/v1/challenges", json={"purpose": "stepup"})
    first = at_once([send] * 10)
    assert [r.status_code for r in first].count(201) == 1, [(r.status_code, r.text[:80]) for r in first]
    for r in first:
        if r.status_code != 201:
            assert_error(r, 409, "RETRY_IN_15SEC")
    time.sleep(15.2)
    second = at_once([send] * 10)
    assert [r.status_code for r in second].count(201) == 1, [(r.status_code, r.text[:80]) for r in second]
    third = at_once([send] * 5)
    assert {(r.status_code, r.json()["error"]["code"]) for r in third} == {(400, "INVALID_REQUEST")}
    assert len(sms_codes(server, phone, count=3)) == 3  # the enrolment's and two step-up codes
    time.sleep(0.5)
    assert len([m for m in server.messages() if m["to"] == phone]) == 3


PAYMENT = {"amount": 4999, "currency": "EUR", "payee": {"name": "Jane's Shop", "account": "DE89370400440532013000"}}


@pytest.fixture(scope="module")
def tokens_with_two_step_up_sends(shared_server):
    """For each purpose, a signed-in user whose token has had two step-up codes sent (the
    first, then one more 15 seconds later), with an active SMS factor and a pending one."""
    app = shared_server.make_app(sandbox=True)  # the send rules hold in sandbox too; nothing is sent
    users = {}
    for purpose in ("login", "stepup", "transaction", "enrolment"):
        user = User(shared_server, app)
        active = user.post("/v1/factors", json={"type": "sms", "phone": "+14155550183"}).json()
        pending = user.post("/v1/factors", json={"type": "sms", "phone": "+14155550184"}).json()
        assert user.post(f"/v1/factors/{active['factor_id']}/verify", json={"code": "123456"}).status_code == 200
        users[purpose] = (user, active, pending)
    for user, active, _ in users.values():
        assert user.post("/v1/challenges", json={"purpose": "stepup", "factor_id": active["factor_id"]}).status_code == 201
    time.sleep(15.2)
    for user, active, _ in users.values():
        assert user.post("/v1/challenges", json={"purpose": "stepup", "factor_id": active["factor_id"]}).status_code == 201
    return users


@pytest.mark.parametrize("purpose", ["login", "stepup", "transaction"])
def test_after_two_step_up_sends_no_purpose_that_elevates_sends_again(tokens_with_two_step_up_sends, purpose):
    """Every challenge whose success elevates the token (login and step-up step it up; a
    transaction authorises a payment) counts towards the two sends per token."""
    user, active, _ = tokens_with_two_step_up_sends[purpose]
    body = {"purpose": purpose, "factor_id": active["factor_id"]}
    if purpose == "transaction":
        body["transaction"] = PAYMENT
    assert_error(user.post("/v1/challenges", json=body), 400, "INVALID_REQUEST")


def test_after_two_step_up_sends_an_enrolment_keeps_its_own_spacing(tokens_with_two_step_up_sends):
    user, _, pending = tokens_with_two_step_up_sends["enrolment"]
    r = user.post("/v1/challenges", json={"purpose": "enrolment", "factor_id": pending["factor_id"]})
    assert r.status_code == 201, r.text
    assert_error(user.post(f"/v1/challenges/{r.json()['challenge_id']}/resend"), 409, "RETRY_IN_15SEC")
