"""Helpers for the factor and challenge tests: a signed-in user, codes from independent
implementations (Debian's oathtool for TOTP), the codes development delivery wrote."""
import re
import subprocess
import time

CODE_RE = re.compile(r"your code is (\d{6})\.")


class User:
    """A registered, signed-in user of app on server, with request helpers."""

    def __init__(self, server, app, email=None):
        self.server, self.app = server, app
        self.user = server.make_user(app, email=email)
        self.token = server.token_for(app, self.user["email"])

    def post(self, path, json=None, **kw):
        return self.server.post(path, api_key=self.app["api_key"], token=self.token, json=json, **kw)

    def get(self, path, **kw):
        return self.server.get(path, api_key=self.app["api_key"], token=self.token, **kw)

    def delete(self, path, **kw):
        return self.server.request("DELETE", path, api_key=self.app["api_key"], token=self.token, **kw)

    def relogin(self):
        self.token = self.server.token_for(self.app, self.user["email"])


def oathtool(secret, *, offset_steps=0, digits=6, algorithm="SHA1"):
    """The TOTP code of a base32 secret from oathtool, offset_steps 30-second steps from now."""
    now = int(time.time()) + 30 * offset_steps
    cmd = ["oathtool", "--totp=" + algorithm, "-d", str(digits), "-b", "-N", f"@{now}", secret]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()


def sleep_into_next_totp_step(*servers, margin=0.2):
    """Sleeps into the next 30-second step (a code the enrolment did not use). That can take
    longer than the server's idle timeout (connection_timeout, 30 s), so the harness's idle
    keep-alive connections to servers are dropped: a request must not be sent on one the
    server is closing."""
    time.sleep(30 - time.time() % 30 + margin)
    for server in servers:
        server.http.close()


def stepup_round_trip(base_url, session, headers, timeout):
    """A stepup challenge and its verification with the sandbox code, on session: the challenge
    id and the verification's answer, or None when the challenge was refused."""
    ch = session.post(base_url + "/v1/challenges", headers=headers, json={"purpose": "stepup"}, timeout=timeout)
    if ch.status_code != 201:
        return None
    cid = ch.json()["challenge_id"]
    return cid, session.post(base_url + f"/v1/challenges/{cid}/verify", headers=headers, json={"code": "123456"},
                             timeout=timeout)


def wait_for_fresh_totp_step(margin=3):
    """Sleeps into the next 30-second step when the current one ends within margin seconds,
    so that a code and its check fall in the same step."""
    left = 30 - time.time() % 30
    if left < margin:
        time.sleep(left + 0.2)


def sms_codes(server, phone, count=1, timeout=5.0):
    """The codes sent to phone so far (waits for at least count)."""
    msgs = server.wait_for_messages(count, timeout=timeout, where=lambda m: m["to"] == phone)
    return [CODE_RE.search(m["text"]).group(1) for m in msgs if CODE_RE.search(m["text"])]


def enrol_totp(user):
    r = user.post("/v1/factors", json={"type": "totp"})
    assert r.status_code == 201, r.text
    f = r.json()
    wait_for_fresh_totp_step()
    code = oathtool(f["totp"]["secret"])
    r = user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": code})
    assert r.status_code == 200, r.text
    return f


def enrol_sms(user, phone="+14155550100", channel="sms"):
    """Enrols an SMS (or voice) factor; the user must be stepped up if it has an active factor."""
    r = user.post("/v1/factors", json={"type": channel, "phone": phone})
    assert r.status_code == 201, r.text
    f = r.json()
    code = sms_codes(user.server, phone)[-1]
    r = user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": code})
    assert r.status_code == 200, r.text
    return f


def step_up_with_totp(user, factor):
    """Steps the user's session up with a TOTP challenge (waits for the next step so the
    code is not a replay of the enrolment's)."""
    r = user.post("/v1/challenges", json={"purpose": "stepup", "factor_id": factor["factor_id"]})
    assert r.status_code == 201, r.text
    ch = r.json()
    sleep_into_next_totp_step(user.server)
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": oathtool(factor["totp"]["secret"])})
    assert r.status_code == 200, r.text
    return r.json()
