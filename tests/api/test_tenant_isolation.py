"""Tenant isolation (issue 10): every route that takes an object, called with a second
application's credentials (and a stepped-up session of its own user) on the first
application's objects, answers 404, 401 or 403, and changes nothing."""
import pytest

from factor_helpers import User


def sandbox_user_with_factor(server, app, phone):
    user = User(server, app)
    f = user.post("/v1/factors", json={"type": "sms", "phone": phone}).json()
    assert user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": "123456"}).status_code == 200
    return user, f


@pytest.fixture
def world(server):
    a_app, b_app = server.make_app(sandbox=True), server.make_app(sandbox=True)
    a, a_factor = sandbox_user_with_factor(server, a_app, "+447700900401")
    # a stepped-up session of A's user, with a trusted device, a beneficiary, a pending
    # challenge and a payment awaiting SCA
    ch = a.post("/v1/challenges", json={"purpose": "stepup"}).json()
    v = a.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": "123456", "trust_device": True}).json()
    ben = a.post("/v1/beneficiaries", json={"name": "Landlord", "account": "GB33BUKB20201555555555"}).json()
    a.relogin()
    pending = a.post("/v1/challenges", json={"purpose": "login"}).json()
    txn = a.post("/v1/transactions", json={"amount": 90000, "currency": "EUR",
                                           "payee": {"name": "Shop", "account": "DE89370400440532013000"}}).json()
    b, b_factor = sandbox_user_with_factor(server, b_app, "+447700900402")
    sb = b.post("/v1/challenges", json={"purpose": "stepup"}).json()
    assert b.post(f"/v1/challenges/{sb['challenge_id']}/verify", json={"code": "123456"}).status_code == 200
    return {"server": server, "a": a, "a_factor": a_factor, "device": v["device"], "ben": ben, "pending": pending,
            "txn": txn, "b": b, "b_app": b_app}


CALLS = [
    ("GET", "/v1/users/{user}", None),
    ("POST", "/v1/users/{user}/mark_email_verified", {}),
    ("POST", "/v1/users/{user}/send_confirmation", {}),
    ("POST", "/v1/users/{user}/sessions", {}),
    ("POST", "/v1/sso/tokens", {"user_id": "{user}"}),
    ("POST", "/v1/authorize", {"user_id": "{user}", "operation": "change_bank_account"}),
    ("POST", "/v1/authorize", {"user_id": "{user}", "operation": "payment",
                               "transaction": {"amount": 1, "currency": "EUR", "payee": {"name": "x", "account": "x"}}}),
    ("POST", "/v1/factors/{factor}/verify", {"code": "123456"}),
    ("POST", "/v1/factors/{factor}/preferred", {}),
    ("DELETE", "/v1/factors/{factor}", None),
    ("POST", "/v1/challenges", {"purpose": "stepup", "factor_id": "{factor}"}),
    ("POST", "/v1/challenges", {"purpose": "transaction", "transaction_id": "{txn}"}),
    ("POST", "/v1/challenges/{challenge}/resend", {}),
    ("POST", "/v1/challenges/{challenge}/verify", {"code": "123456"}),
    ("DELETE", "/v1/devices/{device}", None),
    ("DELETE", "/v1/beneficiaries/{ben}", None),
    ("GET", "/v1/transactions/{txn}", None),
    ("POST", "/multi/challenges/{challenge}/otp/SMS/verify", {"verificationCode": "123456"}),
    ("POST", "/v1/admin/apps", {"name": "x"}),
    ("GET", "/v1/admin/exemptions", None),
]


def fill(value, ids):
    if isinstance(value, str):
        for k, v in ids.items():
            value = value.replace("{" + k + "}", v)
        return value
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


def snapshot(w):
    a, server = w["a"], w["server"]
    return {
        "user": server.get(f"/v1/users/{a.user['user_id']}", api_key=a.app["api_key"]).json(),
        "factors": a.get("/v1/factors").json(),
        "devices": a.get("/v1/devices").json(),
        "beneficiaries": a.get("/v1/beneficiaries").json(),
        "txn": a.get(f"/v1/transactions/{w['txn']['transaction_id']}").json(),
        "trusted": server.post("/v1/devices/validate", api_key=a.app["api_key"],
                               json={"user_id": a.user["user_id"], "cookie": w["device"]["cookie"]}).json()["trusted"],
    }


@pytest.mark.parametrize("method,path,body", CALLS, ids=[f"{m} {p} {i}" for i, (m, p, _) in enumerate(CALLS)])
def test_another_applications_objects_are_out_of_reach(world, method, path, body):
    w = world
    ids = {"user": w["a"].user["user_id"], "factor": w["a_factor"]["factor_id"], "txn": w["txn"]["transaction_id"],
           "challenge": w["pending"]["challenge_id"], "device": w["device"]["device_id"],
           "ben": w["ben"]["beneficiary_id"]}
    before = snapshot(w)
    b = w["b"]
    r = w["server"].request(method, fill(path, ids), api_key=b.app["api_key"], token=b.token, json=fill(body, ids))
    if path == "/v1/authorize" and body["operation"] == "payment":
        # a payment is always the caller's own user's: another application's user is unknown
        assert r.status_code == 404, r.text
    else:
        assert r.status_code in (401, 403, 404), f"{method} {path}: {r.status_code} {r.text}"
    assert snapshot(w) == before


def test_a_device_cookie_of_another_application_is_not_trusted(world):
    w = world
    b = w["b"]
    r = w["server"].post("/v1/devices/validate", api_key=b.app["api_key"],
                         json={"user_id": w["a"].user["user_id"], "cookie": w["device"]["cookie"]})
    # validation reads no database (it is the hot path): it answers untrusted, revealing nothing
    assert r.status_code == 200 and r.json()["trusted"] is False
