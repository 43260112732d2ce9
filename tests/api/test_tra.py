"""Transaction risk analysis (issue 26, RTS art. 18 to 21) replayed over a synthetic history.

tra_history.py makes a deterministic history of ~100,000 payments of one application over the
three ended quarters before the current one and the current quarter so far, with injected fraud
and cancellations, and computes independently what twofold must answer. This file imports it
(POST /v1/payments/import, 200 per call), files the fraud reports, cancels some payments, and
checks against that reference: the quarterly evaluations (suspension and resumption, art. 20),
the art. 21 report as JSON and CSV, the event messages, and live decisions of POST
/v1/authorize (the 90-day rate, the band, the risk analysis); plus the rules of payments and
fraud reports (idempotency, conflicts, scoping, validation) and the fraud report listing.

The tests of this module share one server and one history (the module fixture `world`) and run
in file order: the evaluations happen once, quarter by quarter, and the live decisions come
after them. The phases' wall times are printed at the end of the module (pytest -s shows them);
TRA_HISTORY_COUNT changes the number of payments (default 100,000).
"""
import csv
import io
import os
import random
import re
import secrets
import time
from dataclasses import dataclass, field

import pytest

import tra_history as th
from harness import TEST_DATABASE, Server, assert_error, db_query

SEED = 26
COUNT = int(os.environ.get("TRA_HISTORY_COUNT", "100000"))
USERS = 300
IMPORT_MAX = 500  # payments per import call (docs/transactions.md), in a body of at most 64 KiB
BATCH = int(os.environ.get("TRA_IMPORT_BATCH", "200"))  # 200 of the history's payments fit in 64 KiB
IMPORT_TIMEOUT = 180
PAY_ID = re.compile(r"pay_[A-Za-z0-9]+")
# times as resp_set_time writes them everywhere in the API: UTC, whole seconds (the milliseconds
# the import was given are kept, and order the fraud reports, but are not written)
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z")


def same_time(text, ms):
    """Whether the API's time text is ms (to the second when it writes no milliseconds)."""
    if not TIME.fullmatch(text or ""):
        return False
    got = th.parse_rfc3339(text)
    return got == ms if "." in text else got == ms // 1000 * 1000
CSV_HEADER = ["quarter", "app_id", "type", "authentication", "exemption", "band", "count", "value_eur_cents",
              "average_eur_cents", "share_ppm", "fraud_count", "fraud_eur_cents", "fraud_rate_ppm"]
HIGH_RISK = ["KP"]


@dataclass
class World:
    server: Server
    app: dict
    other: dict                 # another application, with one payment of its own
    other_payment_id: str
    history: th.History
    ref: th.Reference
    reports: dict               # payment_id -> the first answer of POST /v1/fraud_reports
    timings: dict = field(default_factory=dict)

    def post(self, path, **kw):
        return self.server.post(path, api_key=self.app["api_key"], **kw)

    def get(self, path, **kw):
        return self.server.get(path, api_key=self.app["api_key"], **kw)

    def label(self, name):
        return th.quarter_label(self.history.quarters[name])


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    # the sweeper (which also evaluates ended quarters) must not run while the history is
    # imported: the test evaluates itself, quarter by quarter
    srv = Server(tmp_path_factory.mktemp("tra"), args=["--sweep-interval", "86400"]).start()
    timings = {}
    try:
        t0 = time.monotonic()
        app = srv.make_app(name="TRA replay", tra={"enabled": True, "types": ["credit_transfer", "card"],
                                                  "high_risk_countries": HIGH_RISK})
        other = srv.make_app(name="Other", tra={"enabled": True})
        user_ids = [srv.make_user(app, email=f"payer-{i:03d}-{secrets.token_hex(3)}@example.com",
                                  password=None)["user_id"] for i in range(USERS)]
        timings["apps and users"] = time.monotonic() - t0

        t0 = time.monotonic()
        now_ms = int(time.time() * 1000)
        hist = th.generate(now_ms, SEED, user_ids, COUNT)
        ref = th.Reference(hist)
        timings["generate"] = time.monotonic() - t0
        problems = ref.design_problems()
        assert not problems, f"the history misses its design: {problems}"

        t0 = time.monotonic()
        seen = set()
        for start in range(0, len(hist.payments), BATCH):
            batch = hist.payments[start:start + BATCH]
            r = srv.post("/v1/payments/import", api_key=app["api_key"],
                         json={"payments": [p.import_body() for p in batch]}, timeout=IMPORT_TIMEOUT)
            assert r.status_code == 201, f"batch at {start}: {r.status_code} {r.text[:2000]}"
            ids = r.json()["payment_ids"]
            assert len(ids) == len(batch)
            for p, pid in zip(batch, ids):
                assert PAY_ID.fullmatch(pid), pid
                p.payment_id = pid
            seen.update(ids)
        assert len(seen) == len(hist.payments), "payment ids are not unique"
        timings[f"import {len(hist.payments)}"] = time.monotonic() - t0

        t0 = time.monotonic()
        reports = {}
        for p, kind, at in hist.fraud_reports():
            r = srv.post("/v1/fraud_reports", api_key=app["api_key"],
                         json={"payment_id": p.payment_id, "kind": kind, "reported_at": th.rfc3339(at)})
            assert r.status_code == 201, r.text
            reports[p.payment_id] = r.json()
        timings[f"fraud reports {len(reports)}"] = time.monotonic() - t0

        t0 = time.monotonic()
        cancelled = [p for p in hist.payments if p.cancelled]
        for p in cancelled:
            r = srv.post(f"/v1/payments/{p.payment_id}/cancel", api_key=app["api_key"])
            assert r.status_code == 200, r.text
            assert r.json()["status"] == "cancelled" and r.json()["payment_id"] == p.payment_id
        timings[f"cancel {len(cancelled)}"] = time.monotonic() - t0

        r = srv.post("/v1/payments/import", api_key=other["api_key"], json={"payments": [
            {"type": "card", "amount": 4_200, "currency": "EUR", "executed_at": th.rfc3339(now_ms - 3 * th.DAY_MS)}]})
        assert r.status_code == 201, r.text
        w = World(srv, app, other, r.json()["payment_ids"][0], hist, ref, reports, timings)
        yield w
    finally:
        print(f"\ntest_tra.py on {TEST_DATABASE}: " + "; ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
        srv.stop()


def timed(world, name):
    class Timer:
        def __enter__(self):
            self.t0 = time.monotonic()

        def __exit__(self, *exc):
            world.timings[name] = time.monotonic() - self.t0
    return Timer()


# ---- expected shapes ----

def expected_view(p):
    return {"payment_id": p.payment_id, "user_id": p.user_id, "type": p.type, "amount": p.amount, "currency": "EUR",
            "eur_cents": p.amount, "payee_account": p.payee_account,
            "authentication": "sca" if p.exemption is None else "exemption", "exemption": p.exemption,
            "band": p.band, "status": "cancelled" if p.cancelled else "executed", "imported": p.imported}


def assert_view(view, p):
    want = expected_view(p)
    assert {k: view.get(k) for k in want} == want, view
    if p.imported:
        assert same_time(view["executed_at"], p.executed_at), (view, th.rfc3339(p.executed_at))
    else:  # executed when twofold allowed it
        assert abs(th.parse_rfc3339(view["executed_at"]) - p.executed_at) < 10_000, view
    if p.cancelled:
        assert TIME.fullmatch(view["cancelled_at"] or ""), view
    else:
        assert view["cancelled_at"] is None, view
    if p.fraud:
        fr = view["fraud_report"]
        assert fr["kind"] == p.fraud["kind"] and same_time(fr["reported_at"], p.fraud["reported_at"]), view
        assert TIME.fullmatch(fr["recorded_at"]), view
    else:
        assert view["fraud_report"] is None, view


def expected_report(p):
    return {"payment_id": p.payment_id, "user_id": p.user_id, "type": p.type, "kind": p.fraud["kind"],
            "amount": p.amount, "currency": "EUR", "eur_cents": p.amount}


def assert_report(report, p):
    want = expected_report(p)
    assert {k: report.get(k) for k in want} == want, report
    assert same_time(report["executed_at"], p.executed_at), (report, th.rfc3339(p.executed_at))
    assert same_time(report["reported_at"], p.fraud["reported_at"]), (report, th.rfc3339(p.fraud["reported_at"]))
    assert TIME.fullmatch(report["recorded_at"]), report


def assert_field_error(resp, index, name, whole_item_too=False):
    """400 naming the field of payment `index`: payments[i].x (or, whole_item_too, the item
    payments[i] itself, as an unknown key is named)"""
    assert resp.status_code == 400, f"expected 400 for payments[{index}].{name}: {resp.status_code} {resp.text}"
    err = resp.json()["error"]
    assert err["code"] in ("INVALID_FIELD", "MISSING_FIELD"), err
    fields = {f"payments[{index}].{name}"} | ({f"payments[{index}]"} if whole_item_too else set())
    assert err.get("field") in fields, err


def ours(answer_list, world):
    return [x for x in answer_list if x["app_id"] == world.app["app_id"]]


# ---- the application's setting and the imported payments ----

def test_the_application_shows_its_tra_setting(world):
    tra = world.app["tra"]
    assert tra["enabled"] is True
    assert sorted(tra["types"]) == ["card", "credit_transfer"]
    assert tra["high_risk_countries"] == HIGH_RISK
    assert sorted(world.other["tra"]["types"]) == ["card", "credit_transfer"]  # both by default
    assert world.other["tra"]["high_risk_countries"] == []


def test_imported_payments_read_back_as_imported(world):
    h = world.history
    rng = random.Random(SEED + 1)
    sample = rng.sample(h.payments, 40)
    sample += [p for p in h.payments if p.cancelled][:5] + [p for p in h.payments if p.fraud][:5]
    sample += [p for p in h.payments if p.user_id is None][:3] + [p for p in h.payments if p.omit_type][:3]
    sample += [p for p in h.payments if p.payee_account is None][:2]
    for p in sample:
        r = world.get(f"/v1/payments/{p.payment_id}")
        assert r.status_code == 200, r.text
        assert_view(r.json(), p)
    # the first fraud report's answer agrees with the view
    p = next(p for p in h.payments if p.fraud)
    assert_report(world.reports[p.payment_id], p)


# ---- fraud reports and cancellations: the rules ----

def test_fraud_reports_are_idempotent_and_guarded(world):
    h = world.history
    reported = next(p for p in h.payments if p.fraud)
    first = world.reports[reported.payment_id]
    # the same payment again, with another kind and time: 200 and the first report, unchanged
    other_kind = "manipulated_payer" if reported.fraud["kind"] == "unauthorised" else "unauthorised"
    r = world.post("/v1/fraud_reports", json={"payment_id": reported.payment_id, "kind": other_kind})
    assert r.status_code == 200, r.text
    assert r.json() == first
    # a reported payment cannot be cancelled
    assert_error(world.post(f"/v1/payments/{reported.payment_id}/cancel"), 409, "STATE_CONFLICT")
    # a cancelled payment cannot be reported; cancelling it again answers the same view
    cancelled = next(p for p in h.payments if p.cancelled)
    assert_error(world.post("/v1/fraud_reports", json={"payment_id": cancelled.payment_id, "kind": "unauthorised"}),
                 409, "STATE_CONFLICT")
    before = world.get(f"/v1/payments/{cancelled.payment_id}").json()
    again = world.post(f"/v1/payments/{cancelled.payment_id}/cancel")
    assert again.status_code == 200, again.text
    assert again.json() == before
    assert_view(before, cancelled)
    # another application's payment, and one that does not exist: 404
    theirs = world.other_payment_id
    assert_error(world.get(f"/v1/payments/{theirs}"), 404, "NOT_FOUND")
    assert_error(world.post(f"/v1/payments/{theirs}/cancel"), 404, "NOT_FOUND")
    assert_error(world.post("/v1/fraud_reports", json={"payment_id": theirs, "kind": "unauthorised"}), 404, "NOT_FOUND")
    for missing in ("pay_doesnotexist0000", "pay_" + secrets.token_hex(8)):
        assert_error(world.get(f"/v1/payments/{missing}"), 404, "NOT_FOUND")
        assert_error(world.post("/v1/fraud_reports", json={"payment_id": missing, "kind": "unauthorised"}),
                     404, "NOT_FOUND")
    # the other application's payment is still there for its owner, not cancelled
    r = world.server.get(f"/v1/payments/{theirs}", api_key=world.other["api_key"])
    assert r.status_code == 200 and r.json()["status"] == "executed", r.text
    # without the api-key: 401
    assert world.server.get(f"/v1/payments/{reported.payment_id}").status_code == 401


def test_fraud_reports_are_listed_in_order_and_filtered(world):
    h = world.history
    # another application's report never shows in ours
    r = world.server.post("/v1/fraud_reports", api_key=world.other["api_key"],
                          json={"payment_id": world.other_payment_id, "kind": "unauthorised"})
    assert r.status_code == 201, r.text
    frauds = sorted((p for p in h.payments if p.fraud),
                    key=lambda p: (p.fraud["reported_at"], p.payment_id))
    assert any(a.fraud["reported_at"] == b.fraud["reported_at"] for a, b in zip(frauds, frauds[1:])), "no tie"
    start = th.rfc3339(th.quarter_days(h.quarters["qa"])[0] * th.DAY_MS)
    end = th.rfc3339(int(time.time() * 1000) + 60_000)

    def listing(**params):
        r = world.get("/v1/fraud_reports", params=params)
        assert r.status_code == 200, r.text
        return r.json()

    everything = listing(**{"from": start, "to": end, "limit": 1000})
    assert everything["truncated"] is False
    assert [x["payment_id"] for x in everything["fraud_reports"]] == [p.payment_id for p in frauds]
    for x, p in zip(everything["fraud_reports"], frauds):
        assert_report(x, p)
    assert everything["fraud_reports"][0] == world.reports[frauds[0].payment_id]
    # limit: the first ones, truncated
    five = listing(**{"from": start, "to": end, "limit": 5})
    assert five["truncated"] is True
    assert [x["payment_id"] for x in five["fraud_reports"]] == [p.payment_id for p in frauds[:5]]
    # [from, to): from a report's time included, to a later report's time excluded
    lo, hi = frauds[len(frauds) // 4].fraud["reported_at"], frauds[3 * len(frauds) // 4].fraud["reported_at"]
    window = listing(**{"from": th.rfc3339(lo), "to": th.rfc3339(hi), "limit": 1000})
    assert [x["payment_id"] for x in window["fraud_reports"]] == [
        p.payment_id for p in frauds if lo <= p.fraud["reported_at"] < hi]
    # by default the last 90 days (no report lies within a day of that edge) and 100 at most
    default = listing()
    since = int(time.time() * 1000) - 90 * th.DAY_MS
    recent = [p.payment_id for p in frauds if p.fraud["reported_at"] >= since]
    assert [x["payment_id"] for x in default["fraud_reports"]] == recent[:100]
    assert default["truncated"] is (len(recent) > 100)
    assert 0 < len(recent) < len(frauds), "the default window should leave some reports out"
    # bad parameters
    assert_error(world.get("/v1/fraud_reports", params={"limit": 1001}), 400, "INVALID_FIELD", "limit")
    assert_error(world.get("/v1/fraud_reports", params={"limit": 0}), 400, "INVALID_FIELD", "limit")
    assert_error(world.get("/v1/fraud_reports", params={"from": "yesterday"}), 400, "INVALID_FIELD", "from")


def test_imports_are_validated(world):
    srv = world.server
    scratch = srv.make_app(name="Scratch", tra={"enabled": True})
    user = srv.make_user(scratch, password=None)
    now = int(time.time() * 1000)
    good = {"user_id": user["user_id"], "type": "card", "amount": 1234, "currency": "EUR",
            "payee_account": th.iban("DE", "370400440532013000"), "executed_at": th.rfc3339(now - th.DAY_MS),
            "exemption": "transaction_risk_analysis", "band": 100,
            "risk": {"payer_country": "DE", "device_id": "dev-1", "client_ip": "203.0.113.5"}}
    assert good["payee_account"] == "DE89370400440532013000"

    def imp(*payments):
        return srv.post("/v1/payments/import", api_key=scratch["api_key"], json={"payments": list(payments)})

    sca = {k: v for k, v in good.items() if k != "band"}
    sca["exemption"] = None
    r = imp(good, sca)
    assert r.status_code == 201, r.text
    valid = r.json()["payment_ids"]
    drop = object()
    bad = [
        ({"amount": 0}, "amount"),
        ({"amount": 12.5}, "amount"),
        ({"amount": "12"}, "amount"),
        ({"amount": drop}, "amount"),
        ({"currency": "eur"}, "currency"),
        ({"currency": "XXX"}, "currency"),
        ({"type": "cheque"}, "type"),
        ({"executed_at": th.rfc3339(now + th.DAY_MS)}, "executed_at"),
        ({"executed_at": th.rfc3339(now - 401 * th.DAY_MS)}, "executed_at"),
        ({"executed_at": "yesterday"}, "executed_at"),
        ({"executed_at": drop}, "executed_at"),
        ({"exemption": "bogus"}, "exemption"),
        ({"band": drop}, "band"),                          # TRA needs a band
        ({"exemption": "low_value", "band": 100}, "band"),  # a band only with TRA
        ({"exemption": None, "band": 100}, "band"),
        ({"band": 300}, "band"),
        ({"payee_account": "<script>"}, "payee_account"),
        ({"risk": {"device_id": "d" * 129}}, "risk.device_id"),
        ({"user_id": "usr_doesnotexist"}, "user_id"),
        ({"extra": 1}, "extra"),
    ]
    wrong, accepted = [], 0
    for change, name in bad:
        payment = {k: v for k, v in dict(good, **change).items() if v is not drop}
        r = imp(good, payment)
        try:
            assert_field_error(r, 1, name, whole_item_too=name == "extra")
        except AssertionError as e:
            wrong.append(f"import {change}: {e}")
            accepted += r.status_code == 201
    try:
        short = {"amount": 1234, "currency": "EUR", "executed_at": good["executed_at"]}  # many fit in 64 KiB
        assert_error(imp(*[short] * (IMPORT_MAX + 1)), 400, "INVALID_FIELD", "payments")
    except AssertionError as e:
        wrong.append(f"{IMPORT_MAX + 1} payments: {e}")
    # a refused batch imports nothing: the scratch application has its payments, no more
    yesterday = th.quarter_label(th.quarter_of_day(th.day_of(now - th.DAY_MS)))
    report = srv.get("/v1/admin/tra", admin=True, params={"quarter": yesterday}).json()
    mine = [a for a in report["applications"] if a["app_id"] == scratch["app_id"]]
    counts = {t["type"]: t["count"] for a in mine for t in a["types"]}
    if sum(counts.values()) != len(valid) + 2 * accepted:
        wrong.append(f"refused batches imported payments: {counts}, {len(valid)} + 2 * {accepted} expected")
    # a fraud report's time is checked: not before the payment, not in the future; the kind is one of two
    pid = valid[0]
    for body, name in (({"reported_at": th.rfc3339(now - 2 * th.DAY_MS)}, "reported_at"),
                       ({"reported_at": th.rfc3339(now + th.DAY_MS)}, "reported_at"),
                       ({"kind": "bogus"}, "kind")):
        r = srv.post("/v1/fraud_reports", api_key=scratch["api_key"],
                     json={"payment_id": pid, "kind": "unauthorised", **body})
        try:
            assert_error(r, 400, "INVALID_FIELD", name)
        except AssertionError as e:
            wrong.append(f"fraud report {body}: {e}")
    r = srv.post("/v1/fraud_reports", api_key=scratch["api_key"], json={"payment_id": pid})
    assert_error(r, 400, "MISSING_FIELD", "kind")
    # a payment type is credit_transfer or card, in a live transaction and in the setting too
    tx = {"amount": 5_000, "currency": "EUR", "payee": {"name": "Shop", "account": good["payee_account"]}}
    for change, name in (({"type": "cheque"}, "transaction.type"), ({"type": 1}, "transaction.type"),
                         ({"risk": {"device_id": "d" * 129}}, "transaction.risk.device_id"),
                         ({"risk": {"payer_country": "Germany"}}, "transaction.risk.payer_country")):
        r = srv.post("/v1/authorize", api_key=scratch["api_key"],
                     json={"user_id": user["user_id"], "operation": "payment", "transaction": dict(tx, **change)})
        try:
            assert_error(r, 400, "INVALID_FIELD", name)
        except AssertionError as e:
            wrong.append(f"authorize {change}: {e}")
    for tra in ({"enabled": True, "types": ["cheque"]}, {"enabled": "yes"}, {"enabled": True, "high_risk_countries": ["kp"]},
                {"enabled": True, "types": ["card", "card"]}):
        r = srv.post("/v1/admin/apps", admin=True, json={"name": "Bad TRA", "tra": tra})
        try:
            assert_error(r, 400, "INVALID_FIELD", "tra")
        except AssertionError as e:
            wrong.append(f"app setting {tra}: {e}")
    assert not wrong, "\n".join(wrong)


# ---- art. 20: the quarterly evaluation ----

def expected_bands(world, q_name, evaluated_through):
    """type -> band -> the `bands` entry of GET /v1/admin/tra for quarter q_name, once the
    quarters through `evaluated_through` (a quarter number, or None) are evaluated."""
    h, ref = world.history, world.ref
    q = h.quarters[q_name]
    now_susp = ref.suspended_after(evaluated_through) if evaluated_through else {t: set() for t in th.TYPES}
    evals = {(e["type"], e["band"]): e for e in (ref.evaluations(evaluated_through) if evaluated_through else [])
             if e["quarter"] == th.quarter_label(q)}
    out = {}
    for t in th.TYPES:
        out[t] = {}
        for b in th.BANDS:
            e = evals.get((t, b))
            out[t][b] = {"band": b, "reference_rate_ppm": th.REFERENCE_PPM[t][b], "evaluated": e is not None,
                         "over": e["over"] if e else None, "suspended": e["suspended"] if e else None,
                         "suspended_now": b in now_susp[t]}
    return out


def report_of(world, q_name, **params):
    r = world.server.get("/v1/admin/tra", admin=True, params={"quarter": world.label(q_name), **params})
    assert r.status_code == 200, r.text
    return r


def our_types(world, body):
    """Our application's types in a report (none when it had no payment in the quarter)."""
    apps = [a for a in body["applications"] if a["app_id"] == world.app["app_id"]]
    assert len(apps) <= 1, body
    return {t["type"]: t for a in apps for t in a["types"]}


def test_quarters_are_evaluated_in_order_suspending_and_resuming_bands(world):
    h, ref, srv = world.history, world.ref, world.server
    # before any evaluation: nothing evaluated, nothing suspended
    types = our_types(world, report_of(world, "qa").json())
    for t in th.TYPES:
        assert {b["band"]: b for b in types[t]["bands"]} == expected_bands(world, "qa", None)[t]
    # a quarter that has not ended, or is no quarter, cannot be evaluated
    assert_error(srv.post("/v1/admin/tra/evaluate", admin=True, json={"through": world.label("q4")}),
                 400, "INVALID_FIELD", "through")
    assert_error(srv.post("/v1/admin/tra/evaluate", admin=True, json={"through": "2026Q5"}),
                 400, "INVALID_FIELD", "through")
    assert srv.post("/v1/admin/tra/evaluate", api_key=world.app["api_key"], json={}).status_code == 401
    with timed(world, "evaluate 3 quarters"):
        for name in ("qa", "qb", "qc"):
            q = h.quarters[name]
            r = srv.post("/v1/admin/tra/evaluate", admin=True, json={"through": th.quarter_label(q)})
            assert r.status_code == 200, r.text
            got = ours(r.json()["evaluations"], world)
            want = [dict(e, app_id=world.app["app_id"]) for e in ref.evaluations(q) if e["quarter"] == th.quarter_label(q)]
            key = lambda e: (e["type"], e["band"])
            assert sorted(got, key=key) == sorted(want, key=key), f"evaluation of {th.quarter_label(q)}"
            types = our_types(world, report_of(world, name).json())
            for t in th.TYPES:
                assert {b["band"]: b for b in types[t]["bands"]} == expected_bands(world, name, q)[t], (name, t)
    qc = h.quarters["qc"]
    # nothing left to evaluate: the default, the last ended quarter, was done
    r = srv.post("/v1/admin/tra/evaluate", admin=True, json={})
    assert r.status_code == 200, r.text
    assert ours(r.json()["evaluations"], world) == []
    # the earlier quarters' reports keep what their evaluation found, and say what holds now
    for name in ("qa", "qb"):
        types = our_types(world, report_of(world, name).json())
        for t in th.TYPES:
            assert {b["band"]: b for b in types[t]["bands"]} == expected_bands(world, name, qc)[t], (name, t)


def test_suspension_and_resumption_are_event_messages_and_audited(world):
    h, ref = world.history, world.ref
    qc = h.quarters["qc"]
    app_id = world.app["app_id"]
    names = {"suspended": "tra.band_suspended", "resumed": "tra.band_resumed"}
    want = [{"event": names[e["change"]], "app_id": app_id, "type": e["type"], "band": e["band"],
             "quarter": e["quarter"], "rate_ppm": e["rate_ppm"], "reference_rate_ppm": e["reference_rate_ppm"]}
            for e in ref.events(qc)]
    is_ours = lambda m: m.get("channel") == "event" and (m.get("data") or {}).get("app_id") == app_id
    msgs = world.server.wait_for_messages(len(want), where=is_ours, timeout=15)
    got = [m["data"] for m in msgs]
    key = lambda d: (d["quarter"], d["type"], d["band"])
    assert sorted(got, key=key) == sorted(want, key=key)
    assert [d["quarter"] for d in got] == sorted(d["quarter"] for d in got), "events out of quarter order"
    time.sleep(0.5)
    assert len([m for m in world.server.messages() if is_ours(m)]) == len(want), "an event sent twice"
    rows = db_query(world.server, "SELECT type AS event, chain AS app_id FROM audit_events WHERE type LIKE 'tra.%' ORDER BY seq")
    suspended = [r for r in rows if r["event"] == "tra.band_suspended" and r["app_id"] == app_id]
    assert len(suspended) == sum(e["change"] == "suspended" for e in ref.events(qc)), rows


# ---- art. 21: the report ----

def category_key(c):
    return (c["authentication"], c["exemption"], c["band"])


def assert_type_figures(got, want, where):
    for k in ("count", "value_eur_cents", "average_eur_cents", "fraud_count", "fraud_eur_cents", "fraud_rate_ppm"):
        assert got[k] == want[k], f"{where}: {k} {got[k]} != {want[k]}"
    cats = {category_key(c): c for c in got["by_authentication"]}
    extra = [k for k, c in cats.items() if k not in want["categories"] and c["count"] != 0]
    assert not extra, f"{where}: categories the history does not have: {extra}"
    for key, w in want["categories"].items():
        assert key in cats, f"{where}: category {key} missing"
        c = cats[key]
        for k in ("count", "value_eur_cents", "average_eur_cents", "share_ppm", "fraud_count", "fraud_eur_cents",
                  "fraud_rate_ppm"):
            assert c[k] == w[k], f"{where} {key}: {k} {c[k]} != {w[k]}"


def check_csv(world, q_name, types_json):
    r = report_of(world, q_name, format="csv")
    assert r.headers["Content-Type"].startswith("text/csv"), r.headers
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == CSV_HEADER
    mine = [dict(zip(CSV_HEADER, row)) for row in rows[1:] if row and row[1] == world.app["app_id"]]
    assert all(row["quarter"] == world.label(q_name) for row in mine)
    num = lambda v: None if v in ("", None) else int(v)
    for t, fig in types_json.items():
        all_rows = [row for row in mine if row["type"] == t and row["authentication"] == "all"]
        assert len(all_rows) == 1, (t, all_rows)
        a = all_rows[0]
        for k in ("count", "value_eur_cents", "average_eur_cents", "fraud_count", "fraud_eur_cents", "fraud_rate_ppm"):
            assert num(a[k]) == fig[k], (q_name, t, "all", k)
        cat_rows = {(row["authentication"], row["exemption"] or None, num(row["band"])): row
                    for row in mine if row["type"] == t and row["authentication"] != "all"}
        assert set(cat_rows) == {category_key(c) for c in fig["by_authentication"]}, (q_name, t)
        for c in fig["by_authentication"]:
            row = cat_rows[category_key(c)]
            for k in ("count", "value_eur_cents", "average_eur_cents", "share_ppm", "fraud_count", "fraud_eur_cents",
                      "fraud_rate_ppm"):
                assert num(row[k]) == c[k], (q_name, t, category_key(c), k)
    assert {row["type"] for row in mine} == set(types_json)


def check_quarter_report(world, q_name):
    ref = world.ref
    q = world.history.quarters[q_name]
    body = report_of(world, q_name).json()
    assert body["quarter"] == th.quarter_label(q)
    types = our_types(world, body)
    want = ref.quarter(q)
    assert set(types) == set(want), (q_name, set(types))
    for t, fig in want.items():
        assert_type_figures(types[t], fig, f"{th.quarter_label(q)} {t}")
    evaluated = world.history.quarters["qc"]
    for t in types:
        assert {b["band"]: b for b in types[t]["bands"]} == expected_bands(world, q_name, evaluated)[t], (q_name, t)
    check_csv(world, q_name, types)


def test_the_art21_report_agrees_with_the_history_as_json_and_csv(world):
    with timed(world, "reports"):
        for name in ("qa", "qb", "qc", "q4"):
            check_quarter_report(world, name)
    r = world.server.get("/v1/admin/tra", admin=True)
    assert r.status_code == 200 and r.json()["quarter"] == world.label("q4"), r.text
    assert_error(world.server.get("/v1/admin/tra", admin=True, params={"quarter": "2026Q7"}),
                 400, "INVALID_FIELD", "quarter")
    assert world.server.get("/v1/admin/tra", api_key=world.app["api_key"]).status_code == 401


# ---- art. 18: live decisions ----

def decide(world, payer_id, type_, amount, payee, device, country="DE", payee_country=None):
    risk = {"payer_country": country, "device_id": device}
    if payee_country:
        risk["payee_country"] = payee_country
    body = {"user_id": payer_id, "operation": "payment",
            "transaction": {"amount": amount, "currency": "EUR", "payee": {"name": "Payee", "account": payee},
                            "type": type_, "risk": risk}}
    now = int(time.time() * 1000)
    r = world.post("/v1/authorize", json=body)
    assert r.status_code == 200, r.text
    return r.json(), now


def check_decision(world, answer, now, payer_id, type_, amount, payee, device, country="DE", payee_country=None):
    """Compares an answer with the reference; returns (band, refusal) expected. An allowed
    payment joins the reference's history."""
    h, ref = world.history, world.ref
    today = th.day_of(now)
    reasons = ref.risk_reasons(payer_id, amount, payee, device, country, payee_country or payee[:2], now, HIGH_RISK)
    fraud, total = ref.window(type_, today)
    suspended = ref.suspended_after(h.quarters["qc"])[type_]
    band, refusal = ref.band(type_, amount, fraud, total, suspended) if not reasons else (None, "risk")
    where = f"{type_} {amount} for {payer_id}"
    assert answer["risk"] == {"level": "elevated" if reasons else "low", "reasons": reasons}, where
    tra = answer["tra"]
    assert tra["applied"] is (band is not None), (where, tra)
    assert tra["band"] == band and tra["refusal"] == refusal, (where, tra)
    assert tra["reference_rate_ppm"] == (th.REFERENCE_PPM[type_][band] if band else None), (where, tra)
    assert tra["rate_ppm"] == th.ppm_up(fraud, total), (where, tra, fraud, total)
    if band:
        assert answer["decision"] == "allow" and answer["exemption"] == th.TRA, (where, answer)
        assert PAY_ID.fullmatch(answer["payment_id"] or ""), answer
        h.live.append(th.Payment(payer_id, type_, amount, payee, now, th.TRA, band, None, imported=False,
                                 payment_id=answer["payment_id"]))
    else:
        assert answer["decision"] == "challenge_required" and answer["exemption"] is None, (where, answer)
        assert answer["payment_id"] is None, answer
    return band, refusal


def test_live_decisions_use_the_window_rate_the_band_and_the_risk(world):
    h, ref = world.history, world.ref
    p = h.prepared
    device = lambda i: p[i].devices[0][0]
    qc = h.quarters["qc"]
    assert ref.suspended_after(qc) == {"card": set(), "credit_transfer": {500}}

    def run(i, type_, amount, payee=None, dev=None, payee_country=None):
        payee = payee or p[i].favourite
        dev = dev or device(i)
        answer, now = decide(world, p[i].user_id, type_, amount, payee, dev, payee_country=payee_country)
        return answer, check_decision(world, answer, now, p[i].user_id, type_, amount, payee, dev,
                                      payee_country=payee_country)

    with timed(world, "live decisions"):
        # card: the 500 band resumed after the last quarter, today's rate meets its reference
        a, got = run(0, "card", 45_000)
        assert got == (500, None)
        view = world.get(f"/v1/payments/{a['payment_id']}").json()
        assert_view(view, h.live[-1])
        assert view["imported"] is False and view["authentication"] == "exemption"
        # a small card payment also takes the highest band whose ETV covers it
        _, got = run(1, "card", 8_000)
        assert got == (500, None)
        # credit transfer: the rate meets the 500 band's reference but that band is suspended:
        # skipped, the 250 band applies
        today = th.day_of(int(time.time() * 1000))
        assert ref.band("credit_transfer", 20_000, *ref.window("credit_transfer", today), set()) == (500, None)
        _, got = run(2, "credit_transfer", 20_000)
        assert got == (250, None)
        # over 250 EUR only the suspended band would do
        _, got = run(3, "credit_transfer", 30_000)
        assert got == (None, "suspended")
        # over 500 EUR: no band
        _, got = run(4, "card", 55_000)
        assert got == (None, "amount")
        # a low-value payment is allowed before TRA is tried: no risk, no tra, but a payment
        a, _ = decide(world, p[5].user_id, "credit_transfer", 2_000, p[5].favourite, device(5))
        assert a["decision"] == "allow" and a["exemption"] == "low_value", a
        assert a["risk"] is None and a["tra"] is None and PAY_ID.fullmatch(a["payment_id"] or ""), a
        h.live.append(th.Payment(p[5].user_id, "credit_transfer", 2_000, p[5].favourite, int(time.time() * 1000),
                                 "low_value", None, None, imported=False, payment_id=a["payment_id"]))
        # the rate now counts the payments just allowed
        _, got = run(8, "card", 9_000)
        assert got == (500, None)
        # elevated: a new payee over 30 EUR from an unknown device
        a, got = run(6, "credit_transfer", 8_000, payee=th.iban("DE", "500105175407324931"), dev="dev-never-seen")
        assert got == (None, "risk")
        assert a["risk"]["reasons"] == ["new_payee_high_amount", "new_device"], a
        # elevated: an account named in a fraud report, in a high-risk country
        mule = next(q.payee_account for q in h.payments if q.fraud and q.type == "card")
        a, got = run(7, "card", 6_000, payee=mule, payee_country="KP")
        assert a["risk"]["reasons"] == ["new_payee_high_amount", "payee_location_high_risk", "known_fraud_pattern"], a
    # the current quarter's report counts the payments allowed live
    check_quarter_report(world, "q4")
