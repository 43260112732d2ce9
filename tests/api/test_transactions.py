"""PSD2 transaction authentication (issue 7, SPEC section 4, RTS art. 5, 10, 13-16, 21):
dynamic linking of the code and the authorisation to amount, currency and payee; authorize
with operation payment; the exemptions and their ledger; purposes kept apart (a transaction
approval never steps the account up, an account step-up never authorises a payment)."""
import hashlib
import re
import time

import pytest

from display_text import ACCEPTED, REFUSED
from factor_helpers import CODE_RE, User, enrol_sms, sms_codes
from harness import assert_error, assert_error_shape
from test_push import Device, enrolled

JANE = {"name": "Jane's Shop", "account": "DE89 3704 0044 0532 0130 00"}


def tx(amount, currency="EUR", payee=JANE, **flags):
    return {"amount": amount, "currency": currency, "payee": dict(payee), **flags}


def expected_hash(t):
    """The canonical encoding (docs/transactions.md), computed here independently."""
    account = t["payee"]["account"].replace(" ", "").upper()
    text = f"twofold-transaction-v1\n{t['amount']}\n{t['currency']}\n{t['payee']['name']}\n{account}"
    return hashlib.sha256(text.encode()).hexdigest()


def sms_user(server, app=None, phone="+447700900100"):
    user = User(server, app or server.make_app(name="Acme Pay"))
    f = enrol_sms(user, phone)
    user.relogin()  # a fresh session: its own send spacing and count
    return user, f


def sandbox_user(server, **app_settings):
    """A sandbox user with an active SMS factor: sandbox sends nothing and accepts 123456."""
    user = User(server, server.make_app(sandbox=True, **app_settings))
    f = user.post("/v1/factors", json={"type": "sms", "phone": "+447700900199"}).json()
    assert user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": "123456"}).status_code == 200
    return user, f


def tx_challenge(user, t, **kw):
    r = user.post("/v1/challenges", json={"purpose": "transaction", "transaction": t, **kw})
    assert r.status_code == 201, r.text
    return r.json()


def approve(user, t):
    """A verified transaction challenge (on a fresh session, so no send rule interferes); its authorisation."""
    user.relogin()
    ch = tx_challenge(user, t)
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": "123456"})
    assert r.status_code == 200, r.text
    return r.json()["authorization"]


def authorize(user, t, **kw):
    r = user.server.post("/v1/authorize", api_key=user.app["api_key"],
                         json={"user_id": user.user["user_id"], "operation": "payment", "transaction": t, **kw})
    assert r.status_code == 200, r.text
    return r.json()


def test_the_sms_shows_amount_and_payee_and_the_code_is_bound_to_them(server):
    user, f = sms_user(server, phone="+447700900101")
    t = tx(123456)
    ch = tx_challenge(user, t)
    assert ch["purpose"] == "transaction"
    assert ch["transaction"]["transaction_hash"] == expected_hash(t)
    assert ch["transaction"]["amount_text"] == "EUR 1,234.56"
    assert ch["transaction"]["payee"]["account"] == "DE89370400440532013000"
    [msg] = server.wait_for_messages(2, where=lambda m: m["to"] == "+447700900101")[1:]
    assert msg["text"].startswith("Acme Pay: to pay \u20ac1,234.56 to \"Jane's Shop\", your code is ")
    code = sms_codes(server, "+447700900101", count=2)[-1]
    # the right code for other details is a wrong code (and counts as one)
    for changed in (tx(123457), tx(123456, "GBP"), tx(123456, payee={"name": "Jane's Shop", "account": "DE00"}),
                    tx(123456, payee={"name": "Mallory", "account": JANE["account"]})):
        r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": code, "transaction": changed})
        assert_error(r, 403, "VERIFICATION_CODE_INVALID")
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": code, "transaction": t})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["authorization"]["transaction_hash"] == expected_hash(t)
    assert re.fullmatch(r"aut_[a-z0-9]+", body["authorization"]["authorization_id"])
    assert body["stepped_up_until"] is None and "device" not in body


@pytest.mark.parametrize("amount,currency,text,said", [(5000, "JPY", "JPY 5,000", "\u00a55,000"),
                                                       (1500, "BHD", "BHD 1.500", "BHD 1.500"),
                                                       (99, "EUR", "EUR 0.99", "\u20ac0.99")])
def test_amounts_are_written_in_the_currencys_own_minor_units(server, amount, currency, text, said):
    """amount_text keeps its fixed form; a message writes the amount as its language does (ICU)."""
    phone = "+4477009002" + str(amount % 100).zfill(2)
    user, f = sms_user(server, phone=phone)
    ch = tx_challenge(user, tx(amount, currency))
    assert ch["transaction"]["amount_text"] == text
    msgs = server.wait_for_messages(2, where=lambda m: m["to"] == phone)
    assert f"to pay {said} to \"Jane's Shop\", your code is" in msgs[-1]["text"]


def test_an_authorisation_allows_exactly_that_transaction_once(server):
    user, _ = sandbox_user(server)
    t = tx(50000)
    auth = approve(user, t)
    changed = authorize(user, tx(50001), authorization_id=auth["authorization_id"])
    assert changed["decision"] == "challenge_required" and changed["reason"] == "TRANSACTION_CHANGED"
    ok = authorize(user, t, authorization_id=auth["authorization_id"])
    assert ok["decision"] == "allow" and ok["reason"] == "AUTHORIZED" and ok["exemption"] is None
    assert ok["transaction_hash"] == expected_hash(t)
    again = authorize(user, t, authorization_id=auth["authorization_id"])
    assert again["decision"] == "challenge_required" and again["reason"] == "AUTHORIZATION_USED"
    unknown = authorize(user, t, authorization_id="aut_nosuchthing")
    assert unknown["reason"] == "AUTHORIZATION_UNKNOWN"
    # another user of the same application cannot spend it
    other, _ = sandbox_user(server)
    auth2 = approve(user, t)
    r = server.post("/v1/authorize", api_key=other.app["api_key"],
                    json={"user_id": other.user["user_id"], "operation": "payment", "transaction": t,
                          "authorization_id": auth2["authorization_id"]})
    assert r.json()["decision"] == "challenge_required"


def test_an_authorisation_lasts_five_minutes(start_server):
    server = start_server(args=["--payment-authorization-lifetime", "1"])
    user, _ = sandbox_user(server)
    t = tx(50000)
    auth = approve(user, t)
    time.sleep(1.2)
    late = authorize(user, t, authorization_id=auth["authorization_id"])
    assert late["decision"] == "challenge_required" and late["reason"] == "AUTHORIZATION_EXPIRED"


def test_purposes_are_kept_apart(server):
    user, f = sandbox_user(server)
    approve(user, tx(50000))
    # the session that approved a payment is not stepped up for the account
    r = server.post("/v1/authorize", api_key=user.app["api_key"], token=user.token,
                    json={"user_id": user.user["user_id"], "operation": "change_bank_account"})
    assert r.json()["reason"] == "STEP_UP_REQUIRED"
    assert_error(user.delete(f"/v1/factors/{f['factor_id']}"), 403, "STEP_UP_REQUIRED")
    # an account step-up never authorises a payment
    user.relogin()
    ch = user.post("/v1/challenges", json={"purpose": "stepup"}).json()
    assert user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": "123456"}).status_code == 200
    r = server.post("/v1/authorize", api_key=user.app["api_key"], token=user.token,
                    json={"user_id": user.user["user_id"], "operation": "payment", "transaction": tx(50000)})
    assert r.json()["decision"] == "challenge_required" and r.json()["reason"] == "SCA_REQUIRED"


def test_trusted_beneficiaries_need_sca_to_change_and_exempt_their_payments(server):
    user, _ = sandbox_user(server)
    big = tx(500000, payee={"name": "Landlord", "account": "gb33 bukb 2020 1555 5555 55"})
    assert authorize(user, big)["decision"] == "challenge_required"
    r = user.post("/v1/beneficiaries", json={"name": "Landlord", "account": "GB33BUKB20201555555555"})
    assert_error(r, 403, "STEP_UP_REQUIRED")
    ch = user.post("/v1/challenges", json={"purpose": "stepup"}).json()
    assert user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": "123456"}).status_code == 200
    r = user.post("/v1/beneficiaries", json={"name": "Landlord", "account": "GB33BUKB20201555555555"})
    assert r.status_code == 201, r.text
    ben = r.json()
    assert_error(user.post("/v1/beneficiaries", json={"name": "Again", "account": "gb33bukb20201555555555"}), 409,
                 "BENEFICIARY_EXISTS")
    assert [b["beneficiary_id"] for b in user.get("/v1/beneficiaries").json()["beneficiaries"]] == [ben["beneficiary_id"]]
    d = authorize(user, big)
    assert d["decision"] == "allow" and d["exemption"] == "trusted_beneficiary"
    user.relogin()  # not stepped up
    assert_error(user.delete(f"/v1/beneficiaries/{ben['beneficiary_id']}"), 403, "STEP_UP_REQUIRED")
    ch = user.post("/v1/challenges", json={"purpose": "stepup"}).json()
    assert user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": "123456"}).status_code == 200
    assert user.delete(f"/v1/beneficiaries/{ben['beneficiary_id']}").status_code == 200
    assert authorize(user, big)["decision"] == "challenge_required"
    # another user of the application sees none of them
    other, _ = sandbox_user(server)
    assert_error(other.delete(f"/v1/beneficiaries/{ben['beneficiary_id']}"), 403, "STEP_UP_REQUIRED")


def test_low_value_thirty_euros_and_five_payments_since_the_last_sca(server):
    user, _ = sandbox_user(server)
    assert authorize(user, tx(3001))["reason"] == "SCA_REQUIRED"
    results = [authorize(user, tx(2000)) for _ in range(6)]
    assert [r["exemption"] for r in results[:5]] == ["low_value"] * 5  # 5 payments, 100 EUR in all
    assert results[5]["decision"] == "challenge_required" and results[5]["reason"] == "LOW_VALUE_LIMIT_REACHED"
    # a successful SCA resets the counts
    approve(user, tx(2000))
    assert authorize(user, tx(3000))["exemption"] == "low_value"


def test_low_value_total_of_a_hundred_euros(server):
    user, _ = sandbox_user(server)
    assert [authorize(user, tx(2500))["exemption"] for _ in range(4)] == ["low_value"] * 4
    assert authorize(user, tx(1))["decision"] == "challenge_required"  # 100.01 EUR in total


def test_low_value_in_other_currencies_needs_a_rate(server):
    user, _ = sandbox_user(server)
    assert authorize(user, tx(1000, "GBP"))["decision"] == "challenge_required"
    rated, _ = sandbox_user(server, low_value_rates={"GBP": "1.17", "JPY": "0.0062"})
    assert rated.app["low_value_rates"] == {"GBP": "1.17", "JPY": "0.0062"}
    assert authorize(rated, tx(2500, "GBP"))["exemption"] == "low_value"  # 29.25 EUR
    assert authorize(rated, tx(2600, "GBP"))["decision"] == "challenge_required"  # 30.42 EUR
    assert authorize(rated, tx(4800, "JPY"))["exemption"] == "low_value"  # 29.76 EUR
    r = server.post("/v1/admin/apps", admin=True, json={"name": "Bad", "low_value_rates": {"GBP": 1.17}})
    assert_error(r, 400, "INVALID_FIELD")


def test_account_information_needs_an_account_sca_within_180_days(start_server):
    server = start_server(args=["--account-information-max-age", "2"])
    user, _ = sandbox_user(server)
    ais = lambda: server.post("/v1/authorize", api_key=user.app["api_key"],
                              json={"user_id": user.user["user_id"], "operation": "account_information"}).json()
    first = ais()
    assert first["decision"] == "challenge_required" and first["reason"] == "FIRST_ACCESS"
    approve(user, tx(50000))  # a transaction SCA does not count (seed 002)
    assert ais()["reason"] == "FIRST_ACCESS"
    user.relogin()
    ch = user.post("/v1/challenges", json={"purpose": "login"}).json()
    assert user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": "123456"}).status_code == 200
    ok = ais()
    assert ok["decision"] == "allow" and ok["exemption"] == "account_information"
    time.sleep(2.2)
    late = ais()
    assert late["decision"] == "challenge_required" and late["reason"] == "SCA_EXPIRED"


def test_recurring_series_and_own_accounts(server):
    user, _ = sandbox_user(server)
    rent = tx(120000, payee={"name": "Landlord", "account": "GB33BUKB20201555555555"}, recurring_series_id="rent-2027")
    first = authorize(user, rent)
    assert first["decision"] == "challenge_required" and first["reason"] == "SERIES_FIRST_PAYMENT"
    auth = approve(user, rent)
    assert authorize(user, rent, authorization_id=auth["authorization_id"])["reason"] == "AUTHORIZED"
    assert authorize(user, rent)["exemption"] == "recurring_series"
    raised = dict(rent, amount=130000)
    assert authorize(user, raised)["reason"] == "SERIES_CHANGED"
    own = authorize(user, tx(900000, own_accounts=True))
    assert own["decision"] == "allow" and own["exemption"] == "own_accounts"


def test_the_exemption_ledger_reports_counts_and_values_per_quarter(server):
    user, _ = sandbox_user(server)
    authorize(user, tx(1000))
    authorize(user, tx(2000))
    authorize(user, tx(900000, own_accounts=True))
    r = server.get("/v1/admin/exemptions", admin=True)
    assert r.status_code == 200, r.text
    body = r.json()
    assert re.fullmatch(r"20\d\dQ[1-4]", body["quarter"])
    rows = {(e["app_id"], e["exemption"]): e for e in body["exemptions"]}
    low = rows[(user.app["app_id"], "low_value")]
    assert low["count"] == 2 and low["value_eur_cents"] == 3000
    assert low["by_currency"] == [{"currency": "EUR", "count": 2, "total": 3000, "average": 1500}]
    assert rows[(user.app["app_id"], "own_accounts")]["count"] == 1
    assert server.get("/v1/admin/exemptions?quarter=2020Q1", admin=True).json()["exemptions"] == []
    assert_error(server.get("/v1/admin/exemptions?quarter=2020Q5", admin=True), 400, "INVALID_FIELD")
    assert server.get("/v1/admin/exemptions", api_key=user.app["api_key"]).status_code == 401


@pytest.mark.parametrize("bad,field", [
    ({"amount": 12.5, "currency": "EUR", "payee": JANE}, "transaction.amount"),
    ({"amount": 0, "currency": "EUR", "payee": JANE}, "transaction.amount"),
    ({"amount": 100, "currency": "XXX", "payee": JANE}, "transaction.currency"),
    ({"amount": 100, "currency": "eur", "payee": JANE}, "transaction.currency"),
    ({"amount": 100, "currency": "EUR", "payee": {"name": "A\nB", "account": "DE1"}}, "transaction.payee.name"),
    ({"amount": 100, "currency": "EUR", "payee": {"name": "A", "account": "<script>"}}, "transaction.payee.account"),
    ({"amount": 100, "currency": "EUR", "payee": {"name": "A"}}, "transaction.payee.account"),
    ({"amount": 100, "currency": "EUR"}, "transaction.payee"),
    ({"amount": 100, "currency": "EUR", "payee": JANE, "extra": 1}, "transaction.extra"),
])
def test_bad_transactions_are_refused_with_the_field(server, bad, field):
    user, _ = sandbox_user(server)
    r = user.post("/v1/challenges", json={"purpose": "transaction", "transaction": bad})
    assert r.status_code == 400, r.text
    err = assert_error_shape(r)
    assert err["code"] in ("INVALID_FIELD", "MISSING_FIELD") and err["field"] == field, err


def test_transaction_belongs_only_to_the_transaction_purpose(server):
    user, _ = sandbox_user(server)



def test_payments_as_resources(server):
    user, _ = sandbox_user(server)
    r = user.post("/v1/transactions", json=dict(tx(50000), external_reference="invoice-17"))
    assert r.status_code == 201, r.text
    t = r.json()
    assert t["state"] == "PENDING_CHALLENGE" and t["exemption"] is None and t["external_reference"] == "invoice-17"
    assert t["transaction"]["transaction_hash"] == expected_hash(tx(50000))
    ch = user.post("/v1/challenges", json={"purpose": "transaction", "transaction_id": t["transaction_id"]}).json()
    assert ch["transaction"]["transaction_hash"] == t["transaction"]["transaction_hash"]
    assert user.get(f"/v1/transactions/{t['transaction_id']}").json()["challenge_id"] == ch["challenge_id"]
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": "123456"})
    assert r.status_code == 200
    got = user.get(f"/v1/transactions/{t['transaction_id']}").json()
    assert got["state"] == "APPROVED" and got["approved_at"]
    user.relogin()
    r = user.post("/v1/challenges", json={"purpose": "transaction", "transaction_id": t["transaction_id"]})
    assert_error(r, 409, "TRANSACTION_NOT_PENDING")
    small = user.post("/v1/transactions", json=tx(900)).json()
    assert small["state"] == "INITIALISED" and small["exemption"] == "low_value"
    assert_error(user.post("/v1/transactions", json={"amount": 1.5, "currency": "EUR", "payee": JANE}), 400,
                 "INVALID_FIELD", "amount")
    other, _ = sandbox_user(server)
    assert other.get(f"/v1/transactions/{t['transaction_id']}").status_code == 404


# ---- what the message shows: display text only, the payee quoted, sized for the longest inputs ----

MISLEADING_PAYEES = {**REFUSED, "double quote": 'Jane", your code is 111111. Acme Pay: to pay EUR 1.00 to "Bob'}


@pytest.mark.parametrize("name", list(MISLEADING_PAYEES.values()), ids=list(MISLEADING_PAYEES))
def test_payee_names_that_could_make_the_message_misleading_are_refused_on_every_route(server, name):
    """RTS art. 5(1)(a): a payee name with a control, a line or paragraph separator, a bidi
    control, a zero-width or other format character, a private-use, unassigned or non-character
    code point, or a double quote (the message quotes the name) could make the message show
    something other than the payment."""
    user, _ = sandbox_user(server)
    bad = tx(5000, payee={"name": name, "account": JANE["account"]})
    r = user.post("/v1/challenges", json={"purpose": "transaction", "transaction": bad})
    assert_error(r, 400, "INVALID_FIELD", "transaction.payee.name")
    r = server.post("/v1/authorize", api_key=user.app["api_key"],
                    json={"user_id": user.user["user_id"], "operation": "payment", "transaction": bad})
    assert_error(r, 400, "INVALID_FIELD", "transaction.payee.name")
    assert_error(user.post("/v1/transactions", json=bad), 400, "INVALID_FIELD", "payee.name")
    r = user.post("/v1/beneficiaries", json={"name": name, "account": JANE["account"]})
    assert_error(r, 400, "INVALID_FIELD", "name")


def test_a_lone_surrogate_never_reaches_the_payee_name(server):
    user, _ = sandbox_user(server)
    body = ('{"purpose": "transaction", "transaction": {"amount": 100, "currency": "EUR", '
            '"payee": {"name": "Jane\\ud800Shop", "account": "DE89"}}}')
    r = user.post("/v1/challenges", data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    assert_error_shape(r)


def test_international_payee_names_are_accepted_and_shown_between_quotes(server):
    user, _ = sms_user(server, phone="+447700900150")
    for i, name in enumerate(ACCEPTED):
        user.relogin()  # a fresh session: its own send count
        ch = tx_challenge(user, tx(1000, payee={"name": name, "account": JANE["account"]}))
        assert ch["transaction"]["payee"]["name"] == name
        msg = server.wait_for_messages(2 + i, where=lambda m: m["to"] == "+447700900150")[-1]
        assert msg["text"].startswith(f'Acme Pay: to pay \u20ac10.00 to "{name}", your code is '), msg["text"]


LARGEST = 100000000000000  # the largest amount, in cents: EUR 1,000,000,000,000.00
LONG_APP_NAMES = {"cjk-app": "中" * 85, "emoji-app": "😀" * 63 + "Pay"}  # 255 bytes each, the maximum
LONG_PAYEES = {"emoji-payee": "😀" * 140, "cjk-payee": "文" * 140}  # 140 characters, the maximum: 560 and 420 bytes
VOICE_RE = re.compile(r"your code is ((?:\d, ){5}\d)\. Again: \1\. It expires in 5 minutes\.$")


def phone_code(text, channel):
    if channel == "sms":
        return CODE_RE.search(text).group(1)
    return VOICE_RE.search(text).group(1).replace(", ", "")


def phone_user(server, app, channel, phone):
    """A user with an active SMS or voice factor, signed in again (a fresh send count)."""
    user = User(server, app)
    f = user.post("/v1/factors", json={"type": channel, "phone": phone}).json()
    [msg] = server.wait_for_messages(1, where=lambda m: m["to"] == phone)
    r = user.post(f"/v1/factors/{f['factor_id']}/verify", json={"code": phone_code(msg["text"], channel)})
    assert r.status_code == 200, r.text
    user.relogin()
    return user, f


def assert_messages_are_valid_utf8(server):
    server.messages_path.read_bytes().decode("utf-8")  # strict: a character cut in half raises


@pytest.mark.parametrize("channel", ["sms", "voice", "push"])
@pytest.mark.parametrize("payee", list(LONG_PAYEES))
@pytest.mark.parametrize("app_name", list(LONG_APP_NAMES))
def test_the_longest_names_keep_the_whole_code_and_amount_on_every_channel(server, channel, payee, app_name):
    """A 255-byte application name and a 140-character payee name in 4-byte emoji or 3-byte CJK,
    with the largest amount: 201, and the message holds the whole amount and code, is valid
    UTF-8, and shows the payee shortened with an ellipsis (the application name whole); an SMS
    takes at most 4 segments."""
    name, payee_name = LONG_APP_NAMES[app_name], LONG_PAYEES[payee]
    app = server.make_app(name=name)
    assert app["name"] == name and len(name.encode()) == 255
    t = tx(LARGEST, payee={"name": payee_name, "account": JANE["account"]})
    phone = "+447700900170"
    if channel == "push":
        user, device, f = enrolled(server, address="push-long", app=app)
        ch = tx_challenge(user, t, factor_id=f["factor_id"])
        msg = server.wait_for_messages(2, where=lambda m: m["to"] == "push-long")[-1]
        m = re.fullmatch(r'(.+): approve paying €1,000,000,000,000\.00 to "(.+)…"\?', msg["text"])
        assert msg["data"]["transaction"]["payee"]["name"] == payee_name  # the device has the whole name
        answer = device.answer(ch["challenge_id"], True, ch["transaction"]["transaction_hash"])
    else:
        user, f = phone_user(server, app, channel, phone)
        ch = tx_challenge(user, t)
        msg = server.wait_for_messages(2, where=lambda m: m["to"] == phone)[-1]
        tail = (r"your code is \d{6}\. It expires in 5 minutes\." if channel == "sms"
                else r"your code is (?:\d, ){5}\d\. Again: .+\. It expires in 5 minutes\.")
        # a name shortened in an SMS ends in "..." (GSM-7 has no U+2026), on a call in "…"
        ellipsis = r"\.\.\." if channel == "sms" else "…"
        m = re.fullmatch(r'(.+): to pay €1,000,000,000,000\.00 to "(.+)' + ellipsis + '", ' + tail, msg["text"])
        answer = {"code": phone_code(msg["text"], channel)}
    assert ch["transaction"]["amount_text"] == "EUR 1,000,000,000,000.00"
    assert m, msg["text"]
    assert m.group(1) == name
    shown = m.group(2)
    assert payee_name.startswith(shown) and 0 < len(shown) < len(payee_name)
    if channel == "sms":
        assert len(msg["text"].encode("utf-16-le")) // 2 <= 4 * 67  # at most 4 segments of UCS-2
    assert_messages_are_valid_utf8(server)
    # the code (or the device's answer) in that message is the one the challenge takes
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json=answer)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("app_name,payee_name,whole", [
    ("Acme Pay", "😀" * 120, False),  # was 500 INTERNAL_ERROR: the text cut inside an emoji
    ("Acme Payments International Services Europe Ltd, 2024.", "中" * 140, True),  # was an SMS without its code
], ids=["120-emoji", "140-cjk-54-char-app"])
def test_long_multibyte_payees_never_drop_the_code(server, app_name, payee_name, whole):
    user, _ = phone_user(server, server.make_app(name=app_name), "sms", "+447700900180")
    ch = tx_challenge(user, tx(4999, payee={"name": payee_name, "account": JANE["account"]}))
    text = server.wait_for_messages(2, where=lambda m: m["to"] == "+447700900180")[-1]["text"]
    assert text.startswith(f"{app_name}: to pay \u20ac49.99 to \"")
    assert (f'to "{payee_name}", your code is ' in text) == whole
    assert whole or '...", your code is ' in text  # GSM-7 has no U+2026: an SMS shortens with "..."
    assert_messages_are_valid_utf8(server)
    r = user.post(f"/v1/challenges/{ch['challenge_id']}/verify", json={"code": phone_code(text, "sms")})
    assert r.status_code == 200, r.text
