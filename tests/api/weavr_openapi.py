"""Validates the Weavr face's answers against Weavr's own published OpenAPI document
(../shared/reference/weavr-multi-openapi.yml): the status must be one the vendor declares for
the path and method, and the body must match the declared schema (or be empty when the vendor
declares none). Uses Debian's python3-yaml and python3-jsonschema."""
import json
import os
import re
from functools import lru_cache
from pathlib import Path

import jsonschema
import yaml

def _spec_path():
    """../shared/reference beside the checkout (the project's layout); TWOFOLD_SHARED_DIR names
    another place for a checkout elsewhere (a CI clone in a temporary folder)."""
    candidates = [Path(__file__).resolve().parents[3] / "shared"]
    if os.environ.get("TWOFOLD_SHARED_DIR"):
        candidates.insert(0, Path(os.environ["TWOFOLD_SHARED_DIR"]))
    candidates.append(Path("/work/shared"))
    for c in candidates:
        p = c / "reference" / "weavr-multi-openapi.yml"
        if p.exists():
            return p
    raise AssertionError("Weavr's OpenAPI document (../shared/reference/weavr-multi-openapi.yml) is not there; "
                         "set TWOFOLD_SHARED_DIR to the folder that holds reference/")


SPEC_PATH = _spec_path()


@lru_cache(maxsize=1)
def spec():
    return yaml.safe_load(SPEC_PATH.read_text())


def _resolve(node):
    while isinstance(node, dict) and "$ref" in node:
        parts = node["$ref"].lstrip("#/").split("/")
        node = spec()
        for p in parts:
            node = node[p]
    return node


def _template_for(path):
    """The OpenAPI path template matching a concrete /multi path."""
    rel = path.split("?", 1)[0][len("/multi"):]
    for template in spec()["paths"]:
        pattern = "^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, rel):
            return template
    raise AssertionError(f"{rel} is not a path of Weavr's OpenAPI document")


def check(resp, method, path):
    """Asserts that resp (a requests.Response of the face) is what Weavr's document allows. A
    method the document does not list for the path must be refused 405 with Weavr's Error body
    (the document's own 405 answer)."""
    template = _template_for(path)
    if method.lower() not in spec()["paths"][template]:
        assert resp.status_code == 405, f"{method} {template} is not Weavr's, yet answered {resp.status_code}"
        assert resp.headers.get("request-ref"), f"no request-ref header on {method} {path}"
        assert (resp.headers.get("Content-Type") or "").split(";")[0] == "application/json", resp.headers
        declared = _resolve(spec()["components"]["responses"]["MethodNotAllowed"])
        schema = declared["content"]["application/json"]["schema"]
        resolver = jsonschema.RefResolver(base_uri="", referrer=spec())
        jsonschema.Draft7Validator(schema, resolver=resolver).validate(resp.json())
        return
    op = spec()["paths"][template][method.lower()]
    status = str(resp.status_code)
    # a status the operation does not list falls under its "default" answer (OpenAPI 3)
    key = status if status in op["responses"] else "default"
    assert key in op["responses"], f"{method} {template} answered {status}, which Weavr does not declare: {resp.text}"
    assert resp.headers.get("request-ref"), f"no request-ref header on {method} {path}"
    declared = _resolve(op["responses"][key])
    content = (declared or {}).get("content", {}).get("application/json")
    ctype = resp.headers.get("Content-Type")
    if not content:
        # a client that parses by content type must not be told JSON is coming
        assert resp.content in (b"",), f"{method} {template} {status} must have no body, got {resp.text!r}"
        assert ctype is None, f"{method} {template} {status} has no body but claims Content-Type {ctype!r}"
        return
    assert (ctype or "").split(";")[0].strip() == "application/json", \
        f"{method} {template} {status} declares a JSON body, but Content-Type is {ctype!r}"
    body = resp.json()
    schema = content.get("schema", {})
    resolver = jsonschema.RefResolver(base_uri="", referrer=spec())
    jsonschema.Draft7Validator(schema, resolver=resolver).validate(body)
