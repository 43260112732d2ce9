"""docs/openapi.yaml against the code (make test-openapi; Redocly CLI lints it first):

- the route table (src/routes.c) and the document's operations are the same, both ways,
  leaving out the vendor faces (/multi, /v2), which the vendors' own documents describe;
- each operation's security is what its row's `who` says;
- the ErrorCode enum is src/base/errors.def's codes, and every code an operation narrows a
  response to has that response's status in errors.def;
- every route answers what every route can (413, 500, 503; its credentials' 401; for a JSON
  POST the body, idempotency-ref and its conflicts).

Uses Debian's python3-yaml only.
"""
import re
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "docs" / "openapi.yaml"
ROUTES_C = ROOT / "src" / "routes.c"
ERRORS_DEF = ROOT / "src" / "base" / "errors.def"
FACES = ("/multi", "/v2")  # the vendors' faces: their own documents
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# codes no native JSON answer carries: the hosted pages' own (HTML), the vendor faces', the
# answers to unknown paths and methods, and codes kept only for compatibility
NOT_IN_NATIVE_JSON = {
    "ROUTE_NOT_FOUND", "METHOD_NOT_ALLOWED",  # paths and methods the document does not list
    "SSO_INVALID_REQUEST", "SSO_UNKNOWN_CLIENT", "SSO_SIGNATURE_INVALID", "SSO_TOKEN_INVALID", "SSO_TOKEN_USED",
    "SSO_TOKEN_EXPIRED", "REDIRECT_NOT_ALLOWED", "PAGE_NOT_ALLOWED", "CSRF_INVALID", "HOSTED_SESSION_EXPIRED",
    "EMAIL_LINK_INVALID",  # hosted pages
    "TRANSACTION_MISMATCH",  # POST /v1/authorize answers it as reason TRANSACTION_CHANGED
    "LOGIN_LOCKED",  # the Weavr face
    "CLIENT_CLOSED_REQUEST",  # counted for a client that left while its request waited; nobody reads it
}


@lru_cache(maxsize=1)
def spec():
    return yaml.safe_load(SPEC_PATH.read_text())


def resolve(node):
    while isinstance(node, dict) and "$ref" in node:
        target = spec()
        for p in node["$ref"].lstrip("#/").split("/"):
            target = target[p.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


@lru_cache(maxsize=1)
def route_rows():
    """{(METHOD, path): (kind, auth, flags)} from the route table's rows."""
    text = ROUTES_C.read_text()
    start = text.index("const struct route routes[] = {\n") + len("const struct route routes[] = {\n")
    body = text[start:text.index("\n};", start)]
    rows = {}
    row = re.compile(r'^\s*(R|R_SLOW_IF|WP|WP_SLOW_IF|WV|PG)\("([A-Z]+)",\s*"([^"]+)",\s*(\w+)(?:,\s*([^,)]+))?(?:,\s*([^,)]+))?')
    for line in body.splitlines():
        if not line.strip() or line.strip().startswith(("/*", "*")):
            continue
        m = row.match(line)
        assert m, f"src/routes.c: a row this test cannot read: {line.strip()}"
        kind, method, path = m.group(1), m.group(2), m.group(3)
        if kind == "PG":
            auth, flags = "AUTH_NONE", m.group(5) or ""
        else:
            auth, flags = m.group(5), m.group(6) or ""
        assert (method, path) not in rows, f"src/routes.c lists {method} {path} twice"
        rows[(method, path)] = (kind, auth.strip(), flags.strip())
    assert len(rows) > 30
    return rows


def native(path):
    return not any(path == f or path.startswith(f + "/") for f in FACES)


@lru_cache(maxsize=1)
def doc_operations():
    return {(m.upper(), path): op for path, item in spec()["paths"].items() for m, op in item.items() if m in METHODS}


@lru_cache(maxsize=1)
def error_table():
    """[(code, status)] in errors.def's order, without TF_OK."""
    rows = re.findall(r'^ERR\(\s*(\w+),\s*"([A-Z0-9_]+)",\s*(\d+),', ERRORS_DEF.read_text(), re.M)
    return [(code, int(status)) for name, code, status in rows if name != "TF_OK"]


def codes_of(response):
    """The codes a JSON error response narrows Error's code to (None when it does not)."""
    schema = (resolve(response).get("content") or {}).get("application/json", {}).get("schema")
    if not schema:
        return None
    found = set()

    def walk(s):
        if isinstance(s, dict):
            code = s.get("properties", {}).get("error", {}).get("properties", {}).get("code", {})
            if "enum" in code and s.get("$ref") == "#/components/schemas/Error":
                found.update(code["enum"])
            for k in ("oneOf", "anyOf", "allOf"):
                for sub in s.get(k, []):
                    walk(sub)
    walk(schema)
    return found


NATIVE_ROUTES = sorted(k for k in route_rows() if native(k[1]))


def test_every_route_of_the_route_table_is_in_the_document():
    missing = [f"{m} {p}" for m, p in NATIVE_ROUTES if (m, p) not in doc_operations()]
    assert not missing, f"routes in src/routes.c that docs/openapi.yaml does not describe: {missing}"


def test_every_operation_of_the_document_is_a_route():
    extra = [f"{m} {p}" for m, p in doc_operations() if (m, p) not in route_rows()]
    assert not extra, f"operations in docs/openapi.yaml that src/routes.c does not register: {extra}"


def test_the_vendor_faces_are_left_to_the_vendors_documents():
    assert not [p for p in spec()["paths"] if not native(p)]
    description = spec()["info"]["description"]
    assert "/multi" in description and "/v2" in description and "vendors' own documents" in description


EXPECTED_SECURITY = {
    "AUTH_NONE": [],
    "AUTH_ADMIN": [["adminToken"]],
    "AUTH_APP": [["apiKey"]],
    "AUTH_USER": [["apiKey", "sessionToken"]],
    "AUTH_APP_USER_OPTIONAL": [["apiKey"], ["apiKey", "sessionToken"]],
}


@pytest.mark.parametrize("method,path", NATIVE_ROUTES, ids=[f"{m} {p}" for m, p in NATIVE_ROUTES])
def test_security_is_what_the_route_table_says(method, path):
    kind, auth, _ = route_rows()[(method, path)]
    op = doc_operations()[(method, path)]
    assert "security" in op, f"{method} {path}: no security"
    got = sorted(sorted(req) for req in op["security"])
    if kind == "PG":  # a page: anyone, or its own cookie session
        assert got in ([], [["hostedSession"]]), f"{method} {path}: {op['security']}"
    else:
        assert got == sorted(EXPECTED_SECURITY[auth]), f"{method} {path} is {auth}, the document says {op['security']}"


def test_the_error_code_enum_is_errors_def():
    enum = spec()["components"]["schemas"]["ErrorCode"]["enum"]
    assert enum == [code for code, _ in error_table()], "ErrorCode must list src/base/errors.def's codes in its order"


def test_every_narrowed_code_has_the_status_of_its_response():
    status_of = dict(error_table())
    wrong = []
    for (method, path), op in doc_operations().items():
        for status, response in op["responses"].items():
            for code in codes_of(response) or ():
                if status_of.get(code) != int(status):
                    wrong.append(f"{method} {path} {status}: {code} is {status_of.get(code)} in errors.def")
    assert not wrong, "\n".join(wrong)


def test_every_code_a_native_json_answer_can_carry_is_documented_somewhere():
    used = set()
    for op in doc_operations().values():
        for response in op["responses"].values():
            used |= codes_of(response) or set()
    unused = [code for code, _ in error_table() if code not in used and code not in NOT_IN_NATIVE_JSON]
    assert not unused, f"codes of errors.def that no operation answers (or add them to NOT_IN_NATIVE_JSON): {unused}"
    stale = sorted(c for c in NOT_IN_NATIVE_JSON if c in used or c not in dict(error_table()))
    assert not stale, f"NOT_IN_NATIVE_JSON names codes the document uses or errors.def lacks: {stale}"


@pytest.mark.parametrize("method,path", NATIVE_ROUTES, ids=[f"{m} {p}" for m, p in NATIVE_ROUTES])
def test_every_route_declares_what_every_route_can_answer(method, path):
    kind, auth, flags = route_rows()[(method, path)]
    op = doc_operations()[(method, path)]
    responses = op["responses"]
    assert op.get("operationId") and op.get("summary") and op.get("tags"), f"{method} {path}"
    if (method, path) != ("GET", "/session-expired"):  # that page is the 401 page
        success = ("2", "3") if kind == "PG" else ("2",)  # a page may succeed with a redirect
        assert any(s.startswith(success) for s in responses), f"{method} {path}: no success declared"
    for status in ("413", "500", "503"):  # any request: the body limit, a bug, a busy or broken store
        assert status in responses, f"{method} {path} must declare {status}"
    for status, response in responses.items():
        headers = resolve(response).get("headers") or {}
        assert "X-Request-Id" in headers, f"{method} {path} {status}: X-Request-Id not declared"
    if kind == "PG":  # HTML, the body limit's 413 too
        assert responses["413"] == {"$ref": "#/components/responses/PageError"}, f"{method} {path}"
        for status, response in responses.items():
            content = resolve(response).get("content") or {}
            # pages, their stylesheet and script; JSON only for the sign-in page's script; images
            # only for an application's logo
            allowed = ("text/html", "text/css", "text/javascript") + (
                ("application/json",) if (method, path) == ("POST", "/login/passkey/options") else ()) + (
                ("image/png", "image/svg+xml") if (method, path) == ("GET", "/assets/brand/{app_id}/{name}") else ())
            assert all(m.startswith(allowed) for m in content), f"{method} {path} {status}"
        return
    for status, response in responses.items():
        if status[0] in "45":
            assert codes_of(response), f"{method} {path} {status}: an error must name its codes"
    need_401 = {"AUTH_ADMIN": {"INVALID_ADMIN_TOKEN"}, "AUTH_APP": {"INVALID_API_KEY"},
                "AUTH_USER": {"INVALID_API_KEY", "INVALID_TOKEN"},
                "AUTH_APP_USER_OPTIONAL": {"INVALID_API_KEY", "INVALID_TOKEN"}}.get(auth)
    if need_401:
        assert need_401 <= (codes_of(responses.get("401", {})) or set()), f"{method} {path}: 401 {need_401}"
    if "J" in flags.replace("|", " ").split():
        assert {"INVALID_JSON", "INVALID_FIELD"} <= (codes_of(responses.get("400", {})) or set()), f"{method} {path}"
        assert "requestBody" in op, f"{method} {path}: a JSON body route without requestBody"
    if method == "POST":
        params = [resolve(p) for p in op.get("parameters", [])]
        assert any(p["name"] == "idempotency-ref" and p["in"] == "header" for p in params), f"{method} {path}"
        assert {"IDEMPOTENCY_IN_PROGRESS", "IDEMPOTENCY_REF_REUSED"} <= (codes_of(responses.get("409", {})) or set())
        assert "INVALID_FIELD" in (codes_of(responses.get("400", {})) or set()), f"{method} {path}: a bad idempotency-ref"


def test_path_parameters_are_the_route_patterns():
    for method, path in NATIVE_ROUTES:
        item = spec()["paths"][path]
        params = [resolve(p) for p in item.get("parameters", []) + doc_operations()[(method, path)].get("parameters", [])]
        names = sorted(p["name"] for p in params if p["in"] == "path")
        assert names == sorted(re.findall(r"\{(\w+)\}", path)), f"{method} {path}: path parameters {names}"
