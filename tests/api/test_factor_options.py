"""A method without a smartphone is always offered (issue 25, point 4; docs/accessibility.md):
an application's enabled_factor_types (every type by default) on POST and PATCH
/v1/admin/apps, enrolling a type it does not enable refused with 403 FACTOR_TYPE_DISABLED while
factors of a type disabled later keep working, and GET /v1/users/{id}/factor_options: which
types a user may enrol now (limits, relying-party settings), what each needs, and a warning
when none of voice, email or passkey can be enrolled."""
import json

import pytest

from factor_helpers import CODE_RE, User
from harness import assert_error, db_query

ALL = ["sms", "voice", "totp", "backup_codes", "push", "passkey", "email"]
WEBAUTHN = {"rp_id": "bank.example", "origins": ["https://bank.example"]}
NEEDS = {"sms": ("mobile_phone", False, False), "voice": ("phone", False, True),
         "totp": ("smartphone", True, False), "backup_codes": ("paper", False, False),
         "push": ("smartphone", True, False), "passkey": ("security_key", False, True),
         "email": ("email", False, True)}
WARNING = "NO_METHOD_WITHOUT_SMARTPHONE"


def options(server, app, user_id):
    r = server.get(f"/v1/users/{user_id}/factor_options", api_key=app["api_key"])
    assert r.status_code == 200, r.text
    return r.json()


def offered(opts):
    return [o["type"] for o in opts["options"]]


def reasons(opts):
    return {u["type"]: u["reason"] for u in opts["unavailable"]}


def codes(warnings):
    return [w["code"] for w in warnings]


def patch(server, app, **body):
    return server.request("PATCH", f"/v1/admin/apps/{app['app_id']}", admin=True, json=body)


def test_every_type_is_enabled_by_default(server, make_app):
    app = make_app()
    assert app["enabled_factor_types"] == ALL
    assert app["warnings"] == []
    assert make_app(enabled_factor_types=None)["enabled_factor_types"] == ALL
    user = server.make_user(app)
    opts = options(server, app, user["user_id"])
    assert opts["user_id"] == user["user_id"]
    # a passkey needs the application's relying-party settings
    assert offered(opts) == ["sms", "voice", "totp", "backup_codes", "push", "email"]
    assert reasons(opts) == {"passkey": "webauthn_not_configured"}
    assert opts["without_smartphone"] is True and opts["warnings"] == []
    for o in opts["options"]:
        assert (o["needs"], o["needs_smartphone"], o["without_smartphone"]) == NEEDS[o["type"]], o


def test_a_relying_party_offers_passkeys(server, make_app):
    app = make_app(webauthn=WEBAUTHN)
    opts = options(server, app, server.make_user(app)["user_id"])
    assert offered(opts) == ALL and opts["unavailable"] == []


def test_disabled_types_are_refused_at_enrolment_before_their_fields(server, make_app):
    app = make_app(enabled_factor_types=["totp", "email", "totp"])
    assert app["enabled_factor_types"] == ["totp", "email"]  # a set, in the kinds' order
    assert app["warnings"] == []
    user = User(server, app)
    for body in ({"type": "sms", "phone": "+14155550100"}, {"type": "voice"}, {"type": "backup_codes"},
                 {"type": "passkey"}, {"type": "push"}):
        r = user.post("/v1/factors", json=body)
        assert_error(r, 403, "FACTOR_TYPE_DISABLED", field="type")
    assert user.get("/v1/factors").json()["factors"] == []
    assert user.post("/v1/factors", json={"type": "email"}).status_code == 201
    assert_error(user.post("/v1/factors", json={"type": "fax"}), 400, "INVALID_FIELD", field="type")


def test_factor_options_reflect_the_enabled_types_and_smartphone_needs(server, make_app):
    app = make_app(enabled_factor_types=["totp", "voice"])
    opts = options(server, app, server.make_user(app)["user_id"])
    assert offered(opts) == ["voice", "totp"]
    assert reasons(opts) == {t: "disabled" for t in ["sms", "backup_codes", "push", "passkey", "email"]}
    assert opts["without_smartphone"] is True and opts["warnings"] == []


@pytest.mark.parametrize("types,webauthn", [
    (["totp", "push"], None),
    (["sms", "backup_codes"], None),
    (["totp", "passkey"], None),  # a passkey without relying-party settings cannot be enrolled
])
def test_settings_without_a_method_without_smartphone_are_saved_with_a_warning(server, make_app, types, webauthn):
    app = make_app(enabled_factor_types=types, webauthn=webauthn)
    assert app["enabled_factor_types"] == [t for t in ALL if t in types]
    assert codes(app["warnings"]) == [WARNING]
    assert app["warnings"][0]["message"]
    opts = options(server, app, server.make_user(app)["user_id"])
    assert opts["without_smartphone"] is False
    assert codes(opts["warnings"]) == [WARNING]
    assert all(not o["without_smartphone"] for o in opts["options"])


def test_a_passkey_with_relying_party_settings_is_a_method_without_smartphone(server, make_app):
    app = make_app(enabled_factor_types=["totp", "passkey"], webauthn=WEBAUTHN)
    assert app["warnings"] == []
    opts = options(server, app, server.make_user(app)["user_id"])
    assert offered(opts) == ["totp", "passkey"] and opts["without_smartphone"] is True


def test_patch_replaces_the_types_and_warns_and_leaves_webauthn(server, make_app):
    app = make_app(webauthn=WEBAUTHN)
    r = patch(server, app, enabled_factor_types=["push"])
    assert r.status_code == 200, r.text
    assert r.json()["enabled_factor_types"] == ["push"]
    assert codes(r.json()["warnings"]) == [WARNING]
    assert r.json()["webauthn"]["rp_id"] == "bank.example"  # left as it was
    r = patch(server, app, enabled_factor_types=["push", "passkey"])
    assert r.json()["warnings"] == []
    r = patch(server, app, webauthn=None)  # the passkey cannot be enrolled any more
    assert r.json()["enabled_factor_types"] == ["push", "passkey"]
    assert codes(r.json()["warnings"]) == [WARNING]
    r = patch(server, app, enabled_factor_types=None, webauthn=WEBAUTHN)
    assert r.json()["enabled_factor_types"] == ALL and r.json()["warnings"] == []
    rows = db_query(server, "SELECT details FROM audit_events WHERE type = 'app.settings_changed' ORDER BY seq")
    assert [json.loads(x["details"])["settings"] for x in rows] == [
        ["enabled_factor_types"], ["enabled_factor_types"], ["webauthn"], ["webauthn", "enabled_factor_types"]]


@pytest.mark.parametrize("value", [[], ["fax"], "sms", [1], ["SMS"], {"sms": True}, ["sms"] * 15])
def test_invalid_types_are_refused_and_change_nothing(server, make_app, value):
    r = server.post("/v1/admin/apps", admin=True, json={"name": "Bank", "enabled_factor_types": value})
    assert_error(r, 400, "INVALID_FIELD", field="enabled_factor_types")
    app = make_app()
    assert_error(patch(server, app, enabled_factor_types=value), 400, "INVALID_FIELD", field="enabled_factor_types")
    rows = db_query(server, f"SELECT length(enabled_factor_types) AS n FROM apps WHERE app_id = '{app['app_id']}'")
    assert int(rows[0]["n"]) == 0


def test_factors_of_a_type_disabled_later_keep_working(server, make_app):
    app = make_app()
    user = User(server, app)
    r = user.post("/v1/factors", json={"type": "email"})
    assert r.status_code == 201, r.text
    f = r.json()
    [mail] = server.wait_for_messages(1, where=lambda m: m["to"] == f["email"])
    assert user.post(f"/v1/factors/{f['factor_id']}/verify",
                     json={"code": CODE_RE.search(mail["text"]).group(1)}).status_code == 200
    assert patch(server, app, enabled_factor_types=["totp", "voice"]).status_code == 200
    user.relogin()
    ch = user.post("/v1/challenges", json={"purpose": "stepup", "factor_id": f["factor_id"]})
    assert ch.status_code == 201, ch.text
    mails = server.wait_for_messages(2, where=lambda m: m["to"] == f["email"])
    code = CODE_RE.search(mails[-1]["text"]).group(1)
    r = user.post(f"/v1/challenges/{ch.json()['challenge_id']}/verify", json={"code": code})
    assert r.status_code == 200, r.text
    assert [x["type"] for x in user.get("/v1/factors").json()["factors"]] == ["email"]
    # but another one is not enrolled, and the options say why
    assert_error(user.post("/v1/factors", json={"type": "email"}), 403, "FACTOR_TYPE_DISABLED", field="type")
    assert reasons(options(server, app, user.user["user_id"]))["email"] == "disabled"


def test_a_backup_code_sheet_is_one_per_user(server, make_app):
    app = make_app(sandbox=True)
    user = User(server, app)
    r = user.post("/v1/factors", json={"type": "backup_codes"})
    assert r.status_code == 201, r.text
    opts = options(server, app, user.user["user_id"])
    assert reasons(opts)["backup_codes"] == "already_enrolled"
    assert "backup_codes" not in offered(opts) and "email" in offered(opts)


def test_at_the_factor_limit_nothing_can_be_enrolled_and_the_answer_says_so(server, make_app):
    app = make_app(sandbox=True)
    user = User(server, app)
    for i in range(32):  # pending factors: no step-up needed, a sandbox sends nothing
        r = user.post("/v1/factors", json={"type": "totp"})
        assert r.status_code == 201, r.text
    opts = options(server, app, user.user["user_id"])
    assert opts["options"] == [] and opts["without_smartphone"] is False
    assert set(reasons(opts).values()) == {"factor_limit_reached", "webauthn_not_configured"}
    assert codes(opts["warnings"]) == [WARNING]


def test_factor_options_are_scoped_by_application(server, make_app):
    app, other = make_app(), make_app()
    user = server.make_user(app)
    path = f"/v1/users/{user['user_id']}/factor_options"
    assert_error(server.get(path, api_key=other["api_key"]), 404, "NOT_FOUND")
    assert_error(server.get(path), 401, "INVALID_API_KEY")
    assert_error(server.get("/v1/users/usr_aaaaaaaaaaaaaaaaaaaaaaaaaa/factor_options", api_key=app["api_key"]),
                 404, "NOT_FOUND")
    # the application's own settings, not the other's
    assert patch(server, other, enabled_factor_types=["totp"]).status_code == 200
    assert "email" in offered(options(server, app, user["user_id"]))


def test_the_faces_refuse_a_disabled_type_in_their_own_words(server):
    """A type the application does not enable is refused by each face as its vendor would: WePay's
    error body (invalid_request) and Weavr's 409 CHANNEL_NOT_SUPPORTED, which Weavr's document
    lists for enrolling a channel; nothing is sent."""
    from test_face_weavr import Weavr
    from test_face_wepay import Member, partner_app

    app = partner_app(server, enabled_factor_types=["totp", "email"], sandbox=True)
    m = Member(server, app)
    r = m("user/mfa/create", type="sms", setup_data={"phone_number": "+14155550123"})
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "invalid_request" and "does not offer" in r.json()["error_description"]
    wapp = server.make_app(name="Acme Pay", enabled_factor_types=["totp", "email"])
    u = server.make_user(wapp, mobile="+447700900999")
    w = Weavr(server, wapp)
    assert w.login(u["email"]).status_code == 200
    r = w.call("POST", "/authentication_factors/otp/SMS")
    assert r.status_code == 409 and r.json() == {"errorCode": "CHANNEL_NOT_SUPPORTED"}, r.text
    assert not [msg for msg in server.messages() if msg["to"] in ("+14155550123", "+447700900999")]
