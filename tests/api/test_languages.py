"""Messages in the person's language (issue 25, point 2): a user's locale (BCP 47, set at
registration or by PATCH /v1/users/{id}), else the application's default_locale, else English;
every SMS, voice call, push and email from the catalogs, amounts written by ICU as the language
writes them with the currency's own minor units; the language travels with the message (the
webhook and development delivery show it, a Twilio voice call is read in it); bad tags refused."""
import email
import email.policy
import re

from factor_helpers import User
from harness import assert_error
from test_delivery_providers import FakeTwilio

JANE = {"name": "Jane's Shop", "account": "DE89 3704 0044 0532 0130 00"}
ENGLISH_WORDS = "your code is"


def payment(amount=4999, currency="EUR"):
    return {"purpose": "transaction", "transaction": {"amount": amount, "currency": currency, "payee": dict(JANE)}}


def phone_user(server, app, phone, **user_fields):
    """A user with an active SMS factor whose enrolment SMS arrived; returns (user, factor)."""
    user = User.__new__(User)
    user.server, user.app = server, app
    user.user = server.make_user(app, **user_fields)
    user.token = server.token_for(app, user.user["email"])
    r = user.post("/v1/factors", json={"type": "sms", "phone": phone})
    assert r.status_code == 201, r.text
    f = r.json()
    [m] = server.wait_for_messages(1, where=lambda m: m["to"] == phone)
    code = re.search(r"\b(\d{6})\b", m["text"]).group(1)
    assert user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": code}).status_code == 200
    user.relogin()
    return user, f, m


def send_payment_code(user, phone, count, **tx):
    r = user.post("/v1/challenges", json=payment(**tx))
    assert r.status_code == 201, r.text
    return user.server.wait_for_messages(count, where=lambda m: m["to"] == phone)[-1]


def test_a_users_locale_chooses_the_words_and_the_amount(server):
    app = server.make_app(name="Acme Pay")
    user, f, enrolment = phone_user(server, app, "+14155550201", locale="de-DE")
    assert user.user["locale"] == "de-DE"
    assert enrolment["language"] == "de-DE" and ENGLISH_WORDS not in enrolment["text"]
    m = send_payment_code(user, "+14155550201", 2)
    assert m["language"] == "de-DE"
    # German writes the amount 49,99 € (a plain space in an SMS, which keeps it GSM-7)
    assert "49,99 \u20ac" in m["text"] and '"Jane\'s Shop"' in m["text"] and "Acme Pay" in m["text"]
    assert re.search(r"\b\d{6}\b", m["text"]) and ENGLISH_WORDS not in m["text"]


def test_the_application_default_applies_to_users_without_a_locale_and_english_otherwise(server):
    app = server.make_app(name="Acme Pay", default_locale="fr")
    assert app["default_locale"] == "fr"
    user, _, _ = phone_user(server, app, "+14155550202")
    assert user.user["locale"] is None
    m = send_payment_code(user, "+14155550202", 2, amount=123456)
    assert m["language"] == "fr-FR" and ENGLISH_WORDS not in m["text"]
    assert "1 234,56 \u20ac" in m["text"]
    plain = server.make_app(name="Plain Pay")
    assert plain["default_locale"] is None
    user2, _, _ = phone_user(server, plain, "+14155550203", locale="sv-SE")  # a language twofold lacks
    m = send_payment_code(user2, "+14155550203", 2, amount=500000, currency="JPY")
    assert m["language"] == "en-GB"
    assert m["text"].startswith("Plain Pay: to pay \u00a5500,000 to \"Jane's Shop\", your code is ")


def test_patch_changes_the_locale_and_null_clears_it(server):
    app = server.make_app(name="Acme Pay", default_locale="it-IT")
    user, _, _ = phone_user(server, app, "+14155550204", locale="pl")
    uid = user.user["user_id"]
    m = send_payment_code(user, "+14155550204", 2, amount=1500, currency="BHD")
    assert m["language"] == "pl-PL" and "1,500 BHD" in m["text"]  # three decimals, as BHD has
    r = server.request("PATCH", f"/v1/users/{uid}", api_key=app["api_key"], json={"locale": "nl-NL"})
    assert r.status_code == 200, r.text
    assert r.json()["locale"] == "nl-NL"
    assert server.get(f"/v1/users/{uid}", api_key=app["api_key"]).json()["locale"] == "nl-NL"
    user.relogin()
    m = send_payment_code(user, "+14155550204", 3)
    assert m["language"] == "nl-NL" and "\u20ac 49,99" in m["text"]
    r = server.request("PATCH", f"/v1/users/{uid}", api_key=app["api_key"], json={"locale": None})
    assert r.status_code == 200 and r.json()["locale"] is None
    user.relogin()
    m = send_payment_code(user, "+14155550204", 4)
    assert m["language"] == "it-IT" and "49,99 \u20ac" in m["text"]


def test_bad_locales_are_refused_and_users_stay_siloed(server):
    app = server.make_app()
    for bad in ("en_US", "", "de DE", "x" * 40, "d\u00e9", 12):
        r = server.post("/v1/users", api_key=app["api_key"], json={"email": "a@example.com", "locale": bad})
        assert_error(r, 400, "INVALID_FIELD", field="locale")
    u = server.make_user(app)
    path = f"/v1/users/{u['user_id']}"
    assert_error(server.request("PATCH", path, api_key=app["api_key"], json={"locale": "en_US"}), 400, "INVALID_FIELD", "locale")
    assert_error(server.request("PATCH", path, api_key=app["api_key"], json={}), 400, "MISSING_FIELD", "locale")
    assert_error(server.request("PATCH", path, api_key=app["api_key"], json={"locale": "de", "name": "x"}), 400, "INVALID_FIELD", "name")
    other = server.make_app()
    assert_error(server.request("PATCH", path, api_key=other["api_key"], json={"locale": "de"}), 404, "NOT_FOUND")
    r = server.post("/v1/admin/apps", admin=True, json={"name": "Bad", "default_locale": "en_GB"})
    assert_error(r, 400, "INVALID_FIELD", field="default_locale")
    r = server.request("PATCH", f"/v1/admin/apps/{app['app_id']}", admin=True, json={"default_locale": "es"})
    assert r.status_code == 200 and r.json()["default_locale"] == "es"
    r = server.request("PATCH", f"/v1/admin/apps/{app['app_id']}", admin=True, json={"default_locale": None})
    assert r.status_code == 200 and r.json()["default_locale"] is None


def test_an_email_code_in_polish_is_marked_polish_and_keeps_its_amount(server):
    app = server.make_app(name="Acme Pay")
    user = User(server, app)
    r = server.request("PATCH", f"/v1/users/{user.user['user_id']}", api_key=app["api_key"], json={"locale": "pl-PL"})
    assert r.status_code == 200
    r = user.post("/v1/factors", json={"type": "email"})
    assert r.status_code == 201, r.text
    f = r.json()
    [m] = server.wait_for_messages(1, where=lambda m: m["to"] == f["email"] and m["channel"] == "email")
    code = re.search(r"\b(\d{6})\b", m["text"]).group(1)
    assert user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": code}).status_code == 200
    user.relogin()
    assert user.post("/v1/challenges", json=payment(amount=4999, currency="PLN")).status_code == 201
    m = server.wait_for_messages(2, where=lambda m: m["to"] == f["email"])[-1]
    assert m["language"] == "pl-PL"
    msg = email.message_from_string(m["mime"], policy=email.policy.default)
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert '<html lang="pl">' in html
    # the amount as Polish writes it, a no-break space keeping it on one line
    assert "49,99\u00a0z\u0142" in msg["Subject"] and "49,99\u00a0z\u0142" in text and "49,99\u00a0z\u0142" in html
    assert ENGLISH_WORDS not in text


def test_a_voice_call_is_read_in_the_users_language(start_server):
    tw = FakeTwilio()
    try:
        srv = start_server(args=["--twilio-account-sid", "AC0009", "--twilio-from", "+15005550006",
                                 "--twilio-base-url", tw.url], env={"TWOFOLD_TWILIO_AUTH_TOKEN": "tw-secret-9"})
        app = srv.make_app(name="Acme Pay", default_locale="es-ES")
        user = User(srv, app)
        assert user.post("/v1/factors", json={"type": "voice", "phone": "+34600000001"}).status_code == 201
        [(path, _, call)] = tw.wait(1)
        assert path.endswith("/Calls.json")
        m = re.fullmatch(r'<Response><Say language="es-ES">(.*)</Say></Response>', call["Twiml"], re.S)
        assert m, call["Twiml"]
        digits = re.findall(r"(?:\d, ){5}\d", m.group(1))
        assert len(digits) == 2 and digits[0] == digits[1]  # the code read twice
        assert ENGLISH_WORDS not in m.group(1)
    finally:
        tw.httpd.shutdown()
