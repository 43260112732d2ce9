"""What docs/openapi.yaml declares of every route, tried on every route the document lists:
the credentials' 401, the body limit, a body that is not a JSON object, a bad or reused
idempotency-ref, and the hosted pages without a session. The operations come from the
document itself; each answer is also validated against its schema as it arrives
(openapi_check.py, through the harness)."""
import re

import pytest

import openapi_check
from harness import assert_error

BODY_MAX = 64 * 1024


def security_names(op):
    return {name for req in op.get("security", []) for name in req}


def is_page(op):
    return "hosted pages" in op.get("tags", [])


def takes_json(op):
    return "application/json" in (openapi_check._resolve(op.get("requestBody") or {}).get("content") or {})


def concrete(template):
    return re.sub(r"\{[^}]+\}", "unknown_0", template)


OPS = [(m, t, op) for m, t, _, op in openapi_check.operations()]
NATIVE = [(m, t, op) for m, t, op in OPS if not is_page(op)]
SECURED = [(m, t, op) for m, t, op in NATIVE if security_names(op)]
USER_ROUTES = [(m, t, op) for m, t, op in SECURED if "sessionToken" in security_names(op)]
POSTS = [(m, t, op) for m, t, op in NATIVE if m == "POST"]
JSON_POSTS = [(m, t, op) for m, t, op in POSTS if takes_json(op)]
SESSION_PAGES = [(m, t, op) for m, t, op in OPS if is_page(op) and "hostedSession" in security_names(op)]


def ids(ops):
    return [f"{m} {t}" for m, t, _ in ops]


@pytest.fixture(scope="module")
def world(shared_server):
    app = shared_server.make_app()
    user = shared_server.make_user(app)
    return {"server": shared_server, "app": app, "user": user}


def credentials(world, op):
    """Valid credentials for op: the admin token, the api-key, a fresh session token."""
    names = security_names(op)
    srv, app = world["server"], world["app"]
    kw = {}
    if "adminToken" in names:
        kw["admin"] = True
    if "apiKey" in names:
        kw["api_key"] = app["api_key"]
    if "sessionToken" in names:
        kw["token"] = srv.token_for(app, world["user"]["email"])
    return kw


def documented_codes(op, status):
    schema = openapi_check._resolve(op["responses"][status])["content"]["application/json"]["schema"]
    return set(schema["properties"]["error"]["properties"]["code"]["enum"])


@pytest.mark.parametrize("method,template,op", SECURED, ids=ids(SECURED))
def test_without_credentials_the_answer_is_the_documented_401(world, method, template, op):
    r = world["server"].request(method, concrete(template))
    err = assert_error(r, 401, r.json()["error"]["code"])
    assert err["code"] in documented_codes(op, "401")
    if "apiKey" in security_names(op):
        r = world["server"].request(method, concrete(template), api_key="tfk_not_a_key")
        assert_error(r, 401, "INVALID_API_KEY")
    if "adminToken" in security_names(op):
        r = world["server"].request(method, concrete(template), token="tfa_not_the_token")
        assert_error(r, 401, "INVALID_ADMIN_TOKEN")


@pytest.mark.parametrize("method,template,op", USER_ROUTES, ids=ids(USER_ROUTES))
def test_a_missing_or_unknown_session_token_is_401_invalid_token(world, method, template, op):
    srv, key = world["server"], world["app"]["api_key"]
    token_optional = {"apiKey": []} in op["security"]  # POST /v1/authorize: only a wrong token is refused
    if not token_optional:
        assert_error(srv.request(method, concrete(template), api_key=key), 401, "INVALID_TOKEN")
    assert_error(srv.request(method, concrete(template), api_key=key, token="tfs_not_a_token"), 401, "INVALID_TOKEN")


@pytest.mark.parametrize("method,template,op", OPS, ids=ids(OPS))
def test_a_body_over_64_kib_is_413_on_every_route(world, method, template, op):
    """The hosted pages too: the limit answers before any route runs, in the route's own shape
    (an HTML error page naming the code for a page)."""
    r = world["server"].request(method, concrete(template), data=b"x" * (BODY_MAX + 1),
                                headers={"Content-Type": "application/json"}, **credentials(world, op))
    if r.headers.get("Content-Type", "").startswith("text/html"):
        assert r.status_code == 413 and "BODY_TOO_LARGE" in r.text
    else:
        assert_error(r, 413, "BODY_TOO_LARGE")


@pytest.mark.parametrize("method,template,op", JSON_POSTS, ids=ids(JSON_POSTS))
def test_a_body_that_is_not_a_json_object_is_400_invalid_json(world, method, template, op):
    r = world["server"].request(method, concrete(template), data=b"[]", headers={"Content-Type": "application/json"},
                                **credentials(world, op))
    assert_error(r, 400, "INVALID_JSON")


@pytest.mark.parametrize("method,template,op", POSTS, ids=ids(POSTS))
def test_a_bad_idempotency_ref_is_400_naming_the_header(world, method, template, op):
    r = world["server"].request(method, concrete(template), json={}, headers={"idempotency-ref": "r" * 256},
                                **credentials(world, op))
    assert_error(r, 400, "INVALID_FIELD", field="idempotency-ref")


@pytest.mark.parametrize("method,template,op", POSTS, ids=ids(POSTS))
def test_an_idempotency_ref_reused_for_another_body_is_409_and_the_first_answer_replays(world, method, template, op):
    """The first request is refused for an unknown field before it does anything; that answer
    is recorded like any other below 500."""
    srv, creds = world["server"], credentials(world, op)
    ref = {"idempotency-ref": f"openapi-{method}-{template}"}
    first = srv.request(method, concrete(template), json={"zz_unknown": 1}, headers=ref, **creds)
    assert_error(first, 400, "INVALID_FIELD", field="zz_unknown")
    assert_error(srv.request(method, concrete(template), json={"zz_other": 1}, headers=ref, **creds), 409,
                 "IDEMPOTENCY_REF_REUSED")
    again = srv.request(method, concrete(template), json={"zz_unknown": 1}, headers=ref, **creds)
    assert again.status_code == 400 and again.headers.get("Idempotent-Replayed") == "true", again.text
    assert again.json() == first.json()


@pytest.mark.parametrize("method,template,op", SESSION_PAGES, ids=ids(SESSION_PAGES))
def test_a_session_page_without_a_session_is_the_401_page(world, method, template, op):
    r = world["server"].request(method, concrete(template), data={"csrf": "0" * 32}, allow_redirects=False)
    assert r.status_code == 401, r.text
    assert r.headers["Content-Type"].startswith("text/html")
    assert "HOSTED_SESSION_EXPIRED" in r.text


def test_the_pages_that_need_no_session(world):
    srv, app = world["server"], world["app"]
    css = srv.get("/assets/style.css")
    assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")
    assert srv.get("/assets/nothing.css").status_code == 404
    assert srv.get("/session-expired").status_code == 401
    assert srv.get("/login").status_code == 400
    assert srv.get("/login?client_id=cli_unknown").status_code == 401
    assert srv.get(f"/login?client_id={app['client_id']}").status_code == 200
    assert srv.get("/link?client_id=cli_unknown&next=/account").status_code == 401
    assert srv.get("/confirm?app=app_unknown&token=tfe_unknown").status_code == 410
