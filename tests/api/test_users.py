"""Users: register, read, mark verified, send the confirmation email; siloed per application."""
import time
import re

import pytest

from display_text import ACCEPTED, REFUSED
from harness import DEFAULT_PASSWORD, assert_error, assert_not_stored

PUBLIC_USER_FIELDS = {"user_id", "email", "type", "name", "mobile", "locale", "email_verified", "has_password",
                      "created_at", "expires_at", "email_verified_at"}
RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def assert_public_user(u, password=DEFAULT_PASSWORD):
    assert set(u) <= PUBLIC_USER_FIELDS, f"unexpected fields: {set(u) - PUBLIC_USER_FIELDS}"
    text = repr(u).lower()
    for bad in ("password_hash", "argon2", "secret", "token"):
        assert bad not in text, u
    assert password not in repr(u)


def test_register_answers_201_with_the_user(server, make_app):
    app = make_app()
    r = server.post("/v1/users", api_key=app["api_key"], json={
        "email": "ann@example.com", "password": DEFAULT_PASSWORD, "name": "Ann Lee", "mobile": "+447700900123"})
    assert r.status_code == 201, r.text
    u = r.json()
    assert u["user_id"].startswith("usr_")
    assert u["email"] == "ann@example.com"
    assert u["type"] == "standard"
    assert u["name"] == "Ann Lee"
    assert u["mobile"] == "+447700900123"
    assert u["email_verified"] is False
    assert u["has_password"] is True
    assert RFC3339_UTC.match(u["created_at"])
    assert_public_user(u)


def test_the_email_is_lower_cased(server, make_app):
    app = make_app()
    u = server.make_user(app, email="Ann.Lee+Pay@Example.COM")
    assert u["email"] == "ann.lee+pay@example.com"
    # and found again under any case
    assert server.login(app, "ANN.LEE+PAY@EXAMPLE.COM").status_code == 201


def test_get_user_answers_the_user_without_secrets(server, make_app):
    app = make_app()
    created = server.make_user(app, email="bob@example.com", name="Bob")
    r = server.get(f"/v1/users/{created['user_id']}", api_key=app["api_key"])
    assert r.status_code == 200, r.text
    u = r.json()
    assert u == created
    assert_public_user(u)


def test_the_password_is_stored_only_as_a_hash(server, make_app):
    app = make_app()
    server.make_user(app, password="a very particular passphrase 1")
    assert_not_stored(server, "a very particular passphrase 1", "the password")


def test_a_standard_user_may_register_without_a_password(server, make_app):
    u = server.make_user(make_app(), password=None)
    assert u["has_password"] is False and u["type"] == "standard"


def test_a_duplicate_email_in_one_application_is_409(server, make_app):
    app = make_app()
    server.make_user(app, email="dup@example.com")
    for email in ("dup@example.com", "DUP@Example.com"):
        r = server.post("/v1/users", api_key=app["api_key"], json={"email": email, "password": DEFAULT_PASSWORD})
        assert_error(r, 409, "EMAIL_TAKEN")


def test_same_email_in_two_applications_is_two_users(server, make_app):
    a, b = make_app(), make_app()
    ua = server.make_user(a, email="shared@example.com", password="password of a 1")
    ub = server.make_user(b, email="shared@example.com", password="password of b 2")
    assert ua["user_id"] != ub["user_id"]
    # each signs in with its own password in its own application only
    assert server.login(a, "shared@example.com", "password of a 1").status_code == 201
    assert server.login(b, "shared@example.com", "password of b 2").status_code == 201
    assert server.login(a, "shared@example.com", "password of b 2").status_code == 401
    assert server.login(b, "shared@example.com", "password of a 1").status_code == 401


def test_another_applications_user_is_not_found(server, make_app):
    a = make_app()
    b = make_app(can_mark_email_verified=True)
    std = server.make_user(a)
    sso = server.make_user(a, password=None, type="sso")
    for uid in (std["user_id"], sso["user_id"]):
        assert_error(server.get(f"/v1/users/{uid}", api_key=b["api_key"]), 404, "NOT_FOUND")
        assert_error(server.post(f"/v1/users/{uid}/mark_email_verified", api_key=b["api_key"]), 404, "NOT_FOUND")
        assert_error(server.post(f"/v1/users/{uid}/send_confirmation", api_key=b["api_key"]), 404, "NOT_FOUND")
        assert_error(server.post(f"/v1/users/{uid}/sessions", api_key=b["api_key"]), 404, "NOT_FOUND")
    # nothing happened to them
    assert server.get(f"/v1/users/{std['user_id']}", api_key=a["api_key"]).json()["email_verified"] is False
    assert server.messages() == []


def test_an_unknown_user_id_is_404_like_another_applications(server, make_app):
    app = make_app()
    for uid in ("usr_doesnotexist", "usr_" + "a" * 26, "1", "%27%20OR%201%3D1"):
        assert_error(server.get(f"/v1/users/{uid}", api_key=app["api_key"]), 404, "NOT_FOUND")


@pytest.mark.parametrize("key", [None, "", "tfk_wrong", "x" * 500], ids=["missing", "empty", "wrong", "huge"])
def test_a_bad_api_key_is_401(server, make_app, key):
    app = make_app()
    u = server.make_user(app)
    headers = {} if key is None else {"api-key": key}
    assert_error(server.post("/v1/users", headers=headers, json={"email": "k@example.com"}), 401, "INVALID_API_KEY")
    assert_error(server.get(f"/v1/users/{u['user_id']}", headers=headers), 401, "INVALID_API_KEY")


def test_the_admin_token_is_not_an_api_key(server, make_app):
    make_app()
    r = server.post("/v1/users", headers={"api-key": server.admin_token}, json={"email": "k@example.com"})
    assert_error(r, 401, "INVALID_API_KEY")


@pytest.mark.parametrize("field,value", [
    ("email", "not-an-email"),
    ("email", "ann@localhost"),
    ("email", "ann@@example.com"),
    ("email", "@example.com"),
    ("email", " ann@example.com"),
    ("email", "ann@example.com "),
    ("email", "ann lee@example.com"),
    ("email", "ann@exa_mple.com"),
    ("email", "ann..lee@example.com"),
    ("email", "ann@example.com\n"),
    ("email", "a" * 65 + "@example.com"),
    ("email", 42),
    ("email", ["ann@example.com"]),
    ("mobile", "07700900123"),
    ("mobile", "+0 7700900123"),
    ("mobile", "+44 7700 900123"),
    ("mobile", "+4477009001230000"),
    ("mobile", "+12345"),
    ("mobile", 447700900123),
    ("type", "admin"),
    ("type", "SSO"),
    ("type", True),
    ("password", "short12"),
    ("password", "x" * 257),
    ("password", "new\nline in it"),
    ("password", 12345678),
    ("name", ""),
    ("name", 7),
])
def test_an_invalid_field_is_400_naming_it(server, make_app, field, value):
    app = make_app()
    body = {"email": "valid@example.com", "password": DEFAULT_PASSWORD, field: value}
    r = server.post("/v1/users", api_key=app["api_key"], json=body)
    assert_error(r, 400, "INVALID_FIELD", field=field)


@pytest.mark.parametrize("name", list(REFUSED.values()), ids=list(REFUSED))
def test_a_name_that_could_make_a_message_or_page_misleading_is_400(server, make_app, name):
    app = make_app()
    r = server.post("/v1/users", api_key=app["api_key"], json={"email": "valid@example.com", "name": name})
    assert_error(r, 400, "INVALID_FIELD", field="name")


def test_international_names_are_accepted(server, make_app):
    app = make_app()
    for name in ACCEPTED:
        u = server.make_user(app, name=name)
        assert u["name"] == name
        assert server.get(f"/v1/users/{u['user_id']}", api_key=app["api_key"]).json()["name"] == name


def test_a_missing_email_is_400_naming_it(server, make_app):
    app = make_app()
    r = server.post("/v1/users", api_key=app["api_key"], json={"password": DEFAULT_PASSWORD})
    assert_error(r, 400, "MISSING_FIELD", field="email")


def test_an_unknown_field_is_400(server, make_app):
    app = make_app()
    r = server.post("/v1/users", api_key=app["api_key"],
                    json={"email": "u@example.com", "email_verified": True})
    assert_error(r, 400, "INVALID_FIELD", field="email_verified")


def test_an_sso_user_registers_without_a_password(server, make_app):
    app = make_app()
    u = server.make_user(app, password=None, type="sso")
    assert u["type"] == "sso" and u["has_password"] is False


def test_an_sso_user_with_a_password_is_400(server, make_app):
    app = make_app()
    r = server.post("/v1/users", api_key=app["api_key"],
                    json={"email": "s@example.com", "type": "sso", "password": DEFAULT_PASSWORD})
    assert_error(r, 400, "INVALID_FIELD", field="password")


def test_sso_registration_needs_the_applications_sso_permission(server, make_app):
    app = make_app(can_register_sso=False)
    r = server.post("/v1/users", api_key=app["api_key"], json={"email": "s@example.com", "type": "sso"})
    assert_error(r, 403, "PERMISSION_DENIED")
    # standard users are still fine
    server.make_user(app, email="s@example.com")


def test_mark_email_verified_needs_the_applications_permission(server, make_app):
    app = make_app()
    u = server.make_user(app)
    r = server.post(f"/v1/users/{u['user_id']}/mark_email_verified", api_key=app["api_key"])
    assert_error(r, 403, "PERMISSION_DENIED")
    assert server.get(f"/v1/users/{u['user_id']}", api_key=app["api_key"]).json()["email_verified"] is False


def test_mark_email_verified_verifies_once(server, make_app):
    app = make_app(can_mark_email_verified=True)
    u = server.make_user(app)
    r = server.post(f"/v1/users/{u['user_id']}/mark_email_verified", api_key=app["api_key"])
    assert r.status_code == 200, r.text
    assert r.json()["email_verified"] is True
    assert r.json()["user_id"] == u["user_id"]
    got = server.get(f"/v1/users/{u['user_id']}", api_key=app["api_key"]).json()
    assert got["email_verified"] is True
    assert RFC3339_UTC.match(got["email_verified_at"])
    r = server.post(f"/v1/users/{u['user_id']}/mark_email_verified", api_key=app["api_key"])
    assert_error(r, 409, "EMAIL_ALREADY_VERIFIED")


def test_send_confirmation_queues_an_email_with_a_confirmation_link(server, make_app):
    app = make_app(name="Acme Pay")
    u = server.make_user(app, email="Conf@Example.com")
    r = server.post(f"/v1/users/{u['user_id']}/send_confirmation", api_key=app["api_key"])
    assert r.status_code == 202, r.text
    mid = r.json()["message_id"]
    assert isinstance(mid, str) and mid
    [m] = server.wait_for_messages(1)
    assert m["message_id"] == mid
    assert m["channel"] == "email"
    assert m["to"] == "conf@example.com"
    assert "Acme Pay" in m["text"]
    link = re.search(r"(\S+)/confirm\?app=app_\w+&token=([A-Za-z0-9_\-]+)", m["text"])
    assert link, m["text"]
    assert len(link.group(2)) >= 40  # a one-time token that cannot be guessed


def test_each_confirmation_email_has_its_own_token(server, make_app):
    app = make_app()
    u = server.make_user(app)
    for _ in range(2):
        assert server.post(f"/v1/users/{u['user_id']}/send_confirmation", api_key=app["api_key"]).status_code == 202
    msgs = server.wait_for_messages(2)
    tokens = {re.search(r"token=([A-Za-z0-9_\-]+)", m["text"]).group(1) for m in msgs}
    assert len(tokens) == 2
    assert len({m["message_id"] for m in msgs}) == 2
    for t in tokens:
        assert_not_stored(server, t, "the confirmation token")


def test_send_confirmation_to_a_verified_user_is_409(server, make_app):
    app = make_app(can_mark_email_verified=True)
    u = server.make_user(app)
    assert server.post(f"/v1/users/{u['user_id']}/mark_email_verified", api_key=app["api_key"]).status_code == 200
    r = server.post(f"/v1/users/{u['user_id']}/send_confirmation", api_key=app["api_key"])
    assert_error(r, 409, "EMAIL_ALREADY_VERIFIED")


def test_send_confirmation_rejects_a_bad_email_message(server, make_app):
    app = make_app()
    u = server.make_user(app)
    r = server.post(f"/v1/users/{u['user_id']}/send_confirmation", api_key=app["api_key"],
                    json={"email_message": 5})
    assert_error(r, 400, "INVALID_FIELD", field="email_message")
    for text in REFUSED.values():  # the message is in the email: display text only
        r = server.post(f"/v1/users/{u['user_id']}/send_confirmation", api_key=app["api_key"],
                        json={"email_message": text})
        assert_error(r, 400, "INVALID_FIELD", field="email_message")


def test_header_names_are_case_insensitive(server, make_app):
    app = make_app()
    for i, name in enumerate(("API-KEY", "Api-Key")):
        r = server.post("/v1/users", headers={name: app["api_key"]}, json={"email": f"case{i}@example.com"})
        assert r.status_code == 201, r.text


def test_an_expired_unverified_user_with_factors_gives_way_to_a_new_registration(start_server):
    server = start_server(args=["--unverified-user-ttl", "6"])
    app = server.make_app(sandbox=True)
    sent = time.monotonic()  # the user is registered after this
    old = server.make_user(app, email="again@example.com")
    made_by = time.monotonic()  # and before this
    token = server.token_for(app, "again@example.com")
    f = server.post("/v1/factors", api_key=app["api_key"], token=token, json={"type": "sms", "phone": "+447700900901"}).json()
    assert server.post(f"/v1/factors/{f['factor_id']}/verify", api_key=app["api_key"], token=token,
                       json={"code": "123456"}).status_code == 200
    r = server.post("/v1/sso/tokens", api_key=app["api_key"], json={"user_id": old["user_id"]})
    if time.monotonic() - sent < 6:  # answered within the user's first 6 s: the user is still there
        assert r.status_code == 201, r.text
    while time.monotonic() - made_by < 6.3:
        time.sleep(0.1)
    r = server.post("/v1/users", api_key=app["api_key"], json={"email": "again@example.com"})
    assert r.status_code == 201, r.text
    assert r.json()["user_id"] != old["user_id"]
    assert server.get(f"/v1/users/{old['user_id']}", api_key=app["api_key"]).status_code == 404