"""The seed vendor's SSO signer in Python (an independent implementation of
docs/sso-signer.md, checked against the vendor's published test vector), and helpers that
walk a browser-less client through GET /sso and the hosted pages."""
import hashlib
import hmac
import re
from urllib.parse import urlencode

SELF_KEY = "WePay"


def sign(client_id, client_secret, **fields):
    payload = dict(fields, client_id=client_id, client_secret=client_secret)
    scope = f"{SELF_KEY}/{client_id}/signer"
    lines = sorted(f"{k.lower()}={str(v).lower()}\n" for k, v in payload.items())
    context = "".join(lines) + "\n" + ";".join(sorted(payload))
    s2s = "\n".join(["SIGNER-HMAC-SHA512", SELF_KEY, client_id, hashlib.sha512(scope.encode()).hexdigest(),
                     hashlib.sha512(context.encode()).hexdigest()])
    k = hmac.new(client_secret.encode(), SELF_KEY.encode(), hashlib.sha512).digest()
    k = hmac.new(k, client_id.encode(), hashlib.sha512).digest()
    k = hmac.new(k, b"signer", hashlib.sha512).digest()
    return hmac.new(k, s2s.encode(), hashlib.sha512).hexdigest()


VECTOR = dict(client_id="12173158495", client_secret="1594122c5c36f438f8ba",
              token="10c936ca-5e7c-508b-9e60-b211c20be9bc", page="https://wepay.com/account/12345",
              redirect_uri="https://partnersite.com/home",
              stoken="c2de34c15cd76f797cf80781747da3874639a827a4cb79dcd862cc17b35cf2e2c721ea7d49ab9f60590d637ae0f51fd4ed8ddb551b922e0cd7e35a13b86de360")


def entry_query(app, token, page, redirect_uri, secret=None):
    """The entry URL's query, as the vendor's signer libraries build it (sorted, urlencoded)."""
    stoken = sign(app["client_id"], secret or app["client_secret"], token=token, page=page, redirect_uri=redirect_uri)
    return "/sso?" + urlencode(sorted({"client_id": app["client_id"], "page": page, "redirect_uri": redirect_uri,
                                        "stoken": stoken, "token": token}.items()))


CSRF_RE = re.compile(r'name="csrf" value="([0-9a-f]{32})"')
CHALLENGE_RE = re.compile(r'name="challenge_id" value="(chl_[A-Za-z0-9]+)"')


def csrf_of(html):
    m = CSRF_RE.search(html)
    assert m, f"no CSRF token in the page:\n{html[:2000]}"
    return m.group(1)
