"""Push factors (issue 7, SPEC section 3, seed 003): a device enrols an Ed25519 public key with
channel AUTHY or BIOMETRIC and a push address; a challenge sends a push carrying the
application, the purpose and, for a payment, amount and payee; the device answers approve or
deny with a signature over the documented string (docs/transactions.md). Signatures here are
made with python3-cryptography, independently of twofold; one test drives `twofold device`."""
import base64
import json
import subprocess

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from factor_helpers import User
from harness import TWOFOLD_BIN, assert_error

PAYMENT = {"amount": 4999, "currency": "EUR", "payee": {"name": "Jane's Shop", "account": "DE89370400440532013000"}}


class Device:
    def __init__(self):
        self.key = Ed25519PrivateKey.generate()

    @property
    def public_key(self):
        return base64.b64encode(self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()

    def answer(self, challenge_id, approve=True, transaction_hash=""):
        text = f"twofold-push-v1\n{challenge_id}\n{'approve' if approve else 'deny'}\n{transaction_hash}"
        return {"approve": approve, "signature": base64.b64encode(self.key.sign(text.encode())).decode()}


def pushes(server, address, count=1):
    return server.wait_for_messages(count, where=lambda m: m["to"] == address and m["channel"] == "push")


def enrolled(server, channel="AUTHY", address="push-token-1", app=None):
    user = User(server, app or server.make_app(name="Acme Pay"))
    device = Device()
    r = user.post("/v1/factors", json={"type": "push", "channel": channel, "public_key": device.public_key,
                                       "push_address": address})
    assert r.status_code == 201, r.text
    f = r.json()
    assert f["status"] == "pending_verification" and f["channel"] == channel
    [msg] = pushes(server, address)
    assert msg["data"]["purpose"] == "enrolment" and msg["data"]["challenge_id"] == f["challenge_id"]
    r = user.post(f"/v1/factors/{f['factor_id']}/verify", json=device.answer(f["challenge_id"]))
    assert r.status_code == 200, r.text
    assert r.json()["factor"]["status"] == "active"
    user.relogin()
    return user, device, f


def test_enrolment_and_a_payment_approved_on_the_device(server):
    user, device, f = enrolled(server, address="push-token-pay")
    r = user.post("/v1/challenges", json={"purpose": "transaction", "factor_id": f["factor_id"], "transaction": PAYMENT})
    assert r.status_code == 201, r.text
    ch = r.json()
    msg = pushes(server, "push-token-pay", 2)[-1]
    data = msg["data"]
    assert data["challenge_id"] == ch["challenge_id"] and data["application"] == "Acme Pay"
    assert data["purpose"] == "transaction" and data["channel"] == "AUTHY"
    assert data["transaction"]["amount_text"] == "EUR 49.99" and data["transaction"]["payee"]["name"] == "Jane's Shop"
    assert msg["text"] == "Acme Pay: approve paying \u20ac49.99 to \"Jane's Shop\"?"
    h = ch["transaction"]["transaction_hash"]
    assert data["transaction"]["transaction_hash"] == h
    # signed without the transaction hash, or for other details: a wrong attempt
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json=device.answer(ch["challenge_id"]))
    assert_error(r, 403, "VERIFICATION_CODE_INVALID")
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json=device.answer(ch["challenge_id"], True, "0" * 64))
    assert_error(r, 403, "VERIFICATION_CODE_INVALID")
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json=device.answer(ch["challenge_id"], True, h))
    assert r.status_code == 200, r.text
    auth = r.json()["authorization"]
    assert auth["transaction_hash"] == h
    d = server.post("/v1/authorize", api_key=user.app["api_key"],
                    json={"user_id": user.user["user_id"], "operation": "payment", "transaction": PAYMENT,
                          "authorization_id": auth["authorization_id"]}).json()
    assert d["decision"] == "allow"


def test_a_signature_for_another_challenge_or_another_key_is_a_wrong_attempt(server):
    user, device, f = enrolled(server, address="push-token-2")
    first = user.post("/v1/challenges", json={"purpose": "stepup", "factor_id": f["factor_id"]}).json()
    user.relogin()
    second = user.post("/v1/challenges", json={"purpose": "stepup", "factor_id": f["factor_id"]}).json()
    r = user.post(f"/v1/challenges/{second['challenge_id']}/verify", json=device.answer(first["challenge_id"]))
    err = assert_error(r, 403, "VERIFICATION_CODE_INVALID")
    assert err["attempts_remaining"] == 4
    r = user.post(f"/v1/challenges/{second['challenge_id']}/verify", json=Device().answer(second["challenge_id"]))
    assert_error(r, 403, "VERIFICATION_CODE_INVALID")
    r = user.post(f"/v1/challenges/{second['challenge_id']}/verify", json=device.answer(second["challenge_id"]))
    assert r.status_code == 200 and r.json()["stepped_up_until"]


def test_deny_ends_the_challenge_and_a_forged_deny_does_not(server):
    user, device, f = enrolled(server, address="push-token-3")
    ch = user.post("/v1/challenges", json={"purpose": "login", "factor_id": f["factor_id"]}).json()
    forged = Device().answer(ch["challenge_id"], approve=False)
    assert_error(user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json=forged), 403, "VERIFICATION_CODE_INVALID")
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json=device.answer(ch["challenge_id"], approve=False))
    assert_error(r, 409, "CHALLENGE_DENIED")
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json=device.answer(ch["challenge_id"]))
    assert_error(r, 409, "CHALLENGE_DENIED")
    assert not user.post("/v1/authorize", json={"user_id": user.user["user_id"], "operation": "x"}).json().get("stepped_up_until")


def test_answers_fit_the_factor(server):
    user, device, f = enrolled(server, address="push-token-4")
    ch = user.post("/v1/challenges", json={"purpose": "stepup", "factor_id": f["factor_id"]}).json()
    assert_error(user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": "123456"}), 400,
                 "PUSH_ANSWER_REQUIRED")
    bad_sig = {"approve": True, "signature": "not base64!"}
    assert_error(user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json=bad_sig), 400, "INVALID_FIELD", "signature")
    assert_error(user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"approve": True}), 400, "MISSING_FIELD",
                 "signature")


def test_a_device_answer_to_a_code_challenge_is_refused(server):
    """A backup-code challenge answered as a device answers (no code) is the wrong form of answer,
    as for any factor that takes a code; it never reaches the backup-code search."""
    user = User(server, server.make_app(sandbox=True))
    f = user.post("/v1/factors", json={"type": "backup_codes"}).json()
    assert user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": "123456"}).status_code == 200
    ch = user.post("/v1/challenges", json={"purpose": "stepup"}).json()
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json=Device().answer(ch["challenge_id"]))
    assert_error(r, 400, "INVALID_FIELD", "approve")
    assert user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": "123456"}).status_code == 200


@pytest.mark.parametrize("change,field", [
    ({"channel": "SMS"}, "channel"),
    ({"channel": None}, "channel"),
    ({"public_key": base64.b64encode(b"x" * 31).decode()}, "public_key"),
    ({"public_key": "!!!"}, "public_key"),
    ({"push_address": ""}, "push_address"),
    ({"push_address": "has space"}, "push_address"),
])
def test_enrolment_checks_channel_key_and_address(server, change, field):
    user = User(server, server.make_app())
    body = {"type": "push", "channel": "BIOMETRIC", "public_key": Device().public_key, "push_address": "t"}
    body.update(change)
    r = user.post("/v1/factors", json=body)
    assert r.status_code == 400 and r.json()["error"]["field"] == field, r.text


def test_deleting_the_factor_unenrols_the_device(server):
    user, device, f = enrolled(server, channel="BIOMETRIC", address="push-token-5")
    ch = user.post("/v1/challenges", json={"purpose": "stepup", "factor_id": f["factor_id"]}).json()
    assert user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json=device.answer(ch["challenge_id"])).status_code == 200
    assert user.delete(f"/v1/factors/{f['factor_id']}").status_code == 200
    assert [x for x in user.get("/v1/factors").json()["factors"] if x["factor_id"] == f["factor_id"]] == []
    assert_error(user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json=device.answer(ch["challenge_id"])), 404,
                 "NOT_FOUND")


def test_the_twofold_device_command_plays_the_device(server, tmp_path):
    key = tmp_path / "device.key"
    out = subprocess.run([str(TWOFOLD_BIN), "device", "keygen", "--key", str(key)], capture_output=True, text=True, check=True)
    public_key = out.stdout.strip().splitlines()[-1]
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    user = User(server, server.make_app())
    f = user.post("/v1/factors", json={"type": "push", "channel": "AUTHY", "public_key": public_key,
                                       "push_address": "cli-device"}).json()
    out = subprocess.run([str(TWOFOLD_BIN), "device", "answer", "--key", str(key), "--challenge", f["challenge_id"],
                          "--approve"], capture_output=True, text=True, check=True)
    r = user.post(f"/v1/factors/{f['factor_id']}/verify", json=json.loads(out.stdout.strip().splitlines()[-1]))
    assert r.status_code == 200 and r.json()["factor"]["status"] == "active"
