"""The WePay v2 face's answers held to the JSON Schema in schemas/wepay_v2.schema.json, which
is written from what WePay's own clients read (docs/faces.md). test_face_wepay.py passes every
answer it receives through check(), so a change of shape (a renamed field, a number that
became text, a value that lost its key) fails the test that saw it."""
import json
import re
from functools import lru_cache
from pathlib import Path

import jsonschema

SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "wepay_v2.schema.json"


@lru_cache(maxsize=1)
def _schema():
    return json.loads(SCHEMA_PATH.read_text())


@lru_cache(maxsize=None)
def _validator(pointer):
    # Debian's python3-jsonschema (4.10): references resolve within the one document
    resolver = jsonschema.RefResolver(base_uri="", referrer=_schema())
    return jsonschema.Draft202012Validator({"$ref": "#" + pointer}, resolver=resolver)


def call_name(path):
    """'/v2//user/mfa/create' -> 'user/mfa/create': the call as WePay's SDKs name it."""
    return re.sub("/+", "/", path.split("?", 1)[0]).strip("/").removeprefix("v2/")


def check(call, resp):
    """Asserts that resp, the face's answer to call, has the shape the schema gives it."""
    body = resp.json()
    if resp.status_code >= 400:
        pointer = "/$defs/error"
    else:
        assert resp.status_code == 200, (call, resp.status_code, resp.text)
        name = call_name(call)
        assert name in _schema()["calls"], f"no schema for the WePay call {name}"
        pointer = "/calls/" + name.replace("~", "~0").replace("/", "~1")
    errors = sorted(_validator(pointer).iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, f"{call} {resp.status_code}: " + "; ".join(
        f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}" for e in errors[:5])
    if resp.status_code == 200 and call_name(call) == "user/mfa/create":
        # challenge_data is keyed by the factor's own type
        assert body["type"] in body["challenge_data"], body
    return body
