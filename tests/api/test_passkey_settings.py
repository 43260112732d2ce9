"""An application's passkey settings (webauthn): given at creation, replaced with
PATCH /v1/admin/apps/{id}, checked field by field and answered in their canonical form."""
import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from harness import assert_error, db_query

SETTINGS = {"rp_id": "bank.example", "origins": ["https://bank.example", "https://pay.bank.example:8443"]}


def root_pem(name="Maker Root"):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def test_settings_given_at_creation_are_answered_with_their_defaults(make_app):
    app = make_app(webauthn=SETTINGS)
    assert app["webauthn"] == {
        "rp_id": "bank.example", "origins": SETTINGS["origins"], "user_verification": "required",
        "allow_synced": True, "attestation": "none", "allowed_aaguids": [], "spc": False,
        "attestation_roots": []}


def test_an_application_without_settings_answers_null(make_app):
    assert make_app()["webauthn"] is None
    assert make_app(webauthn=None)["webauthn"] is None


def test_every_setting_is_kept_as_given(make_app):
    pem = root_pem()
    app = make_app(webauthn={**SETTINGS, "rp_name": "Bank", "user_verification": "preferred", "allow_synced": False,
                             "attestation": "direct", "allowed_aaguids": ["ADCE0002-35BC-C60A-648B-0B25F1F05503"],
                             "spc": True, "attestation_roots": [pem]})
    w = app["webauthn"]
    assert (w["rp_name"], w["user_verification"], w["allow_synced"], w["attestation"], w["spc"]) == \
        ("Bank", "preferred", False, "direct", True)
    assert w["allowed_aaguids"] == ["adce0002-35bc-c60a-648b-0b25f1f05503"]  # one spelling
    assert w["attestation_roots"] == [pem]


@pytest.mark.parametrize("change, field", [
    ({"rp_id": "https://bank.example"}, "webauthn.rp_id"),
    ({"rp_id": "Bank.example"}, "webauthn.rp_id"),
    ({"rp_id": "192.0.2.1"}, "webauthn.rp_id"),
    ({"rp_id": 7}, "webauthn.rp_id"),
    ({"origins": []}, "webauthn.origins"),
    ({"origins": "https://bank.example"}, "webauthn.origins"),
    ({"origins": ["http://bank.example"]}, "webauthn.origins"),
    ({"origins": ["https://bank.example/"]}, "webauthn.origins"),
    ({"origins": ["https://bank.example:443"]}, "webauthn.origins"),
    ({"origins": ["https://bank.example"] * 9}, "webauthn.origins"),
    ({"user_verification": "discouraged"}, "webauthn.user_verification"),
    ({"allow_synced": "yes"}, "webauthn.allow_synced"),
    ({"attestation": "indirect"}, "webauthn.attestation"),
    ({"allowed_aaguids": ["not-a-uuid"]}, "webauthn.allowed_aaguids"),
    ({"spc": 1}, "webauthn.spc"),
    ({"rp_name": "Bank\u202e"}, "webauthn.rp_name"),
    ({"attestation_roots": ["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"]},
     "webauthn.attestation_roots"),
    ({"unknown": True}, "webauthn"),
], ids=lambda v: str(v)[:40])
def test_a_setting_that_is_not_valid_is_400_naming_it(server, admin, change, field):
    r = server.post("/v1/admin/apps", headers=admin, json={"name": "Bank", "webauthn": {**SETTINGS, **change}})
    assert_error(r, 400, "INVALID_FIELD")
    assert r.json()["error"]["field"] == field


@pytest.mark.parametrize("missing", ["rp_id", "origins"])
def test_rp_id_and_origins_are_required(server, admin, missing):
    body = {k: v for k, v in SETTINGS.items() if k != missing}
    r = server.post("/v1/admin/apps", headers=admin, json={"name": "Bank", "webauthn": body})
    assert_error(r, 400, "MISSING_FIELD")
    assert r.json()["error"]["field"] == f"webauthn.{missing}"


def test_two_certificates_in_one_root_are_refused(server, admin):
    r = server.post("/v1/admin/apps", headers=admin,
                    json={"name": "Bank", "webauthn": {**SETTINGS, "attestation_roots": [root_pem() + root_pem()]}})
    assert_error(r, 400, "INVALID_FIELD")


def test_patch_replaces_the_settings_and_null_removes_them(server, admin, make_app):
    app = make_app()
    r = server.request("PATCH", f"/v1/admin/apps/{app['app_id']}", admin=True, json={"webauthn": SETTINGS})
    assert r.status_code == 200, r.text
    assert r.json()["app_id"] == app["app_id"]
    assert r.json()["webauthn"]["rp_id"] == "bank.example"
    assert "client_secret" not in r.json() and "api_key" not in r.json()
    r = server.request("PATCH", f"/v1/admin/apps/{app['app_id']}", admin=True,
                       json={"webauthn": {**SETTINGS, "rp_id": "pay.example", "origins": ["https://pay.example"]}})
    assert r.json()["webauthn"]["origins"] == ["https://pay.example"]
    r = server.request("PATCH", f"/v1/admin/apps/{app['app_id']}", admin=True, json={"webauthn": None})
    assert r.status_code == 200 and r.json()["webauthn"] is None
    rows = db_query(server, "SELECT type AS event, subject FROM audit_events WHERE type = 'app.settings_changed' ORDER BY seq")
    assert [(x["event"], x["subject"]) for x in rows] == [("app.settings_changed", app["app_id"])] * 3


def test_patch_refuses_what_it_cannot_do(server, admin, make_app):
    app = make_app()
    path = f"/v1/admin/apps/{app['app_id']}"
    assert_error(server.request("PATCH", path, json={"webauthn": SETTINGS}), 401, "INVALID_ADMIN_TOKEN")
    assert_error(server.request("PATCH", path, api_key=app["api_key"], json={"webauthn": SETTINGS}),
                 401, "INVALID_ADMIN_TOKEN")
    assert_error(server.request("PATCH", "/v1/admin/apps/app_aaaaaaaaaaaaaaaaaaaaaaaaaa", admin=True,
                                json={"webauthn": SETTINGS}), 404, "NOT_FOUND")
    assert_error(server.request("PATCH", path, admin=True, json={}), 400, "MISSING_FIELD")
    assert_error(server.request("PATCH", path, admin=True, json={"name": "Other"}), 400, "INVALID_FIELD")
    r = server.request("PATCH", path, admin=True, json={"webauthn": {**SETTINGS, "rp_id": "x_y"}})
    assert_error(r, 400, "INVALID_FIELD")
    # nothing was changed by the refusals
    rows = db_query(server, f"SELECT length(webauthn) AS n FROM apps WHERE app_id = '{app['app_id']}'")
    assert int(rows[0]["n"]) == 0
