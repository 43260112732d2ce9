"""The webhook delivery provider (issue 3, SPEC section 9): a signed JSON POST per message to a
local recording server, retried with backoff when the receiver fails."""
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from factor_helpers import User
from harness import free_port


class Recorder:
    """A small local HTTP server that records what it receives (headers and body; the path
    and the status answered in paths and statuses) and fails the first N posts, or answers
    each as answer(body) -> (status, JSON or None) says."""

    def __init__(self, fail_first=0, answer=None):
        self.received, self.paths, self.statuses, self.fail_first = [], [], [], fail_first
        self.lock = threading.Lock()
        rec = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with rec.lock:
                    ok = len(rec.received) >= rec.fail_first
                    status, out = answer(body) if answer else (200 if ok else 503, None)
                    rec.received.append((dict(self.headers), body))
                    rec.paths.append(self.path)
                    rec.statuses.append(status)
                data = json.dumps(out).encode() if out is not None else b""
                self.send_response(status)
                if out is not None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *a):
                pass

        self.port = free_port()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def wait(self, n, timeout=10):
        deadline = time.monotonic() + timeout
        while len(self.received) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.received) >= n, f"expected {n} deliveries, got {len(self.received)}"
        return self.received

    def close(self):
        self.httpd.shutdown()


def test_webhook_posts_signed_messages_and_retries_after_a_failure(start_server):
    rec = Recorder(fail_first=1)
    try:
        srv = start_server(args=["--delivery", "webhook", "--webhook-url", f"http://127.0.0.1:{rec.port}/messages"],
                           env={"TWOFOLD_WEBHOOK_SECRET": "whsec_test"})
        user = User(srv, srv.make_app(name="Acme Pay"))
        r = user.post("/v1/factors", json={"type": "sms", "phone": "+14155550100"})
        assert r.status_code == 201, r.text
        got = rec.wait(2)  # the first delivery answered 503, the retry 200
        for headers, body in got:
            ts = headers["Twofold-Timestamp"]
            assert abs(int(ts) - time.time()) < 60
            want = "v1=" + hmac.new(b"whsec_test", ts.encode() + b"." + body, hashlib.sha256).hexdigest()
            assert hmac.compare_digest(headers["Twofold-Signature"], want)
        first, second = (json.loads(b) for _, b in got[:2])
        assert first == second  # the same message, same id: at-least-once delivery
        assert first["channel"] == "sms" and first["to"] == "+14155550100"
        assert first["text"].startswith("Acme Pay: your code is ")
        assert got[0][0]["Twofold-Message-Id"] == first["message_id"]
        time.sleep(1.5)
        assert len(rec.received) == 2  # delivered: not sent again
        assert not srv.messages_path.exists()  # the log provider was not used
    finally:
        rec.close()
