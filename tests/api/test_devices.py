"""Trusted devices and the sensitive-operation gate (issue 4, SPEC sections 5 and 6, seed 000):
device cookies from verification, their validation (other app, other user, altered, expired,
revoked, other domain), listing and revoking, revocation surviving a restart, and authorize."""
import base64
import re
import time
from datetime import datetime, timezone

import pytest

from factor_helpers import User
from harness import Server, assert_error, db_query


def parse_time(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()


def stepped_user(server, app=None, trust_device=True):
    """A sandbox user with an active authenticator factor, stepped up; returns (user, device)."""
    user = User(server, app or server.make_app(sandbox=True))
    f = user.post("/v1/factors", json={"type": "totp"}).json()
    assert user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": "123456"}).status_code == 200
    ch = user.post("/v1/challenges", json={"purpose": "stepup"}).json()
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": "123456", "trust_device": trust_device})
    assert r.status_code == 200, r.text
    return user, r.json()["device"]


def validate(server, app, user_id, cookie):
    r = server.post("/v1/devices/validate", api_key=app["api_key"], json={"user_id": user_id, "cookie": cookie})
    assert r.status_code == 200, r.text
    return r.json()


def test_trust_device_answers_a_persistent_cookie_for_30_days(server):
    user, dev = stepped_user(server, trust_device=True)
    assert dev["kind"] == "persistent" and dev["device_id"].startswith("dev_")
    assert re.fullmatch(r"tfd1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}", dev["cookie"])
    assert abs(parse_time(dev["expires_at"]) - (time.time() + 30 * 86400)) < 120
    got = validate(server, user.app, user.user["user_id"], dev["cookie"])
    assert got == {"trusted": True, "device_id": dev["device_id"], "kind": "persistent", "expires_at": dev["expires_at"]}


def test_without_trust_the_cookie_is_a_session_cookie_for_10_minutes(server):
    user, dev = stepped_user(server, trust_device=False)
    assert dev["kind"] == "session"
    assert abs(parse_time(dev["expires_at"]) - (time.time() + 600)) < 60
    assert validate(server, user.app, user.user["user_id"], dev["cookie"])["trusted"] is True


def test_cookie_of_another_user_or_application_or_altered_is_not_trusted(server):
    app = server.make_app(sandbox=True)
    user, dev = stepped_user(server, app)
    other_user, _ = stepped_user(server, app)
    other_app = server.make_app(sandbox=True)
    cookie = dev["cookie"]
    assert validate(server, app, other_user.user["user_id"], cookie) == {"trusted": False, "reason": "other_user"}
    assert validate(server, other_app, user.user["user_id"], cookie)["trusted"] is False
    head, payload, mac = cookie.split(".")
    flipped = mac[:10] + ("A" if mac[10] != "A" else "B") + mac[11:]
    assert validate(server, app, user.user["user_id"], f"{head}.{payload}.{flipped}")["trusted"] is False
    # a payload rewritten to last longer, with the old MAC
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    longer = raw.rsplit("|", 1)[0] + "|" + str(int(raw.rsplit("|", 1)[1]) + 10**9)
    forged = base64.urlsafe_b64encode(longer.encode()).decode().rstrip("=")
    assert validate(server, app, user.user["user_id"], f"{head}.{forged}.{mac}")["trusted"] is False
    for junk in ("", "tfd1.", "x" * 400, "tfd1.a.b", "tfd2." + payload + "." + mac):
        assert validate(server, app, user.user["user_id"], junk)["trusted"] is False
    assert validate(server, app, user.user["user_id"], cookie)["trusted"] is True


def test_validation_is_audited_when_refused_but_never_writes_on_success(server):
    app = server.make_app(sandbox=True)
    user, dev = stepped_user(server, app)
    def count():
        return db_query(server, "SELECT count(*) AS n FROM audit_events")[0]["n"]
    before = count()
    for _ in range(20):
        assert validate(server, app, user.user["user_id"], dev["cookie"])["trusted"] is True
    time.sleep(0.5)
    assert count() == before
    assert validate(server, app, user.user["user_id"], dev["cookie"] + "x")["trusted"] is False
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        rows = [tuple(r.values()) for r in
                db_query(server, "SELECT type AS event, subject, details FROM audit_events WHERE type = 'device.validated_false'")]
        if rows:
            break
        time.sleep(0.05)
    assert rows and rows[0][1] == user.user["user_id"] and '"reason":"invalid"' in rows[0][2]
    metrics = server.get("/metrics").text
    assert 'twofold_device_validations_total{trusted="true"} 20' in metrics
    assert 'twofold_device_validations_total{trusted="false"} 1' in metrics


def test_list_and_revoke_one_device(server):
    app = server.make_app(sandbox=True)
    user, dev = stepped_user(server, app)
    r = user.get("/v1/devices")
    assert r.status_code == 200
    assert [d["device_id"] for d in r.json()["devices"]] == [dev["device_id"]]
    assert "cookie" not in r.json()["devices"][0]
    r = user.delete(f"/v1/devices/{dev['device_id']}")
    assert r.status_code == 200, r.text
    assert validate(server, app, user.user["user_id"], dev["cookie"]) == {"trusted": False, "reason": "revoked"}
    assert user.get("/v1/devices").json()["devices"] == []
    assert_error(user.delete(f"/v1/devices/{dev['device_id']}"), 404, "NOT_FOUND")


def test_revoke_all_devices_and_on_factor_removal(server):
    app = server.make_app(sandbox=True)
    user, first = stepped_user(server, app)
    ch = user.post("/v1/challenges", json={"purpose": "login"}).json()
    second = user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": "123456", "trust_device": True}).json()["device"]
    assert len(user.get("/v1/devices").json()["devices"]) == 2
    assert user.delete("/v1/devices").status_code == 200
    for d in (first, second):
        assert validate(server, app, user.user["user_id"], d["cookie"])["trusted"] is False
    # a new device, then the factor is removed (the session is stepped up): devices go too
    ch = user.post("/v1/challenges", json={"purpose": "stepup"}).json()
    third = user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": "123456", "trust_device": True}).json()["device"]
    assert validate(server, app, user.user["user_id"], third["cookie"])["trusted"] is True
    fid = user.get("/v1/factors").json()["factors"][0]["factor_id"]
    assert user.delete(f"/v1/factors/{fid}").status_code == 200
    assert validate(server, app, user.user["user_id"], third["cookie"])["trusted"] is False


def test_revocation_holds_across_a_restart(start_server, tmp_path):
    srv = start_server("restart")
    app = srv.make_app(sandbox=True)
    user, dev = stepped_user(srv, app)
    _, kept = stepped_user(srv, app)
    assert user.delete(f"/v1/devices/{dev['device_id']}").status_code == 200
    srv.stop()
    srv.start()
    assert validate(srv, app, user.user["user_id"], dev["cookie"])["trusted"] is False
    kept_user = base64.urlsafe_b64decode(kept["cookie"].split(".")[1] + "==").decode().split("|")[1]
    assert validate(srv, app, kept_user, kept["cookie"])["trusted"] is True


def test_revocation_made_by_another_node_reaches_this_one(start_server):
    a = start_server("node-a")
    app = a.make_app(sandbox=True)
    user, dev = stepped_user(a, app)
    assert validate(a, app, user.user["user_id"], dev["cookie"])["trusted"] is True
    b = start_server("node-b", data_dir=a.data_dir)  # a second process on the same database
    other = User.__new__(User)
    other.server, other.app, other.user, other.token = b, app, user.user, user.token
    assert other.delete(f"/v1/devices/{dev['device_id']}").status_code == 200
    deadline = time.monotonic() + 5
    while validate(a, app, user.user["user_id"], dev["cookie"])["trusted"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert validate(a, app, user.user["user_id"], dev["cookie"]) == {"trusted": False, "reason": "revoked"}


def authorize(server, app, user_id, token=None, **body):
    return server.post("/v1/authorize", api_key=app["api_key"], token=token,
                       json={"user_id": user_id, "operation": body.pop("operation", "change_bank_account"), **body})


def test_authorize_without_factor_is_no_factor(server):
    app = server.make_app()
    user = User(server, app)
    r = authorize(server, app, user.user["user_id"])
    assert r.status_code == 200, r.text
    assert r.json() == {"decision": "challenge_required", "reason": "NO_FACTOR", "factors": [], "operation": "change_bank_account"}


@pytest.mark.parametrize("operation", ["change_financial_owner", "add_factor", "change_bank_account", "delete_factor",
                                       "change_trusted_beneficiaries", "export_statements"])
def test_every_operation_is_sensitive_and_a_trusted_device_allows(server, operation):
    app = server.make_app(sandbox=True)
    user, dev = stepped_user(server, app)
    fid = user.get("/v1/factors").json()["factors"][0]["factor_id"]
    r = authorize(server, app, user.user["user_id"], operation=operation)
    assert r.json()["decision"] == "challenge_required" and r.json()["reason"] == "STEP_UP_REQUIRED"
    assert [f["factor_id"] for f in r.json()["factors"]] == [fid]
    r = authorize(server, app, user.user["user_id"], operation=operation, device_cookie=dev["cookie"])
    assert r.json()["decision"] == "allow" and r.json()["reason"] == "TRUSTED_DEVICE"


def test_a_stepped_up_session_allows_and_another_users_session_is_refused(server):
    app = server.make_app(sandbox=True)
    user, _ = stepped_user(server, app)
    r = authorize(server, app, user.user["user_id"], token=user.token)
    assert r.json()["decision"] == "allow" and r.json()["reason"] == "STEPPED_UP", r.text
    other, _ = stepped_user(server, app)
    assert_error(authorize(server, app, user.user["user_id"], token=other.token), 403, "PERMISSION_DENIED")
    # a fresh login is not stepped up
    user.relogin()
    assert authorize(server, app, user.user["user_id"], token=user.token).json()["reason"] == "STEP_UP_REQUIRED"
    assert_error(authorize(server, app, user.user["user_id"], token="tfs_not_a_token"), 401, "INVALID_TOKEN")
    assert_error(authorize(server, app, "usr_nobody"), 404, "NOT_FOUND")
    assert_error(authorize(server, app, user.user["user_id"], operation="DROP TABLE"), 400, "INVALID_FIELD", field="operation")


def test_hosted_domain_devices_do_not_validate_for_applications(server):
    """Cookies of twofold's own pages are a separate domain: forge one with the API's shape and
    the domain field changed; the MAC covers the domain, so it is refused."""
    app = server.make_app(sandbox=True)
    user, dev = stepped_user(server, app)
    head, payload, mac = dev["cookie"].split(".")
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    assert "|api|" in raw
    hosted = base64.urlsafe_b64encode(raw.replace("|api|", "|hosted|").encode()).decode().rstrip("=")
    assert validate(server, app, user.user["user_id"], f"{head}.{hosted}.{mac}")["trusted"] is False


def test_authorize_decisions_are_counted_in_metrics(server):
    app = server.make_app(sandbox=True)
    user, dev = stepped_user(server, app)
    authorize(server, app, user.user["user_id"])
    authorize(server, app, user.user["user_id"], device_cookie=dev["cookie"])
    text = server.get("/metrics").text
    assert 'twofold_authorize_decisions_total{decision="allow",reason="TRUSTED_DEVICE"} 1' in text
    assert 'twofold_authorize_decisions_total{decision="challenge_required",reason="STEP_UP_REQUIRED"} 1' in text


def test_device_trust_and_revocation_are_audited_in_the_chain(server):
    app = server.make_app(sandbox=True)
    user, dev = stepped_user(server, app)
    assert user.delete(f"/v1/devices/{dev['device_id']}").status_code == 200
    assert user.delete("/v1/devices").status_code == 200  # nothing left: no second row
    rows = [tuple(r.values()) for r in
            db_query(server, "SELECT type AS event, subject, details FROM audit_events WHERE type LIKE 'device.%' ORDER BY seq")]
    assert [(e, s) for e, s, _ in rows] == [("device.trusted", dev["device_id"]), ("device.revoked", dev["device_id"])]
    assert '"kind":"persistent"' in rows[0][2]
    from harness import run_cli
    r = run_cli("audit", "verify", "--data", server.data_dir)
    assert r.returncode == 0, r.stdout + r.stderr
