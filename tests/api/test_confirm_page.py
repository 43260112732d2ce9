"""The email confirmation page (SPEC sections 2 and 8, seed 000): the link in the confirmation
email opens a page that changes nothing until the user presses its button; a standard user
without a password chooses one there and is signed in to the hosted pages; an sso user is
thanked and sent to the application; a link works once and only for its application."""
import re
from urllib.parse import urlparse

from harness import DEFAULT_PASSWORD
from sso_helpers import csrf_of

LINK_RE = re.compile(r"(http://\S+/confirm\?app=(app_\w+)&token=([A-Za-z0-9_\-]+))")


def confirmation_link(server, app, user):
    before = len(server.messages())
    r = server.post(f"/v1/users/{user['user_id']}/send_confirmation", api_key=app["api_key"])
    assert r.status_code == 202, r.text
    m = server.wait_for_messages(before + 1)[-1]
    link = LINK_RE.search(m["text"])
    assert link and link.group(2) == app["app_id"], m["text"]
    return link.group(1)


def user_of(server, app, user_id):
    return server.get(f"/v1/users/{user_id}", api_key=app["api_key"]).json()


def form_fields(html):
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))


def test_standard_user_sets_a_password_and_is_signed_in(server):
    app = server.make_app(name="Acme Pay", redirect_uri_prefixes=["https://partner.example/"])
    u = server.make_user(app, password=None)
    link = confirmation_link(server, app, u)
    page = server.http.get(link)
    assert page.status_code == 200 and 'name="password2"' in page.text and "Acme Pay" in page.text
    assert user_of(server, app, u["user_id"])["email_verified"] is False  # opening the link changes nothing
    fields = form_fields(page.text)
    post = lambda **kw: server.http.post(server.base_url + "/confirm", data={**fields, **kw}, allow_redirects=False)
    r = post(password="short", password2="short")
    assert r.status_code == 400 and "at least 8" in r.text
    r = post(password=DEFAULT_PASSWORD, password2=DEFAULT_PASSWORD + "x")
    assert r.status_code == 400 and "not the same" in r.text
    r = server.http.post(server.base_url + "/confirm", allow_redirects=False,
                         data={**fields, "csrf": "0" * 32, "password": DEFAULT_PASSWORD, "password2": DEFAULT_PASSWORD})
    assert r.status_code == 403 and "CSRF_INVALID" in r.text
    assert user_of(server, app, u["user_id"])["email_verified"] is False
    r = post(password=DEFAULT_PASSWORD, password2=DEFAULT_PASSWORD)
    assert r.status_code == 303, r.text[:1000]
    assert r.headers["Location"] == "/account/factors"  # no factor yet: straight in
    assert r.headers["Set-Cookie"].startswith("tf_session=")
    got = user_of(server, app, u["user_id"])
    assert got["email_verified"] is True and got["has_password"] is True
    assert server.login(app, u["email"]).status_code == 201
    assert server.http.get(server.base_url + "/account/factors").status_code == 200
    # the link is used up
    again = server.http.get(link, allow_redirects=False)
    assert again.status_code == 410 and "EMAIL_LINK_INVALID" in again.text
    r = post(password=DEFAULT_PASSWORD, password2=DEFAULT_PASSWORD)
    assert r.status_code == 410


def test_sso_user_confirms_without_a_password(server):
    app = server.make_app(name="Acme Pay", sso_login_url="https://partner.example/login")
    u = server.make_user(app, password=None, type="sso")
    page = server.http.get(confirmation_link(server, app, u))
    assert page.status_code == 200 and 'name="password"' not in page.text
    assert "no password is needed" in page.text
    r = server.http.post(server.base_url + "/confirm", data=form_fields(page.text), allow_redirects=False)
    assert r.status_code == 200 and "confirmed" in r.text
    assert 'href="https://partner.example/login"' in r.text
    assert "Set-Cookie" not in r.headers
    assert user_of(server, app, u["user_id"])["email_verified"] is True


def test_user_with_a_password_just_confirms(server):
    app = server.make_app()
    u = server.make_user(app)
    page = server.http.get(confirmation_link(server, app, u))
    assert 'name="password"' not in page.text
    r = server.http.post(server.base_url + "/confirm", data=form_fields(page.text), allow_redirects=False)
    assert r.status_code == 200 and f'/login?client_id={app["client_id"]}' in r.text
    assert user_of(server, app, u["user_id"])["email_verified"] is True
    assert server.login(app, u["email"]).status_code == 201  # the password did not change


def test_a_link_is_only_good_for_its_own_application(server):
    app, other = server.make_app(), server.make_app()
    u = server.make_user(app, password=None)
    link = confirmation_link(server, app, u)
    foreign = link.replace(app["app_id"], other["app_id"])
    r = server.http.get(foreign)
    assert r.status_code == 410 and "EMAIL_LINK_INVALID" in r.text
    tampered = link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")
    assert server.http.get(tampered).status_code == 410
    assert server.http.get(link).status_code == 200  # the real one still works
