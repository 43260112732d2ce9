"""Sign-in without a username: POST /v1/login/passkey/options gives a challenge for any
discoverable credential, POST /v1/login/passkey answers it with an assertion whose credential
and user handle name the user."""
import threading

import pytest

from harness import assert_error, db_query
from test_passkeys import ORIGIN, SETTINGS, enrolled
from webauthn_authenticator import UP, UV, b64u


def options(server, app):
    r = server.post("/v1/login/passkey/options", api_key=app["api_key"], json={})
    assert r.status_code == 201, r.text
    return r.json()


def sign_in(server, app, challenge_id, credential):
    return server.post("/v1/login/passkey", api_key=app["api_key"],
                       json={"challenge_id": challenge_id, "credential": credential})


@pytest.fixture
def app(make_app):
    return make_app(webauthn=SETTINGS)


def test_options_name_no_credential_and_need_the_settings(server, app, make_app):
    o = options(server, app)
    assert o["challenge_id"].startswith("chl_")
    assert o["webauthn"]["publicKey"]["allowCredentials"] == []
    assert o["webauthn"]["publicKey"]["rpId"] == "bank.example"
    bare = make_app()
    assert_error(server.post("/v1/login/passkey/options", api_key=bare["api_key"], json={}),
                 400, "WEBAUTHN_NOT_CONFIGURED")


def test_a_passkey_signs_its_user_in_stepped_up(server, app):
    user, authenticator, factor_id = enrolled(server, app)
    o = options(server, app)
    r = sign_in(server, app, o["challenge_id"], authenticator.assertion(o["webauthn"]["publicKey"]))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["user_id"] == user.user["user_id"] and body["stepped_up_until"]
    # the session is the user's, and stepped up: adding a factor needs no further challenge
    user.token = body["token"]
    assert user.post("/v1/factors", json={"type": "passkey"}).status_code == 201
    rows = db_query(server, "SELECT type AS event, subject FROM audit_events WHERE type = 'login.succeeded' ORDER BY seq")
    assert rows[-1]["subject"] == user.user["user_id"]


def test_without_user_verification_the_session_is_not_stepped_up(server, make_app):
    app = make_app(webauthn={**SETTINGS, "user_verification": "preferred"})
    user, authenticator, _ = enrolled(server, app)
    authenticator.flags = UP
    o = options(server, app)
    r = sign_in(server, app, o["challenge_id"], authenticator.assertion(o["webauthn"]["publicKey"]))
    assert r.status_code == 201, r.text
    assert r.json()["stepped_up_until"] is None
    user.token = r.json()["token"]
    assert_error(user.post("/v1/factors", json={"type": "passkey"}), 403, "STEP_UP_REQUIRED")


def test_a_challenge_is_used_once_right_or_wrong(server, app):
    user, authenticator, _ = enrolled(server, app)
    o = options(server, app)
    pk = o["webauthn"]["publicKey"]
    r = sign_in(server, app, o["challenge_id"], authenticator.assertion(pk, bogus_signature=True))
    assert_error(r, 403, "CREDENTIAL_INVALID")
    assert r.json()["error"]["reason"] == "signature"
    r = sign_in(server, app, o["challenge_id"], authenticator.assertion(pk))
    assert_error(r, 403, "CREDENTIAL_INVALID")
    assert r.json()["error"]["reason"] == "challenge"


def test_the_same_answer_sent_at_once_signs_in_once(server, app):
    user, authenticator, _ = enrolled(server, app)
    o = options(server, app)
    credential = authenticator.assertion(o["webauthn"]["publicKey"])
    gate, answers = threading.Barrier(8), []

    def one():
        gate.wait()
        answers.append(sign_in(server, app, o["challenge_id"], credential).status_code)
    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [201] + [403] * 7


def test_a_credential_or_handle_that_is_not_an_active_passkeys_is_refused(server, app, make_app):
    user, authenticator, _ = enrolled(server, app)
    other_app = make_app(webauthn=SETTINGS)
    # the same credential cannot sign in to another application
    o = options(server, other_app)
    r = sign_in(server, other_app, o["challenge_id"], authenticator.assertion(o["webauthn"]["publicKey"]))
    assert_error(r, 403, "CREDENTIAL_INVALID")
    assert r.json()["error"]["reason"] == "credential"
    # another user's handle with this credential
    o = options(server, app)
    a = authenticator.assertion(o["webauthn"]["publicKey"])
    a["response"]["userHandle"] = b64u(b"\0" * 32)
    r = sign_in(server, app, o["challenge_id"], a)
    assert r.json()["error"]["reason"] == "credential"
    # a challenge of another application
    o_other = options(server, other_app)
    r = sign_in(server, app, o_other["challenge_id"], authenticator.assertion(o_other["webauthn"]["publicKey"]))
    assert r.json()["error"]["reason"] == "challenge"


def test_wrong_answers_from_one_address_are_limited(start_server):
    srv = start_server(args=["--verify-failures-per-address", "3"])
    app = srv.make_app(webauthn=SETTINGS)
    user, authenticator, _ = enrolled(srv, app)
    for _ in range(3):
        o = options(srv, app)
        r = sign_in(srv, app, o["challenge_id"], authenticator.assertion(o["webauthn"]["publicKey"], origin="https://x.example"))
        assert_error(r, 403, "CREDENTIAL_INVALID")
    o = options(srv, app)
    r = sign_in(srv, app, o["challenge_id"], authenticator.assertion(o["webauthn"]["publicKey"]))
    assert_error(r, 429, "RATE_LIMITED")
    assert int(r.headers["Retry-After"]) > 0
