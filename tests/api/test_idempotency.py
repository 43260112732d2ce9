"""idempotency-ref: a POST repeated with the same ref answers the first answer and acts once."""
import time

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
