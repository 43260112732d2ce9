"""Passkeys as factors on the native API: enrolment with WebAuthn creation options and a
registration, challenges with request options and assertions, every refusal with its reason,
payments bound into the challenge and Secure Payment Confirmation. The authenticator is
tests/api/webauthn_authenticator.py (python3-cryptography keys, python3-cbor2 CBOR)."""
import pytest
from cryptography.x509.oid import NameOID

from factor_helpers import User
from harness import assert_error, db_query
from webauthn_authenticator import (ATTESTATION_SUBJECT, BE, UP, UV, AttestationCA, Attester, Authenticator, b64u,
                                    unb64u)

ORIGIN = "https://bank.example"
SETTINGS = {"rp_id": "bank.example", "rp_name": "Bank", "origins": [ORIGIN]}
PAYMENT = {"amount": 4999, "currency": "EUR", "payee": {"name": "Acme Ltd", "account": "GB33BUKB20201555555555"}}


@pytest.fixture
def app(make_app):
    return make_app(webauthn=SETTINGS)


def enrol(user, authenticator, **spoil):
    r = user.post("/v1/factors", json={"type": "passkey", "name": "My laptop"})
    assert r.status_code == 201, r.text
    created = r.json()
    reg = authenticator.register(created["webauthn"]["publicKey"], **spoil)
    return created, user.post(f"/v1/factors/{created['factor_id']}/verify", json={"credential": reg})


def enrolled(server, app, alg=-7):
    user = User(server, app)
    authenticator = Authenticator(ORIGIN, alg=alg)
    created, r = enrol(user, authenticator)
    assert r.status_code == 200, r.text
    return user, authenticator, created["factor_id"]


def challenge(user, factor_id, purpose="login", **body):
    r = user.post("/v1/challenges", json={"purpose": purpose, "factor_id": factor_id, **body})
    assert r.status_code == 201, r.text
    return r.json()


def test_a_passkey_needs_the_applications_settings(server, make_app):
    user = User(server, make_app())
    assert_error(user.post("/v1/factors", json={"type": "passkey"}), 400, "WEBAUTHN_NOT_CONFIGURED")
    assert db_query(server, f"SELECT count(*) AS n FROM factors WHERE user_id = '{user.user['user_id']}'")[0]["n"] in (0, "0")


def test_enrolment_gives_creation_options_a_browser_reads(server, app):
    user = User(server, app)
    r = user.post("/v1/factors", json={"type": "passkey", "name": "My laptop"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["type"], body["status"], body["name"]) == ("passkey", "pending_verification", "My laptop")
    assert body["challenge_id"].startswith("chl_")
    o = body["webauthn"]["publicKey"]
    assert o["rp"] == {"id": "bank.example", "name": "Bank"}
    assert [p["alg"] for p in o["pubKeyCredParams"]] == [-7, -8, -257]
    assert o["authenticatorSelection"] == {"residentKey": "required", "requireResidentKey": True,
                                           "userVerification": "required"}
    assert o["attestation"] == "none" and o["excludeCredentials"] == []
    assert len(unb64u(o["challenge"])) == 32
    # the user handle is 32 random bytes: never the email or the user id
    handle = unb64u(o["user"]["id"])
    assert len(handle) == 32 and user.user["user_id"].encode() not in handle
    assert o["user"]["name"] == user.user["email"]
    # a second passkey of the same user (after a step-up with the first): the same handle, the
    # first one excluded
    first = Authenticator(ORIGIN)
    reg = first.register(o)
    assert user.post(f"/v1/factors/{body['factor_id']}/verify", json={"credential": reg}).status_code == 200
    assert_error(user.post("/v1/factors", json={"type": "passkey"}), 403, "STEP_UP_REQUIRED")
    ch = challenge(user, body["factor_id"], "stepup")
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify",
                  json={"credential": first.assertion(ch["webauthn"]["publicKey"])})
    assert r.status_code == 200, r.text
    again = user.post("/v1/factors", json={"type": "passkey"})
    assert again.status_code == 201, again.text
    o2 = again.json()["webauthn"]["publicKey"]
    assert o2["user"]["id"] == o["user"]["id"]
    assert [c["id"] for c in o2["excludeCredentials"]] == [reg["id"]]
    assert o2["challenge"] != o["challenge"]


@pytest.mark.parametrize("alg", [-7, -8, -257], ids=["ES256", "EdDSA", "RS256"])
def test_a_registration_activates_the_factor_and_describes_it(server, app, alg):
    user, authenticator, factor_id = enrolled(server, app, alg)
    f = next(f for f in user.get("/v1/factors").json()["factors"] if f["factor_id"] == factor_id)
    assert f["status"] == "active"
    cred_id = next(iter(authenticator.credentials))
    assert f["passkey"] == {"credential_id": b64u(cred_id), "aaguid": "adce0002-35bc-c60a-648b-0b25f1f05503",
                            "backup_eligible": False, "backed_up": False, "transports": ["internal"],
                            "user_verified": True}


@pytest.mark.parametrize("spoil, reason", [
    ({"origin": "https://bank.example.evil"}, "origin"),
    ({"type_": "webauthn.get"}, "type"),
    ({"challenge": b64u(b"\0" * 32)}, "challenge"),
    ({"rp_id": "evil.example"}, "rp_id"),
    ({"flags": UV}, "user_presence"),
    ({"flags": UP}, "user_verification"),
], ids=lambda v: str(v))
def test_a_registration_that_does_not_verify_is_refused_with_its_reason(server, app, spoil, reason):
    user = User(server, app)
    created, r = enrol(user, Authenticator(ORIGIN), **spoil)
    assert_error(r, 403, "CREDENTIAL_INVALID")
    assert r.json()["error"]["reason"] == reason
    assert r.json()["error"]["attempts_remaining"] == 4
    f = next(f for f in user.get("/v1/factors").json()["factors"] if f["factor_id"] == created["factor_id"])
    assert f["status"] == "pending_verification"


def test_synced_passkeys_are_refused_when_the_application_says(server, make_app):
    app = make_app(webauthn={**SETTINGS, "allow_synced": False})
    user = User(server, app)
    _, r = enrol(user, Authenticator(ORIGIN, flags=UP | UV | BE))
    assert_error(r, 403, "CREDENTIAL_INVALID")
    assert r.json()["error"]["reason"] == "synced_not_allowed"
    _, r = enrol(user, Authenticator(ORIGIN))  # device-bound
    assert r.status_code == 200, r.text


def test_a_login_challenge_is_answered_with_an_assertion(server, app):
    user, authenticator, factor_id = enrolled(server, app)
    ch = challenge(user, factor_id)
    o = ch["webauthn"]["publicKey"]
    assert o["rpId"] == "bank.example" and o["userVerification"] == "required"
    assert [c["id"] for c in o["allowCredentials"]] == [b64u(next(iter(authenticator.credentials)))]
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"credential": authenticator.assertion(o)})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "verified" and r.json()["stepped_up_until"]
    # the same assertion again: the challenge is spent
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"credential": authenticator.assertion(o)})
    assert r.status_code in (403, 409, 410), r.text


@pytest.mark.parametrize("spoil, reason", [
    ({"bogus_signature": True}, "signature"),
    ({"origin": "https://evil.example"}, "origin"),
    ({"flags": UP}, "user_verification"),
    ({"flags": UV}, "user_presence"),
    ({"type_": "webauthn.create"}, "type"),
    ({"type_": "payment.get"}, "type"),
    ({"challenge": b64u(b"\1" * 32)}, "challenge"),
    ({"rp_id": "evil.example"}, "rp_id"),
], ids=lambda v: str(v))
def test_an_assertion_that_does_not_verify_is_a_counted_wrong_attempt(server, app, spoil, reason):
    user, authenticator, factor_id = enrolled(server, app)
    ch = challenge(user, factor_id)
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify",
                  json={"credential": authenticator.assertion(ch["webauthn"]["publicKey"], **spoil)})
    assert_error(r, 403, "CREDENTIAL_INVALID")
    assert r.json()["error"]["reason"] == reason
    assert r.json()["error"]["attempts_remaining"] == 4
    # a right one still verifies afterwards
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify",
                  json={"credential": authenticator.assertion(ch["webauthn"]["publicKey"])})
    assert r.status_code == 200, r.text


def test_a_counter_that_goes_back_is_refused_and_audited(server, app):
    user, authenticator, factor_id = enrolled(server, app)
    ch = challenge(user, factor_id)
    o = ch["webauthn"]["publicKey"]
    assert user.post(f"/v1/challenges/{ch['challenge_id']}/verify",
                     json={"credential": authenticator.assertion(o, count=10)}).status_code == 200
    ch = challenge(user, factor_id)
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify",
                  json={"credential": authenticator.assertion(ch["webauthn"]["publicKey"], count=10)})
    assert_error(r, 403, "CREDENTIAL_INVALID")
    assert r.json()["error"]["reason"] == "counter"
    rows = db_query(server, f"SELECT subject FROM audit_events WHERE type = 'factor.counter_regressed'")
    assert [x["subject"] for x in rows] == [factor_id]


def test_another_users_passkey_does_not_answer(server, app):
    user, authenticator, factor_id = enrolled(server, app)
    _, other_authenticator, _ = enrolled(server, app)
    ch = challenge(user, factor_id)
    o = ch["webauthn"]["publicKey"]
    other_id = next(iter(other_authenticator.credentials))
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify",
                  json={"credential": other_authenticator.assertion({**o, "allowCredentials": []},
                                                                    credential_id=other_id)})
    assert_error(r, 403, "CREDENTIAL_INVALID")
    assert r.json()["error"]["reason"] == "credential"


def test_a_passkey_challenge_takes_a_credential_and_a_code_challenge_does_not(server, app):
    user, authenticator, factor_id = enrolled(server, app)
    ch = challenge(user, factor_id)
    assert_error(user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": "123456"}),
                 400, "MISSING_FIELD")
    assert_error(user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={}), 400, "MISSING_FIELD")
    bad = authenticator.assertion(ch["webauthn"]["publicKey"])
    bad["response"]["signature"] = "not base64url!"
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"credential": bad})
    assert_error(r, 400, "INVALID_FIELD")
    assert r.json()["error"]["field"] == "credential.response.signature"


def test_five_wrong_assertions_lock_the_challenge(server, app):
    user, authenticator, factor_id = enrolled(server, app)
    ch = challenge(user, factor_id)
    o = ch["webauthn"]["publicKey"]
    answers = [user.post(f"/v1/challenges/{ch['challenge_id']}/verify",
                         json={"credential": authenticator.assertion(o, bogus_signature=True)}) for _ in range(5)]
    assert [a.json()["error"]["code"] for a in answers[:4]] == ["CREDENTIAL_INVALID"] * 4
    assert answers[4].json()["error"]["code"] != "CREDENTIAL_INVALID" or \
        answers[4].json()["error"]["attempts_remaining"] == 0
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"credential": authenticator.assertion(o)})
    assert r.status_code != 200, r.text


def test_a_payment_challenge_binds_the_transaction_hash_and_authorises(server, app):
    user, authenticator, factor_id = enrolled(server, app)
    ch = challenge(user, factor_id, "transaction", transaction=PAYMENT)
    raw = unb64u(ch["webauthn"]["publicKey"]["challenge"])
    assert len(raw) == 48 and raw[16:] == bytes.fromhex(ch["transaction"]["transaction_hash"])
    assert "spc" not in ch  # the application did not ask for SPC
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify",
                  json={"credential": authenticator.assertion(ch["webauthn"]["publicKey"])})
    assert r.status_code == 200, r.text
    assert r.json()["authorization"]["transaction_hash"] == ch["transaction"]["transaction_hash"]


def spc_extra(spc, **change):
    payment = {"rpId": spc["rpId"], "topOrigin": ORIGIN, "payeeName": spc["payeeName"], "total": spc["total"],
               "instrument": spc["instrument"]}
    payment.update(change)
    return {"payment": payment}


def test_an_spc_assertion_holds_only_for_the_payment_shown(server, make_app):
    app = make_app(webauthn={**SETTINGS, "spc": True})
    user, authenticator, factor_id = enrolled(server, app)
    ch = challenge(user, factor_id, "transaction", transaction=PAYMENT)
    spc = ch["spc"]
    assert spc["total"] == {"currency": "EUR", "value": "49.99"}
    assert (spc["rpId"], spc["payeeName"], spc["challenge"]) == ("bank.example", "Acme Ltd",
                                                                   ch["webauthn"]["publicKey"]["challenge"])
    assert spc["credentialIds"] == [b64u(next(iter(authenticator.credentials)))]
    assert spc["instrument"]["displayName"] == "Bank" and spc["instrument"]["icon"].startswith("data:image/png")
    o = ch["webauthn"]["publicKey"]
    for change in ({"total": {"currency": "EUR", "value": "4.99"}}, {"payeeName": "Acme Ltd."},
                   {"topOrigin": "https://shop.example"}, {"rpId": "evil.example"}):
        r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify",
                      json={"credential": authenticator.assertion(o, type_="payment.get",
                                                                  client_extra=spc_extra(spc, **change))})
        assert_error(r, 403, "CREDENTIAL_INVALID")
        assert r.json()["error"]["reason"] == "payment", change
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify",
                  json={"credential": authenticator.assertion(o, type_="payment.get", client_extra=spc_extra(spc))})
    assert r.status_code == 200, r.text
    assert r.json()["authorization"]["transaction_hash"] == ch["transaction"]["transaction_hash"]


# ---- attestation "direct": the statement verified and chained to the application's roots ----

def direct_app(make_app, ca, **more):
    return make_app(webauthn={**SETTINGS, "attestation": "direct", "attestation_roots": [ca.pem], **more})


def register_attested(user, attester, **kw):
    """An enrolment answered by an authenticator attesting with attester (None: fmt none)."""
    r = user.post("/v1/factors", json={"type": "passkey", "name": "Security key"})
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["webauthn"]["publicKey"]["attestation"] == "direct"
    reg = Authenticator(ORIGIN).register(created["webauthn"]["publicKey"], attester=attester, **kw)
    return created, user.post(f"/v1/factors/{created['factor_id']}/verify", json={"credential": reg})


def refused(r, reason):
    assert_error(r, 403, "CREDENTIAL_INVALID")
    assert r.json()["error"]["reason"] == reason, r.json()


def test_direct_attestation_accepts_a_packed_statement_chained_to_the_roots(server, make_app):
    ca = AttestationCA()
    app = direct_app(make_app, ca)
    user = User(server, app)
    created, r = register_attested(user, Attester("packed", *ca.issue()))
    assert r.status_code == 200, r.text
    f = next(f for f in user.get("/v1/factors").json()["factors"] if f["factor_id"] == created["factor_id"])
    assert f["status"] == "active" and f["passkey"]["aaguid"] == "adce0002-35bc-c60a-648b-0b25f1f05503"
    # through an intermediate the statement carries, to the root the application trusts
    mid = ca.intermediate()
    key, cert = mid.issue()
    _, r = register_attested(User(server, app), Attester("packed", key, cert, [mid.der]))
    assert r.status_code == 200, r.text


def test_a_root_longer_than_the_apis_string_limit_is_a_root_like_any_other(server, make_app):
    # maker roots are often RSA: their PEM runs past the 1 KiB other strings are held to, as does
    # an attestation object carrying an intermediate certificate
    ca = AttestationCA("RSA Maker Root", rsa_bits=3072)
    assert len(ca.pem) > 1024
    app = direct_app(make_app, ca)
    assert app["webauthn"]["attestation_roots"] == [ca.pem]
    _, r = register_attested(User(server, app), Attester("packed", *ca.issue()))
    assert r.status_code == 200, r.text


def test_direct_attestation_refuses_a_chain_to_another_root(server, make_app):
    app = direct_app(make_app, AttestationCA())
    user = User(server, app)
    created, r = register_attested(user, Attester("packed", *AttestationCA("Another Maker Root").issue()))
    refused(r, "attestation")
    assert r.json()["error"]["attempts_remaining"] == 4
    f = next(f for f in user.get("/v1/factors").json()["factors"] if f["factor_id"] == created["factor_id"])
    assert f["status"] == "pending_verification"


@pytest.mark.parametrize("attester", ["none", "self"])
def test_direct_attestation_refuses_no_statement_and_self_attestation(server, make_app, attester):
    app = direct_app(make_app, AttestationCA())
    _, r = register_attested(User(server, app), None if attester == "none" else Attester("packed"))
    refused(r, "attestation")


@pytest.mark.parametrize("issue", [
    {"subject": {**ATTESTATION_SUBJECT, NameOID.ORGANIZATIONAL_UNIT_NAME: "Engineering"}},
    {"subject": {k: v for k, v in ATTESTATION_SUBJECT.items() if k != NameOID.COUNTRY_NAME}},
    {"ca": True},
    {"aaguid": bytes(16)},  # the certificate names another model than the authenticator data
], ids=["ou", "no-country", "ca", "aaguid-extension"])
def test_a_packed_certificate_that_misses_the_formats_requirements_is_refused(server, make_app, issue):
    ca = AttestationCA()
    _, r = register_attested(User(server, direct_app(make_app, ca)), Attester("packed", *ca.issue(**issue)))
    refused(r, "attestation")


def test_the_aaguid_extension_is_optional(server, make_app):
    ca = AttestationCA()
    _, r = register_attested(User(server, direct_app(make_app, ca)), Attester("packed", *ca.issue(aaguid=None)))
    assert r.status_code == 200, r.text


def test_direct_attestation_accepts_a_fido_u2f_statement_chained_to_the_roots(server, make_app):
    ca = AttestationCA()
    app = direct_app(make_app, ca)
    # a U2F key has no AAGUID: the authenticator data carries zeros
    _, r = register_attested(User(server, app), Attester("fido-u2f", *ca.issue(aaguid=None)), aaguid=bytes(16))
    assert r.status_code == 200, r.text
    _, r = register_attested(User(server, app), Attester("fido-u2f", *AttestationCA("Another Maker Root").issue(aaguid=None)),
                             aaguid=bytes(16))
    refused(r, "attestation")


def test_allowed_aaguids_refuse_an_attested_model_not_listed(server, make_app):
    ca = AttestationCA()
    other = bytes.fromhex("ee882879721c491397753dfcce97072a")
    app = direct_app(make_app, ca, allowed_aaguids=["ee882879-721c-4913-9775-3dfcce97072a"])
    # the statement is good and chains to the root, but the model is not one the application lists
    _, r = register_attested(User(server, app), Attester("packed", *ca.issue()))
    refused(r, "aaguid_not_allowed")
    _, r = register_attested(User(server, app), Attester("packed", *ca.issue(aaguid=other)), aaguid=other)
    assert r.status_code == 200, r.text


# ---- a credential registered already ----

def test_a_credential_registered_already_is_refused_whoever_holds_it(server, app, make_app):
    owner, authenticator, factor_id = enrolled(server, app)
    cred = next(iter(authenticator.credentials.values()))[0]
    # the same user again, with another factor (after a step-up with the first), and another user
    ch = challenge(owner, factor_id, "stepup")
    r = owner.post(f"/v1/challenges/{ch['challenge_id']}/verify",
                   json={"credential": authenticator.assertion(ch["webauthn"]["publicKey"])})
    assert r.status_code == 200, r.text
    answers = []
    for user in (owner, User(server, app)):
        created, r = enrol(user, Authenticator(ORIGIN), credential=cred)
        refused(r, "credential")
        assert r.json()["error"]["attempts_remaining"] == 4
        answers.append({k: v for k, v in r.json()["error"].items() if k != "request_id"})
        f = next(f for f in user.get("/v1/factors").json()["factors"] if f["factor_id"] == created["factor_id"])
        assert f["status"] == "pending_verification" and "passkey" not in f
    # the same answer whoever holds it: it does not say whether the credential is the user's own
    assert answers[0] == answers[1]
    # the factor that holds it still answers with it
    ch = challenge(owner, factor_id)
    r = owner.post(f"/v1/challenges/{ch['challenge_id']}/verify",
                   json={"credential": authenticator.assertion(ch["webauthn"]["publicKey"])})
    assert r.status_code == 200, r.text
    # another application is another relying party's list: the id is free there
    _, r = enrol(User(server, make_app(webauthn=SETTINGS)), Authenticator(ORIGIN), credential=cred)
    assert r.status_code == 200, r.text
