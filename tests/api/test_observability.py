"""Health, readiness, metrics, structured logs, and what must never be in them."""
import re
import time
from datetime import datetime

import pytest

from harness import ON_POSTGRES, run_cli


def test_healthz_answers_ok(server):
    r = server.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_readyz_reports_the_database(server):
    r = server.get("/readyz")
    assert r.status_code == 200
    body = r.json()
    assert body["database"]["status"] == "ok"
    assert body["database"]["backend"] == ("postgres" if ON_POSTGRES else "sqlite")


def parse_metrics(text):
    """{(name, frozenset(labels.items())): value} from Prometheus text format."""
    samples = {}
    types = {}
    line_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)$')
    label_re = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(None, 3)
            types[name] = kind
            continue
        if line.startswith("#"):
            continue
        m = line_re.match(line)
        assert m, f"not a Prometheus sample line: {line!r}"
        labels = frozenset(label_re.findall(m.group(3) or ""))
        samples[(m.group(1), labels)] = float(m.group(4))
    return samples, types


def test_metrics_count_requests_by_route_and_status_with_a_latency_histogram(server, make_app):
    app = make_app()
    for i in range(3):
        assert server.post("/v1/users", api_key=app["api_key"], json={"email": f"m{i}@example.com"}).status_code == 201
    assert server.post("/v1/users", api_key=app["api_key"], json={"email": "m0@example.com"}).status_code == 409
    assert server.get("/v1/no-such-route").status_code == 404
    r = server.get("/metrics")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/plain")
    samples, types = parse_metrics(r.text)
    route = ("route", "POST /v1/users")

    def total(status):
        return samples.get(("twofold_http_requests_total", frozenset({route, ("status", status)})))

    assert types.get("twofold_http_requests_total") == "counter"
    assert 'twofold_http_requests_total{route="POST /v1/users",status="201"} 3' in r.text.splitlines()
    assert total("201") == 3
    assert total("409") == 1
    assert samples.get(("twofold_http_requests_total",
                        frozenset({("route", "POST /v1/admin/apps"), ("status", "201")}))) == 1

    assert types.get("twofold_http_request_duration_seconds") == "histogram"
    buckets = sorted(((float(dict(k[1])["le"]), v) for k, v in samples.items()
                      if k[0] == "twofold_http_request_duration_seconds_bucket" and dict(k[1]).get("route") == route[1]),
                     key=lambda x: x[0])
    assert len(buckets) >= 5
    assert buckets[-1][0] == float("inf")
    counts = [v for _, v in buckets]
    assert counts == sorted(counts), "histogram buckets must be cumulative"
    assert buckets[-1][1] == 4
    assert samples[("twofold_http_request_duration_seconds_count", frozenset({route}))] == 4
    total_seconds = samples[("twofold_http_request_duration_seconds_sum", frozenset({route}))]
    assert 0 < total_seconds < 60


def test_metrics_ask_for_the_metrics_token_when_one_is_set(start_server):
    token = "scrape-" + "x7" * 20
    srv = start_server(env={"TWOFOLD_METRICS_TOKEN": token})
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Bearer " + token[:-1]},
                    {"Authorization": token}, {"Authorization": "Basic " + token}):
        r = srv.get("/metrics", headers=headers)
        assert r.status_code == 401, headers
        assert r.json()["error"]["code"] == "UNAUTHORIZED"
        assert r.headers["WWW-Authenticate"] == 'Bearer realm="twofold metrics"'
        assert "twofold_http_requests_total" not in r.text
    r = srv.get("/metrics", headers={"Authorization": "Bearer " + token})
    assert r.status_code == 200 and 'status="401"' in r.text  # the refusals were counted
    assert srv.get("/healthz").status_code == 200 and srv.get("/readyz").status_code == 200  # still open
    assert token not in srv.stderr_text()
    # a secret is not taken from the command line, where ps shows it
    res = run_cli("serve", "--data", srv.data_dir, "--metrics-token", token)
    assert res.returncode != 0 and "metrics_token" in res.stderr


def test_metrics_keep_counting(server):
    def healthz_count():
        samples, _ = parse_metrics(server.get("/metrics").text)
        return samples.get(("twofold_http_requests_total",
                            frozenset({("route", "GET /healthz"), ("status", "200")})), 0)

    before = healthz_count()
    for _ in range(5):
        server.get("/healthz")
    assert healthz_count() == before + 5


def test_every_log_line_is_a_json_object_with_ts_level_and_msg(server, make_app):
    app = make_app()
    server.make_user(app, email="log@example.com")
    server.login(app, "log@example.com")
    server.login(app, "log@example.com", "wrong password")
    server.post("/v1/users", api_key=app["api_key"], data=b"{not json", headers={"Content-Type": "application/json"})
    server.get("/nowhere")
    import socket
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(b"GARBAGE\r\n\r\n")
        s.recv(100)
    server.stop()  # the stop lines too
    lines = server.log_lines()
    assert len(lines) >= 8
    for line in lines:
        assert isinstance(line, dict)
        for k in ("ts", "level", "msg"):
            assert isinstance(line.get(k), str) and line[k], line
        assert line["level"] in ("debug", "info", "warn", "error"), line
        datetime.strptime(line["ts"], "%Y-%m-%dT%H:%M:%S.%fZ")
    requests_logged = [x for x in lines if x["msg"] == "request"]
    assert any(x.get("route") == "POST /v1/login" and x.get("status") == "401" for x in requests_logged)


# ---- log hygiene ----

def full_session(srv):
    """An API session touching every secret; returns (secrets, confirmation token)."""
    created = srv.post("/v1/admin/apps", admin=True, json={"name": "Hygiene", "can_mark_email_verified": True})
    app = created.json()
    password, wrong = "hygiene passphrase 42", "wrong passphrase 43"
    u = srv.make_user(app, email="hyg@example.com", password=password, mobile="+447700900123")
    sso = srv.make_user(app, email="sso-hyg@example.com", password=None, type="sso")
    sso_token = srv.post(f"/v1/users/{sso['user_id']}/sessions", api_key=app["api_key"]).json()["token"]
    token = srv.token_for(app, "hyg@example.com", password)
    assert srv.token_alive(app, token)
    r = srv.post(f"/v1/users/{u['user_id']}/send_confirmation", api_key=app["api_key"])
    assert r.status_code == 202, r.text
    assert srv.post("/v1/logout", api_key=app["api_key"], token=token).status_code == 200
    assert srv.login(app, "hyg@example.com", wrong).status_code == 401
    assert srv.login(app, "nobody@example.com", wrong).status_code == 401
    # secrets in places they do not belong must not be echoed either
    srv.get("/v1/factors", api_key=app["api_key"], token=token)  # a dead token
    srv.post("/v1/users", api_key=app["api_key"], json={"email": password})  # a password in the email field
    srv.post("/v1/users", api_key=app["api_key"] + "x", json={"email": "x@example.com"})
    [m] = srv.wait_for_messages(1)
    conf = re.search(r"/confirm\?app=app_\w+&token=([A-Za-z0-9_\-]+)", m["text"]).group(1)
    secrets_ = {
        "password": password, "wrong password": wrong, "session token": token, "sso session token": sso_token,
        "api key": app["api_key"], "client secret": app["client_secret"], "admin token": srv.admin_token,
        "confirmation token": conf,
    }
    secrets_.update(more_secrets(srv, app, sso, u, password))
    return secrets_, conf


def more_secrets(srv, app, sso, u, password):
    """SSO, the hosted pages, a trusted device, a TOTP secret and code, backup codes and the
    Weavr face's token: more secrets of one session."""
    from sso_helpers import entry_query
    from factor_helpers import oathtool, wait_for_fresh_totp_step
    out = {}
    r = srv.post("/v1/sso/tokens", api_key=app["api_key"], json={"user_id": sso["user_id"]})
    out["sso token"] = r.json()["token"]
    sso_app = srv.post("/v1/admin/apps", admin=True, json={"name": "Hyg SSO", "redirect_uri_prefixes": ["https://p.example/"]}).json()
    sso_user = srv.make_user(sso_app, password=None, type="sso")
    t = srv.post("/v1/sso/tokens", api_key=sso_app["api_key"], json={"user_id": sso_user["user_id"]}).json()["token"]
    r = srv.http.get(srv.base_url + entry_query(sso_app, t, "/account/factors", "https://p.example/home"), allow_redirects=False)
    out["sso token 2"] = t
    out["hosted session cookie"] = r.headers["Set-Cookie"].split(";")[0].split("=", 1)[1].split(".", 1)[1]
    token = srv.token_for(app, u["email"], password)
    f = srv.post("/v1/factors", api_key=app["api_key"], token=token, json={"type": "totp"}).json()
    out["totp secret"] = f["totp"]["secret"]
    wait_for_fresh_totp_step()
    code = oathtool(f["totp"]["secret"])
    assert srv.post(f"/v1/factors/{f['factor_id']}/verify", api_key=app["api_key"], token=token, json={"code": code}).status_code == 200
    out["totp code"] = code
    ch = srv.post("/v1/challenges", api_key=app["api_key"], token=token, json={"purpose": "stepup"}).json()
    code = oathtool(f["totp"]["secret"], offset_steps=1)  # the next step: accepted, and not a replay
    v = srv.post(f"/v1/challenges/{ch['challenge_id']}/verify", api_key=app["api_key"], token=token,
                 json={"code": code, "trust_device": True}).json()
    out["device cookie"] = v["device"]["cookie"]
    b = srv.post("/v1/factors", api_key=app["api_key"], token=token, json={"type": "backup_codes"}).json()
    out["backup code"] = b["backup_codes"][0]
    w = srv.post("/multi/login_with_password", api_key=app["api_key"],
                 json={"email": u["email"], "password": {"value": password}})
    out["weavr token"] = w.json()["token"]
    return out


def test_no_secret_ever_appears_in_the_log_or_on_stdout(start_server):
    srv = start_server(args=["--delivery-echo", "off"])
    secrets_, _ = full_session(srv)
    srv.stop()
    out = srv.stdout_text() + srv.stderr_text()
    leaked = [name for name, s in secrets_.items() if s in out]
    assert not leaked, f"in the log or on stdout: {leaked}"
    # the server logged the session (the check above looked at something)
    assert sum(1 for x in srv.log_lines() if x["msg"] == "request") >= 10


def test_no_secret_is_in_the_metrics_or_the_database(start_server):
    from harness import assert_not_stored
    srv = start_server(args=["--delivery-echo", "off"])
    secrets_, _ = full_session(srv)
    metrics = srv.get("/metrics").text
    leaked = [name for name, s in secrets_.items() if s in metrics]
    assert not leaked, f"in /metrics: {leaked}"
    srv.stop()  # the database files as they rest
    for name, s in secrets_.items():
        assert_not_stored(srv, s, name)


def test_with_delivery_echo_the_confirmation_token_is_only_in_dev_delivery_lines(start_server):
    srv = start_server(args=["--delivery-echo", "on"])
    secrets_, conf = full_session(srv)
    # the echo is written after the file: wait for it
    import time
    deadline = time.monotonic() + 5
    while conf not in srv.stderr_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    srv.stop()
    lines = srv.log_lines()
    carrying = [x for x in lines if any(conf in str(v) for v in x.values())]
    assert carrying, "delivery echo is on but the message was not printed"
    assert all(x.get("kind") == "dev_delivery" for x in carrying), carrying
    assert conf not in srv.stdout_text()
    others = {k: v for k, v in secrets_.items() if k != "confirmation token"}
    out = srv.stdout_text() + srv.stderr_text()
    leaked = [name for name, s in others.items() if s in out]
    assert not leaked, f"in the log or on stdout: {leaked}"


@pytest.mark.parametrize("level,expect_info", [("warn", False), ("info", True)])
def test_the_log_level_setting_filters_lines(start_server, level, expect_info):
    srv = start_server(args=["--log-level", level])
    srv.get("/healthz")
    srv.stop()
    levels = {x["level"] for x in srv.log_lines()}
    assert ("info" in levels) == expect_info, levels

