"""idempotency-ref: a POST repeated with the same ref answers the first answer and acts once."""
import json
import time

import pytest
import requests

from harness import DEFAULT_PASSWORD, assert_error, assert_not_stored


def ref(name):
    return {"idempotency-ref": name}


def test_a_repeated_registration_is_replayed_and_creates_one_user(server, make_app):
    app = make_app()
    body = {"email": "once@example.com", "password": DEFAULT_PASSWORD}
    first = server.post("/v1/users", api_key=app["api_key"], json=body, headers=ref("reg-1"))
    assert first.status_code == 201, first.text
    assert first.headers.get("Idempotent-Replayed") is None
    second = server.post("/v1/users", api_key=app["api_key"], json=body, headers=ref("reg-1"))
    assert second.status_code == 201, second.text
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert second.json() == first.json()
    assert second.json()["user_id"] == first.json()["user_id"]
    # one user exists: the same email without the ref is taken
    third = server.post("/v1/users", api_key=app["api_key"], json=body)
    assert_error(third, 409, "EMAIL_TAKEN")


def test_a_repeated_send_confirmation_sends_one_email(server, make_app):
    app = make_app()
    u = server.make_user(app)
    path = f"/v1/users/{u['user_id']}/send_confirmation"
    first = server.post(path, api_key=app["api_key"], headers=ref("confirm-1"))
    second = server.post(path, api_key=app["api_key"], headers=ref("confirm-1"))
    assert first.status_code == second.status_code == 202, (first.text, second.text)
    assert second.json()["message_id"] == first.json()["message_id"]
    assert second.headers.get("Idempotent-Replayed") == "true"
    server.wait_for_messages(1)
    time.sleep(1.5)  # longer than the outbox worker's poll: a second message would be here
    assert len(server.messages()) == 1, server.messages()
    # without the ref a second email is sent
    assert server.post(path, api_key=app["api_key"]).status_code == 202
    server.wait_for_messages(2)


def test_the_same_ref_in_another_application_acts_independently(server, make_app):
    a, b = make_app(), make_app()
    body = {"email": "both@example.com", "password": DEFAULT_PASSWORD}
    ra = server.post("/v1/users", api_key=a["api_key"], json=body, headers=ref("shared-ref"))
    rb = server.post("/v1/users", api_key=b["api_key"], json=body, headers=ref("shared-ref"))
    assert ra.status_code == rb.status_code == 201, (ra.text, rb.text)
    assert rb.headers.get("Idempotent-Replayed") is None
    assert ra.json()["user_id"] != rb.json()["user_id"]
    assert server.get(f"/v1/users/{rb.json()['user_id']}", api_key=b["api_key"]).status_code == 200


def test_the_same_ref_with_a_different_body_is_409(server, make_app):
    app = make_app()
    r1 = server.post("/v1/users", api_key=app["api_key"], json={"email": "one@example.com"}, headers=ref("r"))
    assert r1.status_code == 201
    r2 = server.post("/v1/users", api_key=app["api_key"], json={"email": "two@example.com"}, headers=ref("r"))
    assert_error(r2, 409, "IDEMPOTENCY_REF_REUSED")
    # the second body was not acted on
    r3 = server.post("/v1/users", api_key=app["api_key"], json={"email": "two@example.com"})
    assert r3.status_code == 201, r3.text


def test_the_same_ref_on_another_route_is_409(server, make_app):
    app = make_app()
    u = server.make_user(app, email="route@example.com")
    r1 = server.post(f"/v1/users/{u['user_id']}/send_confirmation", api_key=app["api_key"], headers=ref("x"))
    assert r1.status_code == 202
    r2 = server.post("/v1/login", api_key=app["api_key"], headers=ref("x"),
                     json={"email": "route@example.com", "password": DEFAULT_PASSWORD})
    assert_error(r2, 409, "IDEMPOTENCY_REF_REUSED")


def test_error_answers_are_replayed_too(server, make_app):
    app = make_app()
    body = {"email": "not-an-email", "password": DEFAULT_PASSWORD}
    first = server.post("/v1/users", api_key=app["api_key"], json=body, headers=ref("bad-1"))
    assert_error(first, 400, "INVALID_FIELD", field="email")
    second = server.post("/v1/users", api_key=app["api_key"], json=body, headers=ref("bad-1"))
    assert second.status_code == 400
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert second.json() == first.json()


def test_a_replayed_conflict_stays_a_conflict(server, make_app):
    app = make_app()
    server.make_user(app, email="taken@example.com")
    body = {"email": "taken@example.com"}
    first = server.post("/v1/users", api_key=app["api_key"], json=body, headers=ref("c"))
    assert_error(first, 409, "EMAIL_TAKEN")
    second = server.post("/v1/users", api_key=app["api_key"], json=body, headers=ref("c"))
    assert second.status_code == 409 and second.json() == first.json()


def test_a_replay_needs_valid_credentials(server, make_app):
    app = make_app()
    body = {"email": "cred@example.com"}
    assert server.post("/v1/users", api_key=app["api_key"], json=body, headers=ref("k")).status_code == 201
    r = server.post("/v1/users", api_key="tfk_wrong", json=body, headers=ref("k"))
    assert_error(r, 401, "INVALID_API_KEY")


def test_a_replayed_login_returns_the_same_session_without_storing_the_token_in_clear(server, make_app):
    app = make_app()
    server.make_user(app, email="idem@example.com")
    body = {"email": "idem@example.com", "password": DEFAULT_PASSWORD}
    first = server.post("/v1/login", api_key=app["api_key"], json=body, headers=ref("login-1"))
    second = server.post("/v1/login", api_key=app["api_key"], json=body, headers=ref("login-1"))
    assert first.status_code == second.status_code == 201
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert second.json()["token"] == first.json()["token"]
    # SPEC 2: a session token is stored only as a hash, whatever header came with the login
    assert_not_stored(server, first.json()["token"], "a session token (via the idempotency record)")


def test_admin_app_creation_is_idempotent(server, admin):
    h = {**admin, "idempotency-ref": "make-acme"}
    first = server.post("/v1/admin/apps", headers=h, json={"name": "Acme"})
    second = server.post("/v1/admin/apps", headers=h, json={"name": "Acme"})
    assert first.status_code == second.status_code == 201
    assert second.json()["app_id"] == first.json()["app_id"]
    assert second.headers.get("Idempotent-Replayed") == "true"


def test_an_empty_or_overlong_ref_is_400(server, make_app):
    app = make_app()
    for value in ("", "x" * 256):
        r = server.post("/v1/users", api_key=app["api_key"], json={"email": "r@example.com"}, headers=ref(value))
        assert_error(r, 400, "INVALID_FIELD", field="idempotency-ref")


def test_concurrent_requests_with_one_ref_act_once(server, make_app):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import requests

    app = make_app()
    body = {"email": "race@example.com", "password": DEFAULT_PASSWORD}
    gate = threading.Barrier(10)

    def one(_):
        gate.wait(timeout=30)
        return requests.post(server.base_url + "/v1/users", json=body, timeout=60,
                             headers={"api-key": app["api_key"], "idempotency-ref": "race"})

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(one, range(10)))
    created = {r.json()["user_id"] for r in answers if r.status_code == 201}
    assert len(created) == 1, [r.text for r in answers]
    for r in answers:
        if r.status_code != 201:
            assert_error(r, 409, "IDEMPOTENCY_IN_PROGRESS")


# ---- a ref belongs to the credential that first used it (SPEC section 11) ----

def two_users(server, app):
    """Two users of one application, each signed in: (user, token) pairs."""
    out = []
    for _ in range(2):
        u = server.make_user(app)
        out.append((u, server.token_for(app, u["email"])))
    return out


def factors_of(server, app, token):
    r = server.get("/v1/factors", api_key=app["api_key"], token=token)
    assert r.status_code == 200, r.text
    return r.json()["factors"]


@pytest.mark.parametrize("factor_type, secret_field", [("totp", "totp"), ("backup_codes", "backup_codes")])
def test_another_users_ref_is_409_and_never_replays_the_first_users_secret(server, make_app, factor_type,
                                                                           secret_field):
    app = make_app()
    (a, token_a), (b, token_b) = two_users(server, app)
    body = {"type": factor_type}
    first = server.post("/v1/factors", api_key=app["api_key"], token=token_a, json=body, headers=ref("enrol-1"))
    assert first.status_code == 201, first.text
    assert first.json()[secret_field]
    second = server.post("/v1/factors", api_key=app["api_key"], token=token_b, json=body, headers=ref("enrol-1"))
    assert_error(second, 409, "IDEMPOTENCY_REF_REUSED")
    assert second.headers.get("Idempotent-Replayed") is None
    assert first.json()["factor_id"] not in second.text
    assert json.dumps(first.json()[secret_field]) not in second.text
    # nothing was done for B, and A's own retry is still replayed
    assert factors_of(server, app, token_b) == []
    again = server.post("/v1/factors", api_key=app["api_key"], token=token_a, json=body, headers=ref("enrol-1"))
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    assert len(factors_of(server, app, token_a)) == 1


def test_another_sessions_logout_with_a_used_ref_is_409_and_ends_nothing(server, make_app):
    app = make_app()
    (a, token_a), (b, token_b) = two_users(server, app)
    first = server.post("/v1/logout", api_key=app["api_key"], token=token_a, headers=ref("bye"))
    assert first.status_code == 200 and first.json()["status"] == "logged_out"
    second = server.post("/v1/logout", api_key=app["api_key"], token=token_b, headers=ref("bye"))
    assert_error(second, 409, "IDEMPOTENCY_REF_REUSED")
    assert server.token_alive(app, token_b)
    assert not server.token_alive(app, token_a)


def test_two_sessions_of_one_user_do_not_share_refs(server, make_app):
    app = make_app()
    u = server.make_user(app)
    t1, t2 = server.token_for(app, u["email"]), server.token_for(app, u["email"])
    first = server.post("/v1/factors", api_key=app["api_key"], token=t1, json={"type": "totp"}, headers=ref("e"))
    assert first.status_code == 201, first.text
    second = server.post("/v1/factors", api_key=app["api_key"], token=t2, json={"type": "totp"}, headers=ref("e"))
    assert_error(second, 409, "IDEMPOTENCY_REF_REUSED")


def test_concurrent_refs_from_many_sessions_give_one_answer_to_its_owner_only(server, make_app):
    from concurrent.futures import ThreadPoolExecutor

    app = make_app()
    pairs = [(u, server.token_for(app, u["email"])) for u in (server.make_user(app) for _ in range(8))]

    def enrol(token):
        s = requests.Session()
        return s.post(server.base_url + "/v1/factors", headers={"api-key": app["api_key"],
                      "Authorization": f"Bearer {token}", "idempotency-ref": "race"}, json={"type": "totp"}, timeout=30)

    with ThreadPoolExecutor(len(pairs)) as pool:
        answers = list(pool.map(enrol, [t for _, t in pairs]))
    created = [r for r in answers if r.status_code == 201]
    assert len(created) == 1, [r.status_code for r in answers]
    assert all(r.status_code == 409 for r in answers if r.status_code != 201), [r.text for r in answers]
    # exactly one user has a factor: the one whose request created it
    owners = [t for (_, t), r in zip(pairs, answers) if r.status_code == 201]
    for _, t in pairs:
        assert len(factors_of(server, app, t)) == (1 if t in owners else 0)
