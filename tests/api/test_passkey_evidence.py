"""What a passkey's answer proved, served by GET /v1/challenges/{id}/evidence and checked here
without twofold: the signature with the public key it gives, the challenge against the payment."""
import hashlib
import json

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from factor_helpers import User
from harness import assert_error
from test_passkey_login import options, sign_in
from test_passkeys import PAYMENT, challenge, enrolled
from webauthn_authenticator import UP, unb64u


def verify_offline(evidence):
    """The checks anyone holding the evidence can make: the key is the credential's, the
    signature is over authenticator data and the client data's hash."""
    cose = cbor2.loads(unb64u(evidence["credential"]["public_key"]))
    assert cose[3] == evidence["credential"]["alg"] == -7
    key = ec.EllipticCurvePublicNumbers(int.from_bytes(cose[-2], "big"), int.from_bytes(cose[-3], "big"),
                                        ec.SECP256R1()).public_key()
    a = evidence["assertion"]
    client_data = unb64u(a["clientDataJSON"])
    key.verify(unb64u(a["signature"]), unb64u(a["authenticatorData"]) + hashlib.sha256(client_data).digest(),
               ec.ECDSA(hashes.SHA256()))  # raises when it does not verify
    return json.loads(client_data)


def test_a_payments_evidence_shows_what_was_approved(server, make_app):
    from test_passkeys import SETTINGS
    app = make_app(webauthn=SETTINGS)
    user, authenticator, factor_id = enrolled(server, app)
    ch = challenge(user, factor_id, "transaction", transaction=PAYMENT)
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify",
                  json={"credential": authenticator.assertion(ch["webauthn"]["publicKey"])})
    assert r.status_code == 200, r.text
    e = server.get(f"/v1/challenges/{ch['challenge_id']}/evidence", api_key=app["api_key"])
    assert e.status_code == 200, e.text
    ev = e.json()
    assert (ev["user_id"], ev["factor_id"], ev["purpose"]) == (user.user["user_id"], factor_id, "transaction")
    assert ev["elements"] == ["possession", "inherence_or_knowledge"] and ev["user_verified"] is True
    assert ev["transaction_hash"] == ch["transaction"]["transaction_hash"]
    client_data = verify_offline(ev)
    # the challenge the key signed ends with the hash of the payment as approved
    assert unb64u(client_data["challenge"])[16:] == bytes.fromhex(ev["transaction_hash"])
    # another application cannot read it; a code's challenge has none
    other = make_app(webauthn=SETTINGS)
    assert_error(server.get(f"/v1/challenges/{ch['challenge_id']}/evidence", api_key=other["api_key"]), 404, "NOT_FOUND")


def test_a_sign_in_without_user_verification_proves_possession_only(server, make_app):
    from test_passkeys import SETTINGS
    app = make_app(webauthn={**SETTINGS, "user_verification": "preferred"})
    user, authenticator, _ = enrolled(server, app)
    authenticator.flags = UP
    o = options(server, app)
    assert sign_in(server, app, o["challenge_id"], authenticator.assertion(o["webauthn"]["publicKey"])).status_code == 201
    ev = server.get(f"/v1/challenges/{o['challenge_id']}/evidence", api_key=app["api_key"]).json()
    assert ev["elements"] == ["possession"] and ev["purpose"] == "login" and ev["transaction_hash"] is None
    verify_offline(ev)


def test_a_code_challenge_leaves_no_evidence(server, make_app):
    app = make_app(sandbox=True)
    user = User(server, app)
    r = user.post("/v1/factors", json={"type": "sms", "phone": "+447700900123"})
    assert r.status_code == 201, r.text
    cid = r.json()["challenge_id"]
    assert user.post(f"/v1/factors/{r.json()['factor_id']}/verify", json={"code": "123456"}).status_code == 200
    assert_error(server.get(f"/v1/challenges/{cid}/evidence", api_key=app["api_key"]), 404, "NOT_FOUND")
