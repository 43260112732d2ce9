"""The Twilio and SMTP providers (issue 11): SMS through Twilio's Messages API and voice through
its Calls API (TwiML <Say>), form-encoded with basic auth, against a local recording server that
stands in for api.twilio.com; email through SMTP into a local sink (Debian's python3-aiosmtpd).
Server-wide settings, and an application's own, sealed at rest."""
import base64
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from aiosmtpd.controller import Controller

from factor_helpers import User
from harness import assert_error, assert_not_stored, free_port


class FakeTwilio:
    """Records every POST: (path, headers, form fields); fails the first fail_first."""

    def __init__(self, fail_first=0):
        self.calls, self.fail_first = [], fail_first
        rec = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                rec.calls.append((self.path, dict(self.headers), {k: v[0] for k, v in parse_qs(body).items()}))
                ok = len(rec.calls) > rec.fail_first
                self.send_response(201 if ok else 503)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"sid": "SM123", "status": "queued"}')

            def log_message(self, *a):
                pass

        self.port = free_port()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def wait(self, n, timeout=10):
        deadline = time.monotonic() + timeout
        while len(self.calls) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.calls) >= n, f"expected {n} calls, got {self.calls}"
        return self.calls


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_sms_and_voice_go_through_twilio(start_server):
    tw = FakeTwilio()
    try:
        srv = start_server(args=["--twilio-account-sid", "AC0001", "--twilio-from", "+15005550006",
                                 "--twilio-base-url", tw.url], env={"TWOFOLD_TWILIO_AUTH_TOKEN": "tw-secret-1"})
        user = User(srv, srv.make_app(name="Acme Pay"))
        assert user.post("/v1/factors", json={"type": "sms", "phone": "+447700900601"}).status_code == 201
        user.relogin()
        assert user.post("/v1/factors", json={"type": "voice", "phone": "+447700900602"}).status_code == 201
        (sms_path, sms_h, sms), (call_path, call_h, call) = tw.wait(2)
        assert sms_path == "/2010-04-01/Accounts/AC0001/Messages.json"
        assert sms_h["Authorization"] == basic("AC0001", "tw-secret-1")
        assert sms_h["Content-Type"] == "application/x-www-form-urlencoded"
        assert sms["To"] == "+447700900601" and sms["From"] == "+15005550006"
        assert re.fullmatch(r"Acme Pay: your code is \d{6}\. It expires in 5 minutes\.", sms["Body"])
        assert call_path == "/2010-04-01/Accounts/AC0001/Calls.json" and call["To"] == "+447700900602"
        m = re.fullmatch(r'<Response><Say language="en-GB">Acme Pay: your code is ((?:\d, ){5}\d)\. Again: \1\. It expires in 5 minutes\.</Say></Response>',
                         call["Twiml"])
        assert m, call["Twiml"]
        assert srv.messages() == []  # nothing went to the development log
    finally:
        tw.httpd.shutdown()


def test_a_twilio_failure_is_retried(start_server):
    tw = FakeTwilio(fail_first=1)
    try:
        srv = start_server(args=["--twilio-account-sid", "AC0002", "--twilio-from", "+15005550006",
                                 "--twilio-base-url", tw.url], env={"TWOFOLD_TWILIO_AUTH_TOKEN": "tw-secret-2"})
        user = User(srv, srv.make_app())
        assert user.post("/v1/factors", json={"type": "sms", "phone": "+447700900603"}).status_code == 201
        calls = tw.wait(2, timeout=15)
        assert calls[0][2]["Body"] == calls[1][2]["Body"]  # the same message again
    finally:
        tw.httpd.shutdown()


def test_an_application_s_own_twilio_account_wins_and_its_token_is_sealed(start_server):
    tw = FakeTwilio()
    try:
        srv = start_server(args=["--twilio-account-sid", "AC-SERVER", "--twilio-from", "+15005550006",
                                 "--twilio-base-url", tw.url], env={"TWOFOLD_TWILIO_AUTH_TOKEN": "server-token"})
        r = srv.post("/v1/admin/apps", admin=True, json={
            "name": "Own Twilio", "delivery": {"twilio": {"account_sid": "AC-APP", "auth_token": "app-token-xyz",
                                                            "from": "+15005550007", "base_url": tw.url}}})
        assert r.status_code == 201, r.text
        app = r.json()
        assert app["delivery_providers"] == ["twilio"] and "app-token-xyz" not in r.text
        user = User(srv, app)
        assert user.post("/v1/factors", json={"type": "sms", "phone": "+447700900604"}).status_code == 201
        [(path, headers, form)] = tw.wait(1)
        assert path == "/2010-04-01/Accounts/AC-APP/Messages.json" and form["From"] == "+15005550007"
        assert headers["Authorization"] == basic("AC-APP", "app-token-xyz")
        srv.stop()
        assert_not_stored(srv, "app-token-xyz", "the application's Twilio auth token")
        srv.start()
    finally:
        tw.httpd.shutdown()


def test_bad_delivery_settings_are_refused(server):
    for bad in ({"twilio": {"account_sid": "AC1"}}, {"twilio": {"account_sid": "AC1", "auth_token": "t", "from": "nope"}},
                {"smtp": {"url": "http://mail", "from": "a@b.example"}}, {"pigeon": {}}):
        r = server.post("/v1/admin/apps", admin=True, json={"name": "x", "delivery": bad})
        assert_error(r, 400, "INVALID_FIELD", "delivery")


class Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def test_confirmation_emails_go_through_smtp(start_server):
    sink = Sink()
    port = free_port()
    ctl = Controller(sink, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        srv = start_server(args=["--smtp-url", f"smtp://127.0.0.1:{port}", "--smtp-from", "noreply@twofold.test"])
        app = srv.make_app(name="Acme Pay")
        u = srv.make_user(app, email="mail@example.com", password=None)
        assert srv.post(f"/v1/users/{u['user_id']}/send_confirmation", api_key=app["api_key"]).status_code == 202
        deadline = time.monotonic() + 10
        while not sink.messages and time.monotonic() < deadline:
            time.sleep(0.05)
        [env] = sink.messages
        assert env.mail_from == "noreply@twofold.test" and env.rcpt_tos == ["mail@example.com"]
        text = env.content.decode()
        assert "Subject: Acme Pay: confirm your email address" in text
        assert re.search(r"/confirm\?app=app_\w+&token=tfe_", text)
        assert srv.messages() == []
    finally:
        ctl.stop()
