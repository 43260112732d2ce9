"""Validates every answer of a native route against docs/openapi.yaml while the API tests run.

harness.Server installs check() as a response hook on its HTTP session, so every answer that
Server.request (and server.http) receives is checked: the status must be one the document
declares for the path and method, the declared required headers must be there, the
Content-Type must be a declared one, and a JSON body must match the declared schema (a
response without content must have no body). The vendor faces (/multi, /v2) are described by
the vendors' own documents and skipped here (weavr_openapi.py checks the Weavr face).

A mismatch raises AssertionError naming the route, in the test that caused it; mismatches
raised on another thread are also recorded, and conftest.py fails the test at teardown if
one was swallowed. TWOFOLD_OPENAPI_CHECK=0 turns the check off. Uses Debian's python3-yaml
and python3-jsonschema.
"""
import json
import os
import re
import threading
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import yaml

SPEC_PATH = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
ENABLED = os.environ.get("TWOFOLD_OPENAPI_CHECK", "1") != "0"
# the seed vendors' faces, described by the vendors' own documents
EXCLUDED_PREFIXES = ("/multi", "/v2")

_lock = threading.Lock()
failures = []  # mismatches not yet reported by conftest.py (messages)
seen = set()   # (METHOD, template, status) answered during this run


@lru_cache(maxsize=1)
def spec():
    return yaml.safe_load(SPEC_PATH.read_text())


def _pointer(parts):
    return "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _resolve(node):
    while isinstance(node, dict) and "$ref" in node:
        target = spec()
        for p in node["$ref"].lstrip("#/").split("/"):
            target = target[p.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


@lru_cache(maxsize=1)
def operations():
    """[(method, template, compiled regex, operation)], literal paths before templated ones."""
    ops = []
    for template, item in spec()["paths"].items():
        rx = re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)) + "$")
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete", "head", "options"):
                ops.append((method.upper(), template, rx, op))
    ops.sort(key=lambda o: (o[1].count("{"), o[1]))
    return ops


@lru_cache(maxsize=None)
def _validator(pointer):
    """A JSON Schema 2020-12 validator for the schema at pointer in the document ($refs resolve
    against the whole document)."""
    resolver = jsonschema.RefResolver(base_uri="", referrer=spec())
    return jsonschema.Draft202012Validator({"$ref": pointer}, resolver=resolver)


def _media_type(value):
    return ";".join(p.strip().lower() for p in (value or "").split(";") if p.strip())


def _fail(msg):
    with _lock:
        failures.append(msg)
    raise AssertionError(msg)


def _check_error_of_unmatched(resp, method, path):
    """An answer to a path and method the document does not list: the server's own 404/405
    (or 413 before any route is looked at), with the one error body."""
    expected = {404: "ROUTE_NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "BODY_TOO_LARGE"}.get(resp.status_code)
    where = f"{method} {path} (no operation in docs/openapi.yaml)"
    if expected is None:
        _fail(f"{where} answered {resp.status_code}; only 404, 405 and 413 are expected: {resp.text[:300]}")
    if expected == "METHOD_NOT_ALLOWED" and not resp.headers.get("Allow"):
        _fail(f"{where} answered 405 without an Allow header")
    try:
        body = resp.json()
    except ValueError:
        _fail(f"{where} answered {resp.status_code} with a body that is not JSON: {resp.text[:300]!r}")
    errors = list(_validator("#/components/schemas/Error").iter_errors(body))
    if errors or body["error"]["code"] != expected:
        _fail(f"{where} answered {resp.status_code}: not an Error with code {expected}: {resp.text[:300]}")


def check(resp, method, url):
    """Asserts that resp (a requests.Response of the native API or a hosted page) is what
    docs/openapi.yaml declares for method and url."""
    path = urlsplit(url).path
    if any(path == p or path.startswith(p + "/") for p in EXCLUDED_PREFIXES):
        return
    method = method.upper()
    match = None
    path_exists = False
    for m, template, rx, op in operations():
        if rx.match(path):
            path_exists = True
            if m == method:
                match = (template, op)
                break
    if match is None:
        if resp.status_code == 405 and not path_exists:
            _fail(f"{method} {path} answered 405 but docs/openapi.yaml has no operation on this path")
        _check_error_of_unmatched(resp, method, path)
        return
    template, op = match
    route = f"{method} {template}"
    status = str(resp.status_code)
    with _lock:
        seen.add((method, template, status))
    if status not in op["responses"]:
        _fail(f"{route} answered {status}, which docs/openapi.yaml does not declare for it: {resp.text[:500]}")
    declared = _resolve(op["responses"][status])
    for name, header in (declared.get("headers") or {}).items():
        header = _resolve(header)
        value = resp.headers.get(name)
        if header.get("required") and value is None:
            _fail(f"{route} {status}: header {name} is missing")
        schema = header.get("schema") or {}
        pattern = schema.get("pattern") or (r"^[0-9]+$" if schema.get("type") == "integer" else None)
        if value is not None and pattern and not re.search(pattern, value):
            _fail(f"{route} {status}: header {name}: {value!r} does not match {pattern}")
    content = declared.get("content")
    if not content:
        if resp.content:
            _fail(f"{route} {status} must have no body, got {resp.text[:300]!r}")
        return
    got = _media_type(resp.headers.get("Content-Type"))
    media = next((m for m in content if _media_type(m) == got), None)
    if media is None:
        _fail(f"{route} {status}: Content-Type {got!r} is not one of {sorted(content)}")
    if _media_type(media) != "application/json":
        return  # HTML pages, Prometheus text, stylesheets: a string
    try:
        body = resp.json()
    except ValueError:
        _fail(f"{route} {status}: the body is not JSON: {resp.text[:300]!r}")
    # the schema as the document has it, wherever the response lives (inline or a component)
    ref = op["responses"][status].get("$ref")
    base = ref.lstrip("#/").split("/") if ref else ["paths", template, method.lower(), "responses", status]
    pointer = _pointer(base + ["content", media, "schema"])
    errors = sorted(_validator(pointer).iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        detail = "; ".join(f"at {'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message[:300]}" for e in errors[:3])
        _fail(f"{route} {status}: the body does not match docs/openapi.yaml: {detail}\nbody: {json.dumps(body)[:800]}")


def response_hook(resp, *args, **kwargs):
    """requests' response hook: checks each answer (redirect hops included)."""
    if ENABLED:
        check(resp, resp.request.method, resp.request.url)
    return resp


def take_failures():
    with _lock:
        out = list(failures)
        failures.clear()
    return out


def declared_responses():
    """Every (METHOD, template, status) the document declares."""
    return {(m, t, s) for m, t, _, op in operations() for s in op["responses"]}
