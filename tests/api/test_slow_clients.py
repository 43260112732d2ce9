"""Slow clients: a request's line, headers and body must arrive within request_receive_timeout,
however slowly they trickle (connection_timeout is an idle timeout, which a byte now and then
resets). Clients that trickle are closed at the deadline and counted, so they cannot hold every
connection; a client that is slow but in time, a keep-alive connection idle between requests and
a request that waits for the server itself are not cut."""
import json
import math
import re
import secrets
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from harness import DEFAULT_PASSWORD, checked_session

TRICKLE_GAP = 0.5  # seconds between two pieces of a trickling client
TRICKLE_FOR = 60.0  # a trickling client gives up after this long (it would need far longer to finish)


def closed_metric(server):
    m = re.search(r"^twofold_http_receive_timeouts_total (\d+)$", server.get("/metrics").text, re.M)
    assert m, "twofold_http_receive_timeouts_total is missing from /metrics"
    return int(m.group(1))


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        time.sleep(0.1)


class Trickler(threading.Thread):
    """A client that sends its request a piece every TRICKLE_GAP seconds and never finishes:
    the headers a line at a time (kind "headers"), or complete headers and then the body a byte
    at a time (kind "body"). Records when the server closed the connection (EOF or reset)."""

    def __init__(self, port, kind, secret):
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.connected_at = time.monotonic()
        self.kind = kind
        if kind == "headers":
            self.first = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\napi-key: " + secret.encode() + b"\r\n"
        else:
            self.first = (b"POST /v1/users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                          b"api-key: " + secret.encode() + b"\r\nContent-Length: 1000\r\n\r\n{")
        self.closed_at = None
        self.answer = b""

    def piece(self, i):
        return b"X-Trickle-%d: %d\r\n" % (i, i) if self.kind == "headers" else b" "

    def run(self):
        try:
            self.sock.sendall(self.first)
            i = 0
            while time.monotonic() < self.connected_at + TRICKLE_FOR:
                self.sock.settimeout(TRICKLE_GAP)
                try:
                    data = self.sock.recv(4096)
                except socket.timeout:
                    self.sock.sendall(self.piece(i))
                    i += 1
                    continue
                if not data:
                    self.closed_at = time.monotonic()
                    break
                self.answer += data  # the server never answers an unfinished request
        except OSError:  # reset, or broken pipe on a send
            self.closed_at = time.monotonic()
        self.sock.close()


def test_trickling_clients_are_closed_at_the_deadline_and_the_others_served(start_server):
    deadline = 2
    max_connections = 16  # the least the setting takes
    server = start_server(args=["--max-connections", str(max_connections),
                                "--request-receive-timeout", str(deadline)])
    secret = "tf_live_" + secrets.token_hex(16)
    # this harness connection stays open, idle between its requests: the idle timeout governs it
    assert closed_metric(server) == 0
    # more trickling clients than connections: without a deadline they hold every connection
    # for as long as they trickle, and the rest wait in the listen queue
    tricklers = [Trickler(server.port, "headers" if i % 2 else "body", secret)
                 for i in range(max_connections + 8)]
    for t in tricklers:
        t.start()

    def normal(i):
        session = checked_session()
        started = time.monotonic()
        r = session.get(server.base_url + "/healthz", timeout=TRICKLE_FOR / 2)
        session.close()
        return r.status_code, time.monotonic() - started

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(normal, range(4)))
    # answered once the first tricklers' deadline has passed (the tricklers queued behind them
    # get fresh connections too, and there is room for all): far sooner than the trickle
    for status, took in answers:
        assert status == 200
        assert took < 20, answers

    for t in tricklers:
        t.join(TRICKLE_FOR + 10)
    for t in tricklers:
        assert t.closed_at is not None, f"a {t.kind} trickler was never closed"
        assert t.answer == b"", t.answer
        held = t.closed_at - t.connected_at
        # never before the deadline (counted from the server's accept, after the connect)
        # and soon after it, even for those that waited in the listen queue for a connection
        assert deadline - 0.1 <= held < 30, (t.kind, held)

    wait_for(lambda: closed_metric(server) == len(tricklers), 10, "the metric counts every trickler")
    closures = [line for line in server.log_lines()
                if line.get("msg") == "closed connections whose request was not received in time"]
    assert sum(int(line["count"]) for line in closures) == len(tricklers), closures
    assert all(line["level"] == "warn" and line["timeout_s"] == str(deadline) and "127.0.0.1" in line["peers"]
               for line in closures), closures
    assert secret not in server.stderr_text()
    assert server.get("/healthz").status_code == 200


def read_answer(sock):
    """One HTTP/1.1 answer with a Content-Length from sock: (status, headers text, body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        assert chunk, f"connection closed before an answer: {data!r}"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = int(re.search(rb"(?im)^content-length:\s*(\d+)", head).group(1))
    while len(body) < length:
        chunk = sock.recv(4096)
        assert chunk, f"connection closed in the answer's body: {data!r}"
        body += chunk
    return int(head.split(b" ")[1]), head.decode(), body[:length]


def test_a_body_sent_slowly_but_within_the_deadline_is_served(start_server):
    deadline = 5
    server = start_server(args=["--request-receive-timeout", str(deadline)])
    pieces = 8
    gap = 0.25  # the request takes 2 s to arrive, of the 5 allowed

    def slow_post(i):
        body = json.dumps({"name": f"Slow app {i}"}).encode()
        head = (f"POST /v1/admin/apps HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                f"Authorization: Bearer {server.admin_token}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        s = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        started = time.monotonic()
        s.sendall(head[:20])
        time.sleep(gap)
        s.sendall(head[20:])
        step = math.ceil(len(body) / pieces)
        for k in range(0, len(body), step):
            time.sleep(gap)
            s.sendall(body[k:k + step])
        sent_in = time.monotonic() - started
        status, _, answer = read_answer(s)
        s.close()
        return status, json.loads(answer), sent_in

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(slow_post, range(8)))
    for status, answer, sent_in in results:
        assert status == 201, answer
        assert answer["api_key"] and answer["app_id"], answer
        assert sent_in >= pieces * gap
    assert closed_metric(server) == 0


def test_a_keep_alive_connection_idle_past_the_deadline_is_kept(start_server):
    deadline = 1
    server = start_server(args=["--request-receive-timeout", str(deadline)])
    request = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"
    conns = [socket.create_connection(("127.0.0.1", server.port), timeout=30) for _ in range(8)]
    for s in conns:
        s.sendall(request)
        assert read_answer(s)[0] == 200
    # idle between requests: connection_timeout (30 s) governs, not the receive deadline; the
    # wait is the point of the test (the deadline and a sweep of the watch have passed)
    time.sleep(deadline + 2.5)
    for s in conns:
        s.sendall(request)
        assert read_answer(s)[0] == 200
        s.close()
    assert closed_metric(server) == 0


def test_requests_that_wait_for_the_server_are_not_cut(start_server):
    # one hash thread and Argon2id at 64 MiB: logins sent at once wait for each other far
    # longer than the 1 s deadline; they were received at once, so all are answered
    deadline = 1
    # (logins in flight count against the user's limit, so it is raised here)
    server = start_server(fast_argon2=False, args=["--request-receive-timeout", str(deadline), "--slow-workers", "1",
                                                   "--argon2-memlimit-kib", "65536", "--argon2-opslimit", "2",
                                                   "--login-failures-per-user", "1000"])
    app = server.make_app()
    server.make_user(app, email="waits@example.com")
    one = math.inf
    for _ in range(2):  # the time of one login alone (the first also maps Argon2id's memory)
        started = time.monotonic()
        assert server.login(app, "waits@example.com").status_code == 201
        one = min(one, time.monotonic() - started)
    # together they take well over the deadline and a sweep's interval: four times their sum by
    # the fastest login seen (a login alone can be faster than one among many, under a sanitizer)
    count = min(64, max(4, math.ceil(4 * (deadline + 1) / one)))
    gate = threading.Barrier(count)

    def login(i):
        session = checked_session()
        gate.wait(timeout=30)
        sent = time.monotonic()
        r = session.post(server.base_url + "/v1/login", headers={"api-key": app["api_key"]}, timeout=300,
                         json={"email": "waits@example.com", "password": DEFAULT_PASSWORD})
        session.close()
        return r.status_code, time.monotonic() - sent

    with ThreadPoolExecutor(max_workers=count) as pool:
        answers = list(pool.map(login, range(count)))
    assert [status for status, _ in answers] == [201] * count, answers
    assert max(took for _, took in answers) > 1.5 * (deadline + 1), (one, answers)
    assert closed_metric(server) == 0
