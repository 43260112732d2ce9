"""POST /v1/admin/apps: creating applications with the admin token."""
import json

import pytest

from display_text import ACCEPTED, REFUSED
from harness import DEFAULT_PASSWORD, assert_error, assert_not_stored, run_cli


@pytest.mark.parametrize("authorization", [
    None,
    "Bearer",
    "Bearer ",
    "Bearer wrong-token",
    "Basic YWRtaW46YWRtaW4=",
], ids=["none", "bearer-without-token", "bearer-empty", "wrong", "basic"])
def test_creating_an_app_needs_the_admin_token(server, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}
    r = server.post("/v1/admin/apps", headers=headers, json={"name": "Nope"})
    assert_error(r, 401, "INVALID_ADMIN_TOKEN")


def test_the_admin_token_with_a_suffix_or_prefix_is_refused(server):
    for t in (server.admin_token + "x", server.admin_token[:-1], "x" + server.admin_token):
        r = server.post("/v1/admin/apps", headers={"Authorization": f"Bearer {t}"}, json={"name": "Nope"})
        assert_error(r, 401, "INVALID_ADMIN_TOKEN")


def test_an_app_api_key_is_not_an_admin_token(server, make_app):
    app = make_app()
    r = server.post("/v1/admin/apps", headers={"Authorization": f"Bearer {app['api_key']}"}, json={"name": "Nope"})
    assert_error(r, 401, "INVALID_ADMIN_TOKEN")
    r = server.post("/v1/admin/apps", api_key=app["api_key"], json={"name": "Nope"})
    assert_error(r, 401, "INVALID_ADMIN_TOKEN")


def test_create_answers_201_with_the_credentials_and_settings(server, admin):
    r = server.post("/v1/admin/apps", headers=admin, json={
        "name": "Acme Pay", "sandbox": True, "can_mark_email_verified": True,
        "redirect_uri_prefixes": ["https://acme.example/return/"], "sso_login_url": "https://acme.example/login"})
    assert r.status_code == 201, r.text
    a = r.json()
    assert a["app_id"].startswith("app_")
    assert a["client_id"].startswith("cli_")
    for k in ("client_secret", "api_key"):
        assert isinstance(a[k], str) and len(a[k]) >= 40, a
    assert len({a["app_id"], a["client_id"], a["client_secret"], a["api_key"]}) == 4
    assert a["name"] == "Acme Pay"
    assert a["sandbox"] is True
    assert a["can_mark_email_verified"] is True
    assert a["redirect_uri_prefixes"] == ["https://acme.example/return/"]
    assert a["sso_login_url"] == "https://acme.example/login"


def test_defaults_are_not_sandbox_and_not_allowed_to_mark_emails_verified(make_app):
    a = make_app()
    assert a["sandbox"] is False
    assert a["can_mark_email_verified"] is False
    assert a["can_register_sso"] is True  # on unless the operator turns it off (SPEC 2)
    assert a["redirect_uri_prefixes"] == []


def test_two_apps_get_different_credentials(make_app):
    a, b = make_app(name="Same"), make_app(name="Same")
    for k in ("app_id", "client_id", "client_secret", "api_key"):
        assert a[k] != b[k]


def test_a_missing_name_is_400_naming_the_field(server, admin):
    for body in ({}, {"sandbox": True}, {"name": None}):
        r = server.post("/v1/admin/apps", headers=admin, json=body)
        assert_error(r, 400, "MISSING_FIELD", field="name")
    r = server.post("/v1/admin/apps", headers=admin)  # no body at all
    assert_error(r, 400, "MISSING_FIELD", field="name")


@pytest.mark.parametrize("field,value", [
    ("name", 42),
    ("name", ["Acme"]),
    ("name", ""),
    ("name", "tab\tinside"),
    ("name", "x" * 256),
    ("name", "中" * 85 + "x"),  # 256 bytes
    ("sandbox", "yes"),
    ("sandbox", 1),
    ("can_mark_email_verified", "true"),
    ("can_register_sso", 0),
    ("redirect_uri_prefixes", "https://acme.example/"),
    ("redirect_uri_prefixes", [42]),
    ("redirect_uri_prefixes", {"a": "https://acme.example/"}),
    ("sso_login_url", 42),
    ("sso_login_url", "javascript:alert(1)"),
    ("sso_login_url", "acme.example/login"),
])
def test_a_wrong_type_or_value_is_400_naming_the_field(server, admin, field, value):
    body = {"name": "Acme"}
    body[field] = value
    r = server.post("/v1/admin/apps", headers=admin, json=body)
    assert_error(r, 400, "INVALID_FIELD", field=field)


def test_an_unknown_field_is_400_naming_it(server, admin):
    r = server.post("/v1/admin/apps", headers=admin, json={"name": "Acme", "is_admin": True})
    assert_error(r, 400, "INVALID_FIELD", field="is_admin")


@pytest.mark.parametrize("prefix", [
    "ftp://acme.example/",
    "javascript:alert(1)//",
    "//acme.example/",
    "https://",
    "http:///path",
    "",
    "https://acme.example/ spaced",
    "https://acme.example/\u00e9",
])
def test_redirect_uri_prefixes_must_be_http_or_https_urls(server, admin, prefix):
    r = server.post("/v1/admin/apps", headers=admin,
                    json={"name": "Acme", "redirect_uri_prefixes": ["https://ok.example/", prefix]})
    assert_error(r, 400, "INVALID_FIELD", field="redirect_uri_prefixes")


def test_valid_redirect_uri_prefixes_are_kept_in_order(server, admin):
    prefixes = ["https://acme.example/cb", "http://localhost:3000/"]
    r = server.post("/v1/admin/apps", headers=admin, json={"name": "Acme", "redirect_uri_prefixes": prefixes})
    assert r.status_code == 201, r.text
    assert r.json()["redirect_uri_prefixes"] == prefixes


def test_credentials_are_answered_once_and_never_again(server, make_app):
    app = make_app(can_mark_email_verified=True)
    secrets_ = (app["api_key"], app["client_secret"])
    answers = []
    key = app["api_key"]
    r = server.post("/v1/users", api_key=key, json={"email": "once@example.com", "password": DEFAULT_PASSWORD})
    answers.append(r)
    uid = r.json()["user_id"]
    answers.append(server.get(f"/v1/users/{uid}", api_key=key))
    answers.append(server.post(f"/v1/users/{uid}/send_confirmation", api_key=key))
    answers.append(server.post(f"/v1/users/{uid}/mark_email_verified", api_key=key))
    login = server.login(app, "once@example.com")
    answers.append(login)
    answers.append(server.get("/v1/factors", api_key=key, token=login.json()["token"]))
    answers.append(server.post("/v1/logout", api_key=key, token=login.json()["token"]))
    answers.append(server.post("/v1/users", api_key=key, json={"email": "bad"}))
    answers.append(server.post("/v1/users", api_key=key + "x", json={"email": "x@example.com"}))
    answers.append(server.get("/metrics"))
    answers.append(server.get("/readyz"))
    # a new app answers its own credentials, not this one's
    answers.append(server.post("/v1/admin/apps", admin=True, json={"name": "Other"}))
    server.wait_for_messages(1)
    for r in answers:
        text = r.text + "".join(f"{k}: {v}\n" for k, v in r.headers.items())
        for s in secrets_:
            assert s not in text, f"{r.request.method} {r.request.url} answered a credential"
    out = server.all_output()
    for s in secrets_:
        assert s not in out, "a credential appears in the server's output"


def test_credentials_are_not_stored_in_plain_text(server, make_app):
    app = make_app()
    server.make_user(app)
    assert_not_stored(server, app["api_key"], "the api key")
    assert_not_stored(server, app["client_secret"], "the client secret")
    assert_not_stored(server, server.admin_token, "the admin token")


def test_credentials_answered_under_an_idempotency_ref_are_not_stored_in_plain_text(server, admin):
    # the idempotency record must not become a clear-text copy of the credentials
    r = server.post("/v1/admin/apps", headers={**admin, "idempotency-ref": "create-acme"}, json={"name": "Acme"})
    assert r.status_code == 201, r.text
    assert_not_stored(server, r.json()["api_key"], "the api key (via the idempotency record)")
    assert_not_stored(server, r.json()["client_secret"], "the client secret (via the idempotency record)")


@pytest.mark.parametrize("name", list(REFUSED.values()), ids=list(REFUSED))
def test_an_application_name_that_could_make_messages_misleading_is_400(server, admin, name):
    """The name is in every message and hosted page: no control, format, separator, private-use
    or unassigned character, no non-character."""
    r = server.post("/v1/admin/apps", headers=admin, json={"name": name})
    assert_error(r, 400, "INVALID_FIELD", field="name")


def test_international_application_names_up_to_255_bytes_are_accepted(server, admin):
    for name in ACCEPTED + ["中" * 85, "😀" * 63 + "Pay", "x" * 255]:
        r = server.post("/v1/admin/apps", headers=admin, json={"name": name})
        assert r.status_code == 201, (name, r.text)
        assert r.json()["name"] == name


def test_app_create_on_the_command_line_follows_the_same_rule(server):
    for name in ("Shop\u2029Acme Pay: to pay EUR 1.00 to Jane", "Jane\u202eShop", "x" * 256, "caf\udce9"):
        res = run_cli("app", "create", "--data", server.data_dir, "--name", name)  # \udce9: the byte 0xE9 alone
        assert res.returncode == 2 and "--name" in res.stderr and not res.stdout, (name, res)
    name = "中" * 85  # 255 bytes: kept whole
    res = run_cli("app", "create", "--data", server.data_dir, "--name", name)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["name"] == name
