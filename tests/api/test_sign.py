"""`twofold sign` (issue 6, SPEC section 7): the seed vendor's signer scheme, with its published
test vector, the entry query on the line before the stoken, and clear usage errors."""
from harness import run_cli

VECTOR = ("c2de34c15cd76f797cf80781747da3874639a827a4cb79dcd862cc17b35cf2e2"
          "c721ea7d49ab9f60590d637ae0f51fd4ed8ddb551b922e0cd7e35a13b86de360")
ARGS = ["--client-id", "12173158495", "--client-secret", "1594122c5c36f438f8ba", "--token",
        "10c936ca-5e7c-508b-9e60-b211c20be9bc", "--page", "https://wepay.com/account/12345",
        "--redirect-uri", "https://partnersite.com/home"]


def test_sign_prints_the_published_vector_on_its_last_line():
    r = run_cli("sign", *ARGS)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert lines[-1] == VECTOR
    assert lines[-2] == ("client_id=12173158495&page=https%3A%2F%2Fwepay.com%2Faccount%2F12345"
                         "&redirect_uri=https%3A%2F%2Fpartnersite.com%2Fhome&stoken=" + VECTOR +
                         "&token=10c936ca-5e7c-508b-9e60-b211c20be9bc")
    assert "1594122c5c36f438f8ba" not in r.stdout  # the secret never appears in the query


def test_a_changed_secret_changes_the_stoken():
    args = list(ARGS)
    args[3] = "1594122c5c36f438f8bb"
    assert run_cli("sign", *args).stdout.strip().splitlines()[-1] != VECTOR


def test_sign_usage_errors():
    r = run_cli("sign", "--client-id", "x")
    assert r.returncode == 2 and "usage" in r.stderr
    r = run_cli("sign", *ARGS, "--colour", "blue")
    assert r.returncode == 2 and "unknown flag" in r.stderr
