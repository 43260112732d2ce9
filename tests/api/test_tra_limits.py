"""The transaction risk analysis exemption at its edges (issue 26, RTS art. 18 to 21;
docs/transactions.md): its settings and the risk signals are checked; its limits hold with many
requests at once (the velocity rule, one fraud report per payment, a cancellation against a
report); payments and reports belong to their application; every allowed payment becomes a
remote payment; cancelled or reported payments move the rate that the next decision reads.
The deterministic replay of three quarters is tests/api/test_tra.py."""
import datetime
import time

from factor_helpers import User
from harness import assert_error
from test_challenges import at_once
from test_transactions import approve, sandbox_user

DAY = 86_400_000
IBAN = "DE89370400440532013000"


def iso(ms):
    return datetime.datetime.fromtimestamp(ms // 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_ms():
    return int(time.time() * 1000)


def payment(amount, account=IBAN, **risk):
    t = {"amount": amount, "currency": "EUR", "payee": {"name": "Jane's Shop", "account": account}}
    if risk:
        t["risk"] = risk
    return t


def importing(server, app, items):
    r = server.post("/v1/payments/import", api_key=app["api_key"], json={"payments": items})
    assert r.status_code == 201, r.text
    return r.json()["payment_ids"]


def known_payer(server, app, count=10, amount=5000, days_ago=20):
    """A user whose imported history makes a usual payment low-risk: count payments of amount
    to IBAN from device dev-1 in DE, the first days_ago days ago."""
    user = server.make_user(app)
    items = [{"user_id": user["user_id"], "amount": amount, "currency": "EUR", "payee_account": IBAN,
              "executed_at": iso(now_ms() - (days_ago - i) * DAY - 3_600_000), "risk": {"payer_country": "DE", "device_id": "dev-1"}}
             for i in range(count)]
    return user, importing(server, app, items)


def authorize(server, app, user, t):
    r = server.post("/v1/authorize", api_key=app["api_key"],
                    json={"user_id": user["user_id"], "operation": "payment", "transaction": t})
    assert r.status_code == 200, r.text
    return r.json()


def test_the_settings_are_checked_and_shown(server):
    for bad in [{"enabled": "yes"}, {"enabled": True, "types": ["sepa"]}, {"enabled": True, "types": ["card", "card"]},
                {"enabled": True, "high_risk_countries": ["de"]}, {"enabled": True, "other": 1}, [True]]:
        r = server.post("/v1/admin/apps", admin=True, json={"name": "Acme", "tra": bad})
        assert_error(r, 400, "INVALID_FIELD")
        assert r.json()["error"]["field"] == "tra"
    app = server.make_app(tra={"enabled": True, "high_risk_countries": ["KP"]})
    assert app["tra"] == {"enabled": True, "types": ["credit_transfer", "card"], "high_risk_countries": ["KP"]}
    r = server.request("PATCH", f"/v1/admin/apps/{app['app_id']}", admin=True, json={"tra": {"enabled": True, "types": ["card"]}})
    assert r.status_code == 200 and r.json()["tra"]["types"] == ["card"]
    # a credit transfer is not tried any more: no risk, no tra in the answer
    user, _ = known_payer(server, app)
    d = authorize(server, app, user, payment(8000, payer_country="DE", device_id="dev-1"))
    assert (d["decision"], d["risk"], d["tra"]) == ("challenge_required", None, None)
    r = server.request("PATCH", f"/v1/admin/apps/{app['app_id']}", admin=True, json={"tra": None})
    assert r.json()["tra"] == {"enabled": False, "types": [], "high_risk_countries": []}


def test_the_risk_signals_are_checked(server):
    app = server.make_app(tra={"enabled": True})
    user = server.make_user(app)
    for risk, field in [({"payer_country": "de"}, "transaction.risk.payer_country"),
                        ({"payee_country": "DEU"}, "transaction.risk.payee_country"),
                        ({"client_ip": "300.1.1.1"}, "transaction.risk.client_ip"),
                        ({"device_id": "x" * 129}, "transaction.risk.device_id"),
                        ({"device_id": "a\nb"}, "transaction.risk.device_id"),
                        ({"malware": "no"}, "transaction.risk.malware"),
                        ({"where": "here"}, "transaction.risk")]:
        r = server.post("/v1/authorize", api_key=app["api_key"],
                        json={"user_id": user["user_id"], "operation": "payment", "transaction": payment(100, **risk)})
        assert_error(r, 400, "INVALID_FIELD")
        assert r.json()["error"]["field"] == field
    t = payment(100)
    t["type"] = "wire"
    r = server.post("/v1/authorize", api_key=app["api_key"],
                    json={"user_id": user["user_id"], "operation": "payment", "transaction": t})
    assert r.json()["error"]["field"] == "transaction.type"


def test_a_known_payer_is_exempt_and_an_unknown_device_or_payee_is_not(server):
    app = server.make_app(tra={"enabled": True})
    user, _ = known_payer(server, app)
    d = authorize(server, app, user, payment(8000, payer_country="DE", device_id="dev-1", client_ip="203.0.113.7"))
    assert (d["decision"], d["exemption"]) == ("allow", "transaction_risk_analysis"), d
    assert d["risk"] == {"level": "low", "reasons": []}
    assert d["tra"] == {"applied": True, "band": 500, "reference_rate_ppm": 50, "rate_ppm": 0, "refusal": None}
    p = server.get(f"/v1/payments/{d['payment_id']}", api_key=app["api_key"]).json()
    assert (p["authentication"], p["exemption"], p["band"], p["eur_cents"], p["status"]) == (
        "exemption", "transaction_risk_analysis", 500, 8000, "executed")
    d = authorize(server, app, user, payment(8000, payer_country="FR", device_id="dev-2"))
    assert d["decision"] == "challenge_required" and d["payment_id"] is None
    assert d["risk"]["reasons"] == ["new_device", "location_abnormal"]
    assert d["tra"]["refusal"] == "risk"
    d = authorize(server, app, user, payment(8000, account="GB29NWBK60161331926819", payer_country="DE", device_id="dev-1"))
    assert d["risk"]["reasons"] == ["new_payee_high_amount"]
    d = authorize(server, app, user, payment(60000, payer_country="DE", device_id="dev-1"))
    assert d["tra"]["refusal"] == "amount"  # over 500 EUR: no band, whatever the risk
    d = authorize(server, app, user, payment(8000, payer_country="DE", device_id="dev-1", malware=True))
    assert d["risk"]["reasons"] == ["known_fraud_pattern"]


def test_a_payment_with_sca_is_a_remote_payment_too(server):
    user, _ = sandbox_user(server, tra={"enabled": True})
    t = payment(12345)
    d = authorize(server, user.app, user.user, t)
    assert d["decision"] == "challenge_required" and d["tra"]["refusal"] == "no_rate"  # nothing paid yet: no rate
    r = user.server.post("/v1/authorize", api_key=user.app["api_key"],
                         json={"user_id": user.user["user_id"], "operation": "payment", "transaction": t,
                               "authorization_id": approve(user, t)["authorization_id"]})
    d = r.json()
    assert (d["decision"], d["reason"], d["risk"], d["tra"]) == ("allow", "AUTHORIZED", None, None)
    p = server.get(f"/v1/payments/{d['payment_id']}", api_key=user.app["api_key"]).json()
    assert (p["authentication"], p["exemption"], p["band"], p["eur_cents"], p["user_id"]) == (
        "sca", None, None, 12345, user.user["user_id"])


def test_the_velocity_rule_holds_when_many_payments_arrive_at_once(server):
    """More than 3 payments of a payer in an hour is a risk: of 8 sent together, at most 3 are
    exempt (each decision counts the payments the others made, under the payer's lock)."""
    app = server.make_app(tra={"enabled": True})
    user, _ = known_payer(server, app, count=20, amount=20000)  # 40 EUR three times stays under 2 x 200 EUR a day
    t = payment(4000, payer_country="DE", device_id="dev-1")
    answers = at_once([lambda: server.post("/v1/authorize", api_key=app["api_key"],
                                           json={"user_id": user["user_id"], "operation": "payment", "transaction": t})] * 8)
    decisions = [a.json() for a in answers]
    exempt = [d for d in decisions if d["exemption"] == "transaction_risk_analysis"]
    assert len(exempt) == 3, decisions
    assert all("velocity" in d["risk"]["reasons"] for d in decisions if d not in exempt)
    report = server.get("/v1/admin/tra", admin=True).json()
    mine = next(a for a in report["applications"] if a["app_id"] == app["app_id"])["types"][0]
    tra = [b for b in mine["by_authentication"] if b["exemption"] == "transaction_risk_analysis"]
    assert sum(b["count"] for b in tra) == 3


def test_one_fraud_report_per_payment_and_never_for_a_cancelled_one(server):
    app = server.make_app(tra={"enabled": True})
    user, ids = known_payer(server, app, count=4)
    report = {"payment_id": ids[0], "kind": "unauthorised"}
    answers = at_once([lambda: server.post("/v1/fraud_reports", api_key=app["api_key"], json=report)] * 6)
    assert sorted(a.status_code for a in answers) == [200] * 5 + [201]
    assert len({a.json()["recorded_at"] for a in answers}) == 1  # the first report, each time
    again = server.post("/v1/fraud_reports", api_key=app["api_key"], json={**report, "kind": "manipulated_payer"})
    assert again.status_code == 200 and again.json()["kind"] == "unauthorised"
    assert_error(server.post(f"/v1/payments/{ids[0]}/cancel", api_key=app["api_key"]), 409, "STATE_CONFLICT")
    # a cancellation and a report at once: exactly one stands, and the figures agree with it
    cancel = lambda: server.post(f"/v1/payments/{ids[1]}/cancel", api_key=app["api_key"])
    fraud = lambda: server.post("/v1/fraud_reports", api_key=app["api_key"], json={"payment_id": ids[1], "kind": "unauthorised"})
    answers = at_once([cancel, fraud] * 4)
    p = server.get(f"/v1/payments/{ids[1]}", api_key=app["api_key"]).json()
    if p["status"] == "cancelled":
        assert p["fraud_report"] is None and all(a.status_code in (200, 409) for a in answers)
    else:
        assert p["fraud_report"]["kind"] == "unauthorised"
    assert_error(server.post("/v1/fraud_reports", api_key=app["api_key"],
                             json={"payment_id": ids[2], "kind": "unauthorised", "reported_at": iso(now_ms() + DAY)}),
                 400, "INVALID_FIELD")
    assert server.post(f"/v1/payments/{ids[2]}/cancel", api_key=app["api_key"]).json()["status"] == "cancelled"
    assert_error(server.post("/v1/fraud_reports", api_key=app["api_key"], json={"payment_id": ids[2], "kind": "unauthorised"}),
                 409, "STATE_CONFLICT")
    listed = server.get("/v1/fraud_reports", api_key=app["api_key"]).json()["fraud_reports"]
    expected = 2 if p["status"] != "cancelled" else 1
    assert len(listed) == expected
    mine = next(a for a in server.get("/v1/admin/tra", admin=True).json()["applications"] if a["app_id"] == app["app_id"])
    figures = mine["types"][0]
    assert figures["fraud_count"] == expected
    assert figures["count"] == 4 - 1 - (p["status"] == "cancelled")


def test_payments_and_reports_belong_to_their_application(server):
    app, other = server.make_app(tra={"enabled": True}), server.make_app()
    _, ids = known_payer(server, app, count=1)
    assert_error(server.get(f"/v1/payments/{ids[0]}", api_key=other["api_key"]), 404, "NOT_FOUND")
    assert_error(server.post(f"/v1/payments/{ids[0]}/cancel", api_key=other["api_key"]), 404, "NOT_FOUND")
    assert_error(server.post("/v1/fraud_reports", api_key=other["api_key"], json={"payment_id": ids[0], "kind": "unauthorised"}),
                 404, "NOT_FOUND")
    assert server.get("/v1/fraud_reports", api_key=other["api_key"]).json()["fraud_reports"] == []
    stranger = server.make_user(other)
    r = server.post("/v1/payments/import", api_key=app["api_key"], json={"payments": [
        {"user_id": stranger["user_id"], "amount": 100, "currency": "EUR", "executed_at": iso(now_ms() - DAY)}]})
    assert_error(r, 400, "INVALID_FIELD")
    assert r.json()["error"]["field"] == "payments[0].user_id"


def test_the_rate_a_decision_reads_follows_cancellations_and_reports(server):
    app = server.make_app(tra={"enabled": True})
    user, ids = known_payer(server, app, count=10, amount=100_000)  # 10 x 1,000 EUR
    t = payment(20000, payer_country="DE", device_id="dev-1")
    assert authorize(server, app, user, t)["tra"]["rate_ppm"] == 0
    server.post("/v1/fraud_reports", api_key=app["api_key"], json={"payment_id": ids[0], "kind": "unauthorised"})
    # 1,000 EUR of fraud in 10,200 EUR paid: 98,040 ppm rounded up; over every reference
    d = authorize(server, app, user, t)
    assert (d["tra"]["rate_ppm"], d["tra"]["refusal"]) == (-(-100_000 * 10**6 // 1_020_000), "rate")
    server.post(f"/v1/payments/{ids[1]}/cancel", api_key=app["api_key"])  # 9,200 EUR paid now
    assert authorize(server, app, user, t)["tra"]["rate_ppm"] == -(-100_000 * 10**6 // 920_000)


def test_import_is_checked_item_by_item_and_all_or_nothing(server):
    app = server.make_app()
    user = server.make_user(app)
    good = {"user_id": user["user_id"], "amount": 100, "currency": "EUR", "executed_at": iso(now_ms() - DAY)}
    for item, field in [({**good, "executed_at": iso(now_ms() + DAY)}, "payments[1].executed_at"),
                        ({**good, "executed_at": "yesterday"}, "payments[1].executed_at"),
                        ({**good, "currency": "GBP"}, "payments[1].currency"),  # no rate to euros
                        ({**good, "exemption": "transaction_risk_analysis"}, "payments[1].band"),
                        ({**good, "exemption": "transaction_risk_analysis", "band": 100, "amount": 10001}, "payments[1].band"),
                        ({**good, "exemption": "charity"}, "payments[1].exemption"),
                        ({**good, "amount": 0}, "payments[1].amount"),
                        ({**good, "risk": {"payer_country": "Germany"}}, "payments[1].risk.payer_country")]:
        r = server.post("/v1/payments/import", api_key=app["api_key"], json={"payments": [good, item]})
        assert_error(r, 400, "INVALID_FIELD")
        assert r.json()["error"]["field"] == field
    short = {"amount": 100, "currency": "EUR", "executed_at": good["executed_at"]}
    assert_error(server.post("/v1/payments/import", api_key=app["api_key"], json={"payments": [short] * 501}),
                 400, "INVALID_FIELD")
    # nothing of any refused call was recorded
    assert all(a["app_id"] != app["app_id"] for a in server.get("/v1/admin/tra", admin=True).json()["applications"])
