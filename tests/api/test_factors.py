"""Factors (issue 3, SPEC section 3): enrolment of TOTP, SMS, voice and backup codes, their
activation, the step-up gate on adding and deleting, and what is stored at rest."""
import base64
import re
import subprocess

import pytest

from factor_helpers import User, enrol_sms, enrol_totp, oathtool, sms_codes, step_up_with_totp, wait_for_fresh_totp_step
from harness import assert_error, assert_not_stored


def test_totp_enrolment_gives_a_160_bit_secret_uri_and_qr_codes(server):
    app = server.make_app(name="Acme Pay")
    user = User(server, app, email="ann@example.com")
    r = user.post("/v1/factors", json={"type": "totp"})
    assert r.status_code == 201, r.text
    f = r.json()
    assert f["status"] == "pending_verification" and f["type"] == "totp"
    secret = f["totp"]["secret"]
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)  # 160 bits in base32
    assert len(base64.b32decode(secret)) == 20
    assert f["totp"]["otpauth_uri"] == (f"otpauth://totp/Acme%20Pay:ann@example.com?secret={secret}"
                                        "&issuer=Acme%20Pay&algorithm=SHA1&digits=6&period=30")
    assert f["totp"]["qr_svg"].startswith("<svg") and "</svg>" in f["totp"]["qr_svg"]


def test_qr_png_decodes_with_a_real_decoder_to_the_same_uri(server, tmp_path):
    user = User(server, server.make_app())
    f = user.post("/v1/factors", json={"type": "totp"}).json()
    png = tmp_path / "qr.png"
    png.write_bytes(base64.b64decode(f["totp"]["qr_png_base64"]))
    out = subprocess.run(["zbarimg", "--quiet", "--raw", str(png)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f["totp"]["otpauth_uri"]


def test_oathtool_code_activates_the_factor_and_the_secret_is_not_stored_in_clear(server):
    user = User(server, server.make_app())
    f = user.post("/v1/factors", json={"type": "totp"}).json()
    r = user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": "000000" if oathtool(f["totp"]["secret"]) != "000000" else "111111"})
    assert_error(r, 403, "VERIFICATION_CODE_INVALID")
    wait_for_fresh_totp_step()
    r = user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": oathtool(f["totp"]["secret"])})
    assert r.status_code == 200, r.text
    assert r.json()["factor"]["status"] == "active"
    listed = user.get("/v1/factors").json()["factors"]
    assert [x["status"] for x in listed] == ["active"]
    assert "secret" not in str(listed).lower() or f["totp"]["secret"] not in str(listed)
    assert_not_stored(server, f["totp"]["secret"], "the TOTP secret (base32)")
    assert_not_stored(server, base64.b32decode(f["totp"]["secret"]).hex(), "the TOTP secret (hex)")
    assert base64.b32decode(f["totp"]["secret"]) not in server.raw_data_bytes()


@pytest.mark.parametrize("algorithm,digits", [("SHA256", 8), ("SHA512", 6)])
def test_application_totp_settings_are_used(server, algorithm, digits):
    app = server.make_app(totp_algorithm=algorithm, totp_digits=digits)
    assert app["totp"] == {"algorithm": algorithm, "digits": digits, "period": 30}
    user = User(server, app)
    f = user.post("/v1/factors", json={"type": "totp"}).json()
    assert f"algorithm={algorithm}&digits={digits}" in f["totp"]["otpauth_uri"]
    wait_for_fresh_totp_step()
    sha1 = oathtool(f["totp"]["secret"], digits=digits)
    code = oathtool(f["totp"]["secret"], digits=digits, algorithm=algorithm)
    assert len(code) == digits
    if sha1 != code:  # a SHA-1 code must not pass for a SHA-256/512 factor
        assert_error(user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": sha1}), 403, "VERIFICATION_CODE_INVALID")
    assert user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": code}).status_code == 200


def test_bad_totp_settings_are_refused(server):
    for body, field in (({"totp_algorithm": "MD5"}, "totp_algorithm"), ({"totp_digits": 7}, "totp_digits"),
                        ({"totp_digits": "8"}, "totp_digits")):
        r = server.post("/v1/admin/apps", admin=True, json={"name": "x", **body})
        assert_error(r, 400, "INVALID_FIELD", field=field)


def test_sms_enrolment_sends_a_code_naming_the_app_and_the_code_activates(server):
    app = server.make_app(name="Acme Pay")
    user = User(server, app)
    r = user.post("/v1/factors", json={"type": "sms", "phone": "+14155550123"})
    assert r.status_code == 201, r.text
    f = r.json()
    assert f["status"] == "pending_verification" and f["challenge_id"].startswith("chl_")
    msg = server.wait_for_messages(1, where=lambda m: m["to"] == "+14155550123")[0]
    assert msg["channel"] == "sms"
    assert re.fullmatch(r"Acme Pay: your code is \d{6}\. It expires in 5 minutes\.", msg["text"])
    code = sms_codes(server, "+14155550123")[0]
    assert_not_stored(server, msg["text"], "the SMS text with its code")
    wrong = "%06d" % ((int(code) + 1) % 1000000)
    err = assert_error(user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": wrong}), 403, "VERIFICATION_CODE_INVALID")
    assert err["attempts_remaining"] == 4
    r = user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": code})
    assert r.status_code == 200 and r.json()["factor"]["status"] == "active", r.text
    assert_error(user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": code}), 409, "ALREADY_VERIFIED")


def test_voice_reads_the_digits_one_by_one_twice(server):
    user = User(server, server.make_app(name="Acme Pay"))
    r = user.post("/v1/factors", json={"type": "voice", "phone": "+447911123456"})
    assert r.status_code == 201, r.text
    msg = server.wait_for_messages(1, where=lambda m: m["to"] == "+447911123456")[0]
    assert msg["channel"] == "voice"
    m = re.fullmatch(r"Acme Pay: your code is ((?:\d, ){5}\d)\. Again: \1\. It expires in 5 minutes\.", msg["text"])
    assert m, msg["text"]
    code = m.group(1).replace(", ", "")
    assert user.post(f"/v1/factors/{r.json()['factor_id']}/verify", json={"code": code}).status_code == 200


@pytest.mark.parametrize("body,field", [
    ({"type": "sms"}, "phone"),
    ({"type": "sms", "phone": "4155550100"}, "phone"),
    ({"type": "voice", "phone": "+1 415 555 0100"}, "phone"),
    ({"type": "sms", "phone": "+1415555010"}, None),
    ({"type": "totp", "phone": "+14155550100"}, "phone"),
    ({"type": "fax"}, "type"),
    ({"type": 3}, "type"),
    ({}, "type"),
])
def test_enrolment_input_is_validated(server, body, field):
    user = User(server, server.make_app())
    r = user.post("/v1/factors", json=body)
    if field is None:  # 10 digits is a valid E.164 length
        assert r.status_code == 201, r.text
        return
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == field


def test_adding_a_second_factor_and_deleting_need_a_stepped_up_session(server):
    user = User(server, server.make_app())
    totp = enrol_totp(user)
    # the first factor needed no step-up; now the user has an active one
    assert_error(user.post("/v1/factors", json={"type": "sms", "phone": "+14155550100"}), 403, "STEP_UP_REQUIRED")
    assert_error(user.delete(f"/v1/factors/{totp['factor_id']}"), 403, "STEP_UP_REQUIRED")
    assert [f["status"] for f in user.get("/v1/factors").json()["factors"]] == ["active"]
    step_up_with_totp(user, totp)
    sms = enrol_sms(user)
    r = user.delete(f"/v1/factors/{sms['factor_id']}")
    assert r.status_code == 200, r.text
    assert [f["type"] for f in user.get("/v1/factors").json()["factors"]] == ["totp"]
    # a deleted factor is gone for every purpose
    assert_error(user.post("/v1/challenges", json={"purpose": "stepup", "factor_id": sms["factor_id"]}), 404, "NOT_FOUND")


def test_preferred_factor_is_the_default_for_challenges(server):
    user = User(server, server.make_app())
    a = user.post("/v1/factors", json={"type": "backup_codes"}).json()  # the first factor is preferred
    assert user.post(f"/v1/factors/{a['factor_id']}/verify", json={"code": a["backup_codes"][0]}).status_code == 200
    ch = user.post("/v1/challenges", json={"purpose": "stepup"}).json()
    assert ch["factor_id"] == a["factor_id"]
    assert user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": a["backup_codes"][1]}).status_code == 200
    b = enrol_totp(user)
    assert user.post("/v1/challenges", json={"purpose": "login"}).json()["factor_id"] == a["factor_id"]
    r = user.post(f"/v1/factors/{b['factor_id']}/preferred")
    assert r.status_code == 200 and r.json()["preferred"] is True, r.text
    assert user.post("/v1/challenges", json={"purpose": "login"}).json()["factor_id"] == b["factor_id"]
    prefs = {f["factor_id"]: f["preferred"] for f in user.get("/v1/factors").json()["factors"]}
    assert prefs == {a["factor_id"]: False, b["factor_id"]: True}
    # a pending factor cannot be preferred
    c = user.post("/v1/factors", json={"type": "sms", "phone": "+14155550103"}).json()
    assert_error(user.post(f"/v1/factors/{c['factor_id']}/preferred"), 409, "FACTOR_NOT_ACTIVE")


def test_backup_codes_sheet_is_ten_unambiguous_codes_shown_once(server):
    user = User(server, server.make_app())
    r = user.post("/v1/factors", json={"type": "backup_codes"})
    assert r.status_code == 201, r.text
    f = r.json()
    codes = f["backup_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    for c in codes:
        assert re.fullmatch(r"[23456789abcdefghjkmnpqrstuvwxyz]{10}", c), c
        assert_not_stored(server, c, "a backup code")
    assert f["backup_codes_remaining"] == 10
    listed = user.get("/v1/factors").json()["factors"][0]
    assert "backup_codes" not in listed and listed["backup_codes_remaining"] == 10


def test_each_backup_code_works_once_and_a_new_sheet_replaces_the_old(server):
    user = User(server, server.make_app())
    f = user.post("/v1/factors", json={"type": "backup_codes"}).json()
    codes = f["backup_codes"]
    assert user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": codes[0].upper()}).status_code == 200
    ch = user.post("/v1/challenges", json={"purpose": "stepup"}).json()
    assert ch["factor_type"] == "backup_codes"
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": codes[1]})
    assert r.status_code == 200, r.text
    assert user.get("/v1/factors").json()["factors"][0]["backup_codes_remaining"] == 9
    ch = user.post("/v1/challenges", json={"purpose": "stepup"}).json()
    err = assert_error(user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": codes[1]}), 403, "VERIFICATION_CODE_INVALID")
    assert err["attempts_remaining"] == 4
    # a new sheet (the session is stepped up) replaces every old code
    r = user.post("/v1/factors", json={"type": "backup_codes"})
    assert r.status_code == 201, r.text
    assert r.json()["factor_id"] == f["factor_id"] and r.json()["backup_codes_remaining"] == 10
    new_codes = r.json()["backup_codes"]
    assert not set(new_codes) & set(codes)
    assert_error(user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": codes[2]}), 403, "VERIFICATION_CODE_INVALID")
    assert user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": new_codes[5]}).status_code == 200


def test_sandbox_applications_send_nothing_and_accept_123456(server):
    app = server.make_app(sandbox=True)
    user = User(server, app)
    f = user.post("/v1/factors", json={"type": "sms", "phone": "+14155550199"}).json()
    assert user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": "123456"}).status_code == 200
    ch = user.post("/v1/challenges", json={"purpose": "stepup"}).json()
    assert_error(user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": "654321"}), 403, "VERIFICATION_CODE_INVALID")
    assert user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": "123456"}).status_code == 200
    # a non-sandbox application does not accept it
    real = User(server, server.make_app())
    g = real.post("/v1/factors", json={"type": "sms", "phone": "+14155550198"}).json()
    if sms_codes(server, "+14155550198")[0] != "123456":
        assert_error(real.post(f"/v1/factors/{g['factor_id']}/verify", json={"code": "123456"}), 403, "VERIFICATION_CODE_INVALID")
    import time
    time.sleep(1.0)  # delivery runs on a worker: give it time to have written anything it would
    assert [m for m in server.messages() if m["to"] == "+14155550199"] == []


def test_another_applications_factor_is_not_found(server):
    a, b = User(server, server.make_app()), User(server, server.make_app())
    f = a.post("/v1/factors", json={"type": "totp"}).json()
    assert_error(b.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": "123456"}), 404, "NOT_FOUND")
    assert_error(b.post(f"/v1/factors/{f['factor_id']}/preferred"), 404, "NOT_FOUND")
    assert_error(b.delete(f"/v1/factors/{f['factor_id']}"), 404, "NOT_FOUND")
    assert_error(b.post("/v1/challenges", json={"purpose": "login", "factor_id": f["factor_id"]}), 404, "NOT_FOUND")
    assert b.get("/v1/factors").json()["factors"] == []
