"""Bad input of every kind: the answer is a JSON error with a stable code, and the server lives on."""
import json
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from harness import DEFAULT_PASSWORD, assert_error, assert_error_shape

BODY_MAX = 64 * 1024


@pytest.fixture
def app(server):
    return server.make_app()


def post_raw(server, app, body, path="/v1/users", headers=None):
    h = {"api-key": app["api_key"], "Content-Type": "application/json"}
    h.update(headers or {})
    return server.post(path, data=body, headers=h)


@pytest.mark.parametrize("body", [
    b"{",
    b"{\"email\": }",
    b"{'email': 'a@example.com'}",
    b"{\"email\": \"a@example.com\",}",
    b"nul",
    b"\xff\xfe{}",
    b"{\"email\": \"\xc3\x28@example.com\"}",
    b"{\"email\": \"a@example.com\"} trailing",
], ids=["open", "missing-value", "single-quotes", "trailing-comma", "bare-word", "bom-bytes", "bad-utf8", "trailing-text"])
def test_malformed_json_is_400_invalid_json(server, app, body):
    assert_error(post_raw(server, app, body), 400, "INVALID_JSON")


@pytest.mark.parametrize("body", [b"[]", b"[{\"email\": \"a@example.com\"}]", b"\"a@example.com\"", b"42", b"null", b"true"])
def test_a_body_that_is_not_an_object_is_400_invalid_json(server, app, body):
    assert_error(post_raw(server, app, body), 400, "INVALID_JSON")


def test_duplicate_keys_are_400_invalid_json(server, app):
    body = b'{"email": "a@example.com", "email": "b@example.com", "password": "long enough pw"}'
    assert_error(post_raw(server, app, body), 400, "INVALID_JSON")


def test_a_body_of_exactly_64_kib_is_accepted(server):
    body = json.dumps({"name": "Edge"}).encode()
    body += b" " * (BODY_MAX - len(body))
    assert len(body) == BODY_MAX
    r = server.post("/v1/admin/apps", admin=True, data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 201, r.text


def test_a_body_over_64_kib_with_content_length_is_413(server, app):
    body = json.dumps({"email": "big@example.com"}).encode()
    body += b" " * (BODY_MAX + 1 - len(body))
    assert_error(post_raw(server, app, body), 413, "BODY_TOO_LARGE")
    assert_error(post_raw(server, app, b"x" * (1024 * 1024)), 413, "BODY_TOO_LARGE")
    assert server.get("/healthz").status_code == 200
    # and nothing was created
    r = server.post("/v1/users", api_key=app["api_key"], json={"email": "big@example.com"})
    assert r.status_code == 201, r.text


def test_a_chunked_body_over_64_kib_is_413(server, app):
    def chunks():
        yield b'{"email": "chunked@example.com", "name": "'
        for _ in range(20):
            yield b"a" * 4096
        yield b'"}'
    r = server.post("/v1/users", data=chunks(), headers={"api-key": app["api_key"]})
    assert r.request.headers.get("Transfer-Encoding") == "chunked"
    assert_error(r, 413, "BODY_TOO_LARGE")
    assert server.get("/healthz").status_code == 200


def test_a_small_chunked_body_is_read_normally(server, app):
    def chunks():
        yield b'{"email": "chunk'
        yield b'ed@example.com"}'
    r = server.post("/v1/users", data=chunks(), headers={"api-key": app["api_key"]})
    assert r.status_code == 201, r.text
    assert r.json()["email"] == "chunked@example.com"


def nested(depth):
    """A JSON object whose nesting depth (objects and arrays) is depth."""
    return '{"x":' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


def test_nesting_of_32_levels_is_parsed_and_33_is_refused(server, app):
    # 32 levels parse: the answer is about the unknown field, not the JSON
    assert_error(post_raw(server, app, nested(32).encode()), 400, "INVALID_FIELD")
    r = post_raw(server, app, nested(33).encode())
    assert r.status_code == 400, r.text
    assert_error_shape(r)
    assert r.json()["error"]["code"] == "INVALID_JSON"


def test_very_deep_nesting_does_not_crash_the_server(server, app):
    for body in ("[" * 60000, "{\"a\":" * 10000, "[" * 30000 + "]" * 30000):
        r = post_raw(server, app, body.encode())
        assert r.status_code == 400, r.text
    assert server.get("/healthz").status_code == 200


def test_a_string_over_1_kib_is_400_invalid_field(server, app):
    r = server.post("/v1/users", api_key=app["api_key"], json={"email": "a@example.com", "name": "n" * 1025})
    assert_error(r, 400, "INVALID_FIELD")
    r = server.post("/v1/users", api_key=app["api_key"], json={"email": "a@example.com", "k" * 1025: "v"})
    assert_error(r, 400, "INVALID_FIELD")
    r = server.post("/v1/users", api_key=app["api_key"], json={"email": "a@example.com", "x": ["s" * 2000]})
    assert_error(r, 400, "INVALID_FIELD")


def test_a_nul_byte_inside_a_string_is_refused(server, app):
    r = server.post("/v1/users", api_key=app["api_key"], json={"email": "a\u0000b@example.com"})
    assert r.status_code == 400, r.text
    assert assert_error_shape(r)["code"] in ("INVALID_JSON", "INVALID_FIELD")


@pytest.mark.parametrize("method,path", [
    ("GET", "/"),
    ("GET", "/v1"),
    ("GET", "/v1/nothing"),
    ("POST", "/v1/users/usr_x/frobnicate"),
    ("GET", "/v1/users/"),
    ("GET", "/healthz/extra"),
    ("GET", "/v1/" + "a" * 2000),
    ("POST", "/v3/users"),  # /v2 and /multi are the vendor faces: their own shapes (test_face_*.py)
])
def test_an_unknown_route_is_404_route_not_found(server, method, path):
    assert_error(server.request(method, path), 404, "ROUTE_NOT_FOUND")


@pytest.mark.parametrize("method,path", [
    ("GET", "/v1/login"),
    ("PUT", "/v1/users"),
    ("DELETE", "/v1/users/usr_x"),
    ("POST", "/healthz"),
    ("GET", "/v1/admin/apps"),
    ("PATCH", "/v1/logout"),
])
def test_a_wrong_method_is_405_method_not_allowed(server, method, path):
    assert_error(server.request(method, path), 405, "METHOD_NOT_ALLOWED")


def test_a_405_answer_says_which_methods_are_allowed(server):
    # RFC 9110 section 15.5.6: a 405 answer MUST carry an Allow header
    r = server.request("GET", "/v1/login")
    assert r.status_code == 405
    allow = r.headers.get("Allow", "")
    assert "POST" in [m.strip() for m in allow.split(",")], dict(r.headers)


def test_every_error_has_the_one_error_shape(server, app):
    answers = [
        server.post("/v1/admin/apps", json={"name": "x"}),
        server.post("/v1/admin/apps", admin=True, json={}),
        server.post("/v1/users", json={"email": "a@example.com"}),
        post_raw(server, app, b"{"),
        post_raw(server, app, b"x" * (BODY_MAX + 10)),
        server.post("/v1/users", api_key=app["api_key"], json={"email": "bad"}),
        server.get("/v1/users/usr_nope", api_key=app["api_key"]),
        server.get("/v1/nope"),
        server.request("DELETE", "/v1/login"),
        server.get("/v1/factors", api_key=app["api_key"], token="nope"),
        server.login(app, "who@example.com", "whatever123"),
    ]
    ids = set()
    for r in answers:
        assert 400 <= r.status_code < 500, r.text
        err = assert_error_shape(r)
        ids.add(err["request_id"])
    assert len(ids) == len(answers), "request ids repeat"


def test_successful_answers_carry_a_request_id_too(server, app):
    a = server.get("/healthz").headers.get("X-Request-Id")
    b = server.post("/v1/users", api_key=app["api_key"], json={"email": "rid@example.com"}).headers.get("X-Request-Id")
    assert a and b and a != b


def raw_exchange(server, payload, read_timeout=2.0):
    """Sends payload on a fresh connection, reads until the server closes or is quiet; returns
    what came back (b'' when the server closed without answering)."""
    s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    got = b""
    try:
        try:
            s.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass
        s.settimeout(read_timeout)
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                break
            if not chunk:
                break
            got += chunk
            if b"\r\n\r\n" in got:
                # one answer is enough
                s.settimeout(0.3)
    finally:
        s.close()
    return got


def assert_alive(server):
    r = requests.get(server.base_url + "/healthz", timeout=5)
    assert r.status_code == 200


GARBAGE = {
    "binary": b"\x00\xff GARBAGE\r\n\r\n",
    "no-version": b"GET /healthz\r\n\r\n",
    "bad-version": b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n",
    "huge-header": b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (100 * 1024) + b"\r\n\r\n",
    "many-headers": b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(5000)) + b"\r\n",
    "huge-url": b"GET /" + b"a" * (100 * 1024) + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    "negative-length": b"POST /v1/users HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}",
    "overflowing-length": b"POST /v1/users HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n{}",
    "two-lengths": b"POST /v1/users HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\n{}",
    "bad-chunks": b"POST /v1/users HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nabc\r\n0\r\n\r\n",
    "huge-chunk-size": b"POST /v1/users HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nabc\r\n",
    "nul-in-path": b"GET /v1/users/\x00abc HTTP/1.1\r\nHost: x\r\n\r\n",
    "header-without-colon": b"GET /healthz HTTP/1.1\r\nHost: x\r\nthis is not a header\r\n\r\n",
    "bare-lf": b"GET /healthz HTTP/1.1\nHost: x\n\n",
    "pipelined-junk": b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
    "tls-hello": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,
}


@pytest.mark.parametrize("name", list(GARBAGE))
def test_raw_garbage_never_kills_the_server(server, name):
    got = raw_exchange(server, GARBAGE[name])
    if got:
        assert got.startswith(b"HTTP/1."), got[:200]
    assert_alive(server)


def test_an_unterminated_request_then_close_never_kills_the_server(server, app):
    for payload in (
        b"POST /v1/users HTTP/1.1\r\nHost: x\r\napi-key: " + app["api_key"].encode() + b"\r\nContent-Length: 100\r\n\r\n{\"em",
        b"POST /v1/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"email\": \"a",
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Partial: abc",
        b"GE",
    ):
        s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        s.sendall(payload)
        s.close()
    assert_alive(server)


def test_a_slow_login_whose_client_went_away_never_kills_the_server(start_server):
    # the login runs on the slow pool; the client closes before the answer. The eleven logins
    # count against the user's limit while they wait, so it is raised here.
    server = start_server(args=["--login-failures-per-user", "100"])
    app = server.make_app()
    server.make_user(app, email="gone@example.com")
    body = json.dumps({"email": "gone@example.com", "password": DEFAULT_PASSWORD}).encode()
    for _ in range(10):
        s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        s.sendall(b"POST /v1/login HTTP/1.1\r\nHost: x\r\napi-key: " + app["api_key"].encode() +
                  b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        s.close()
    assert_alive(server)
    assert server.login(app, "gone@example.com").status_code == 201


def test_keep_alive_serves_many_requests_on_one_connection(server, app):
    s = requests.Session()
    for i in range(50):
        r = s.get(server.base_url + "/healthz", timeout=5)
        assert r.status_code == 200
    r = s.post(server.base_url + "/v1/users", headers={"api-key": app["api_key"]}, json={"email": "ka@example.com"})
    assert r.status_code == 201


def test_200_concurrent_requests_are_all_answered(server, app):
    start = threading.Barrier(50)

    def one(i):
        if i < 50:
            start.wait(timeout=30)
        if i % 2:
            r = requests.post(server.base_url + "/v1/users", headers={"api-key": app["api_key"]},
                              json={"email": f"c{i}@example.com", "password": DEFAULT_PASSWORD}, timeout=60)
            return r.status_code, r.json().get("user_id")
        r = requests.get(server.base_url + "/healthz", timeout=60)
        return r.status_code, None

    with ThreadPoolExecutor(max_workers=200) as pool:
        results = list(pool.map(one, range(200)))
    statuses = [s for s, _ in results]
    assert statuses.count(200) == 100 and statuses.count(201) == 100, statuses
    ids = [u for _, u in results if u]
    assert len(set(ids)) == 100
    for uid in ids[:10]:
        assert server.get(f"/v1/users/{uid}", api_key=app["api_key"]).status_code == 200
