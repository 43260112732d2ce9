"""The hosted pages' language (issue 25 point 2): with no user locale and no application
default, a page speaks the browser's Accept-Language when it is one of twofold's languages
(in the order of q, never one of q 0), else English; <html lang> says which. The words come from
the catalogs (po/), the dates from ICU."""
import re

from factor_helpers import sms_codes
from sso_helpers import CHALLENGE_RE, csrf_of, entry_query

HOME = "https://partner.example/home"


def challenge_url(server, phone, **user_fields):
    """An sso user with an active SMS factor entering through SSO: the challenge page's address
    (the browser, server.http, holds the hosted session)."""
    app = server.make_app(name="Acme Pay", redirect_uri_prefixes=["https://partner.example/"])
    u = server.make_user(app, password=None, type="sso", **user_fields)
    tok = server.post(f"/v1/users/{u['user_id']}/sessions", api_key=app["api_key"], json={}).json()["token"]
    f = server.post("/v1/factors", api_key=app["api_key"], token=tok, json={"type": "sms", "phone": phone}).json()
    [sms] = server.wait_for_messages(1, where=lambda m: m["to"] == phone)
    code = re.search(r"\b(\d{6})\b", sms["text"]).group(1)  # in any language
    assert server.post(f"/v1/factors/{f['factor_id']}/verify", api_key=app["api_key"], token=tok,
                       json={"code": code}).status_code == 200
    sso = server.post("/v1/sso/tokens", api_key=app["api_key"], json={"user_id": u["user_id"]}).json()["token"]
    r = server.http.get(server.base_url + entry_query(app, sso, "/account/devices", HOME), allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].startswith("/challenge?challenge_id=")
    return r.headers["Location"]


def page(server, url, accept_language):
    r = server.http.get(server.base_url + url, headers={"Accept-Language": accept_language})
    assert r.status_code == 200, r.text[:2000]
    return r.text


def lang_of(html):
    return re.search(r'<html lang="([^"]*)">', html).group(1)


def test_accept_language_german_gives_the_german_page(server):
    html = page(server, challenge_url(server, "+447700900601"), "de")
    assert lang_of(html) == "de"
    assert "Diesem Gerät 30 Tage lang vertrauen" in html
    assert ">Bestätigen</button>" in html
    assert "Trust this device for 30 days" not in html


def test_a_language_twofold_does_not_speak_or_refused_with_q0_falls_back_to_english(server):
    url = challenge_url(server, "+447700900602")
    for header in ("xx, fr;q=0", "xx", "", "de;q=0"):
        html = page(server, url, header)
        assert lang_of(html) == "en", header
        assert "Trust this device for 30 days" in html and ">Verify</button>" in html, header


def test_the_language_of_the_highest_q_wins(server):
    url = challenge_url(server, "+447700900603")
    html = page(server, url, "fr;q=0.5, de;q=0.9")
    assert lang_of(html) == "de" and "Diesem Gerät 30 Tage lang vertrauen" in html
    html = page(server, url, "de-AT;q=0.4, fr-CH;q=0.1, en;q=0.2")
    assert lang_of(html) == "de"


def test_the_error_page_speaks_the_browsers_language(server):
    r = server.http.get(server.base_url + "/account/factors", headers={"Accept-Language": "pl-PL,pl;q=0.9"},
                        allow_redirects=False)
    assert r.status_code == 401 and "HOSTED_SESSION_EXPIRED" in r.text
    assert lang_of(r.text) == "pl"


def test_trusted_devices_are_dated_as_the_language_writes_dates(server):
    phone = "+447700900604"
    url = challenge_url(server, phone)
    html = page(server, url, "en")
    code = sms_codes(server, phone, count=2)[-1]
    r = server.http.post(server.base_url + "/challenge", allow_redirects=False,
                         data={"csrf": csrf_of(html), "challenge_id": CHALLENGE_RE.search(html).group(1), "code": code,
                               "trust_device": "on", "next": "/account/devices"})
    assert r.status_code == 303, r.text[:2000]
    english = page(server, "/account/devices", "en")
    german = page(server, "/account/devices", "de")
    # ICU's writing of a date and time in UTC: "Dec 6, 2026, 11:13 PM UTC", "06.12.2026, 23:13 UTC"
    # (the exact forms are ICU's: only the language's habits are checked)
    since_en, since_de = (re.findall(r'<td data-label="[^"]*">([^<]*)</td>', html)[2] for html in (english, german))
    assert re.search(r"[A-Z][a-z]{2} \d{1,2}, \d{4}", since_en) and since_en.endswith("UTC"), since_en
    assert re.search(r"\d{1,2}\. ?[A-Za-zä]+\.? \d{4}|\d{2}\.\d{2}\.\d{4}", since_de) and "UTC" in since_de, since_de
    assert not re.search(r"\d{4}-\d\d-\d\d", english + german)


def test_the_applications_default_locale_comes_before_the_browsers_language(server):
    app = server.make_app(name="Acme Pay", redirect_uri_prefixes=["https://partner.example/"], default_locale="de-AT")
    r = server.http.get(f"{server.base_url}/login?client_id={app['client_id']}", headers={"Accept-Language": "fr"})
    assert r.status_code == 200 and lang_of(r.text) == "de"
    app = server.make_app(name="Acme Pay", redirect_uri_prefixes=["https://partner.example/"], default_locale="ja")
    r = server.http.get(f"{server.base_url}/login?client_id={app['client_id']}", headers={"Accept-Language": "nl"})
    assert r.status_code == 200 and lang_of(r.text) == "nl"  # a language twofold does not speak falls through


def test_the_confirmation_page_speaks_the_users_locale(server):
    app = server.make_app(name="Acme Pay", redirect_uri_prefixes=["https://partner.example/"])
    u = server.make_user(app, password=None)
    r = server.request("PATCH", f"/v1/users/{u['user_id']}", api_key=app["api_key"], json={"locale": "it-IT"})
    assert r.status_code == 200, r.text
    before = len(server.messages())
    assert server.post(f"/v1/users/{u['user_id']}/send_confirmation", api_key=app["api_key"]).status_code == 202
    link = re.search(r"http://\S+/confirm\?app=\w+&token=[A-Za-z0-9_\-]+", server.wait_for_messages(before + 1)[-1]["text"])
    r = server.http.get(link.group(0), headers={"Accept-Language": "de"})
    assert r.status_code == 200 and lang_of(r.text) == "it"


def test_a_signed_in_users_locale_comes_before_the_browsers_language(server):
    """The user's own locale wins over Accept-Language on every page of its hosted session, and
    so do the words of its SMS: the challenge page in Polish with a browser asking for German."""
    url = challenge_url(server, "+447700900609", locale="pl-PL")
    html = page(server, url, "de")
    assert lang_of(html) == "pl"
    assert "Diesem Gerät 30 Tage lang vertrauen" not in html and "Trust this device for 30 days" not in html
    [sms] = [m for m in server.messages() if m["to"] == "+447700900609"][-1:]
    assert sms["language"] == "pl-PL"
