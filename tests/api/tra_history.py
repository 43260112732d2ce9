"""tra_history.py: a deterministic synthetic payment history for the transaction risk analysis
replay (issue 26, tests/api/test_tra.py), and the figures that history must give, computed here
independently of twofold (pure Python, standard library only, nothing shared with the server).

The history (generate): one application's remote payments from the first day of the third whole
calendar quarter before the current one up to yesterday (UTC), so three ended quarters (the
"monitored" quarters qa, qb, qc) and the current quarter so far (q4). Payers are the given user
ids (the test creates them first) or None (payments without a known user); both payment types;
EUR amounts of 1 to 2,000 EUR, skewed as retail payments are (most small, a long tail); every
category: SCA, and each exemption with transaction_risk_analysis in a band whose ETV covers the
amount; payee accounts are IBANs with valid mod-97 check digits; risk signals {payer_country,
device_id, client_ip}. Some payments are cancelled (the test cancels them after the import) and
fraud is injected per type and quarter so that the quarterly rate lands where the design wants it
against the annex's reference rates (DESIGN below); fraudulent payments go to mule accounts and
are reported (kind, reported_at between the execution and now).

The reference (Reference): per quarter and type the art. 21 figures, the quarterly rate in ppm
rounded up, over/under per band and the suspension/resumption sequence of art. 20, the 90-day
window rate of each type for a decision on a given day, the band of art. 18 a new payment would
get, and the risk reasons of art. 18(2)(c) for a live payment of a prepared payer.

Money is in euro cents, rates in ppm (parts per million of the value); a rate meets a reference r
when fraud * 10^6 <= r * total (exact, integers); shown it is rounded up; no payments, no rate.
"""
import bisect
import functools
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
EPOCH = date(1970, 1, 1)
TYPES = ("credit_transfer", "card")
BANDS = (100, 250, 500)
EXEMPTIONS = ("own_accounts", "trusted_beneficiary", "recurring_series", "low_value", "transaction_risk_analysis")
TRA = "transaction_risk_analysis"
# The annex of Delegated Regulation (EU) 2018/389, in ppm of the value.
REFERENCE_PPM = {
    "card": {500: 100, 250: 600, 100: 1300},
    "credit_transfer": {500: 50, 250: 100, 100: 150},
}
MAX_CENTS = 200_000  # 2,000 EUR
MIN_CENTS = 100      # 1 EUR

# The quarterly fraud rate aimed at, per type and quarter (ppm of the quarter's value); "exact"
# makes the rate exactly the reference of the 500 EUR band (it meets it: at the reference is not
# over). With the references above this gives, per band (o = over, . = at or under):
#   card             qa  qb  qc           credit_transfer  qa  qb  qc
#   500 (100 ppm)    o   o   . (=100)     500 (50 ppm)     .   o   o
#   250 (600 ppm)    o   .   .            250 (100 ppm)    .   .   .
#   100 (1300 ppm)   .   .   .            100 (150 ppm)    .   .   .
# so card 500 is suspended after qb and resumed after qc, card 250 is over in qa only (reported,
# not suspended), card 100 and credit_transfer 250 and 100 stay open throughout, and
# credit_transfer 500 is suspended after qc and still suspended now. The current quarter's fraud
# is kept low and the monitored quarters' fraud of qc lies outside today's 90-day window (but for
# two payments on the window's edges), so that now card's rate meets every band (the 500 band
# applies again) and credit_transfer's meets the 500 band's reference while that band is
# suspended (a payment falls back to the 250 band).
DESIGN = {
    "card": {"qa": 700, "qb": 300, "qc": "exact", "q4": 40},
    "credit_transfer": {"qa": 30, "qb": 75, "qc": 75, "q4": 20},
}
EXPECTED_SEQUENCE = {  # (type, band) -> [(over, change, suspended)] for qa, qb, qc
    ("card", 500): [(True, "unchanged", False), (True, "suspended", True), (False, "resumed", False)],
    ("card", 250): [(True, "unchanged", False), (False, "unchanged", False), (False, "unchanged", False)],
    ("card", 100): [(False, "unchanged", False)] * 3,
    ("credit_transfer", 500): [(False, "unchanged", False), (True, "unchanged", False), (True, "suspended", True)],
    ("credit_transfer", 250): [(False, "unchanged", False)] * 3,
    ("credit_transfer", 100): [(False, "unchanged", False)] * 3,
}

PAYER_COUNTRIES = ("DE", "NL", "AT", "BE", "FR", "ES", "IT")
FRAUD_COUNTRIES = ("NG", "RO", "BR", "US", "UA")


# ---- calendar ----

def day_of(ms):
    return ms // DAY_MS


@functools.lru_cache(maxsize=None)
def quarter_of_day(day):
    d = EPOCH + timedelta(days=day)
    return d.year * 4 + (d.month - 1) // 3


def quarter_days(q):
    """The first and last day (numbers from 1970-01-01) of quarter q (year * 4 + quarter - 1)."""
    year, i = divmod(q, 4)
    first = date(year, 3 * i + 1, 1)
    nxt = date(year + 1, 1, 1) if i == 3 else date(year, 3 * i + 4, 1)
    return (first - EPOCH).days, (nxt - EPOCH).days - 1


def quarter_label(q):
    year, i = divmod(q, 4)
    return f"{year}Q{i + 1}"


def rfc3339(ms):
    """A time as the API writes it: UTC, milliseconds."""
    dt = datetime.fromtimestamp(ms // 1000, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + f".{ms % 1000:03d}Z"


def parse_rfc3339(s):
    dt = datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    ms = 0
    if len(s) > 20 and s[19] == ".":
        ms = int((s[20:].rstrip("Z") + "000")[:3])
    return int(dt.timestamp()) * 1000 + ms


def ppm_up(fraud, total):
    """The rate in ppm rounded up; None without payments."""
    if total == 0:
        return None
    return -(-fraud * 1_000_000 // total)


def meets(fraud, total, reference_ppm):
    return total > 0 and fraud * 1_000_000 <= reference_ppm * total


# ---- IBANs (ISO 13616): mod-97 check digits ----

def _iban_number(text):
    return int("".join(str(int(ch, 36)) for ch in text))


def iban(country, bban):
    check = 98 - _iban_number(bban + country + "00") % 97
    return f"{country}{check:02d}{bban}"


def iban_valid(s):
    return len(s) >= 15 and _iban_number(s[4:] + s[:4]) % 97 == 1


def random_iban(rng, country=None):
    country = country or rng.choice(("DE", "DE", "NL", "AT", "BE"))
    digits = lambda n: "".join(rng.choice("0123456789") for _ in range(n))
    if country == "DE":
        bban = digits(18)
    elif country == "AT":
        bban = digits(16)
    elif country == "NL":
        bban = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4)) + digits(10)
    elif country == "BE":  # the Belgian account number carries its own mod-97 check
        n = int(digits(10))
        bban = f"{n:010d}{(n % 97) or 97:02d}"
    else:
        raise ValueError(country)
    return iban(country, bban)


# ---- the history ----

@dataclass
class Payment:
    user_id: object          # str or None
    type: str
    amount: int              # EUR cents (currency EUR: amount == eur_cents)
    payee_account: object    # IBAN or None
    executed_at: int         # ms
    exemption: object        # None (SCA) or one of EXEMPTIONS
    band: object             # 100/250/500 for TRA, else None
    risk: object             # dict or None
    imported: bool = True
    cancelled: bool = False
    fraud: object = None     # {"kind", "reported_at"} (ms) or None
    payment_id: object = None
    reserved: bool = False   # a prepared payer's, or one the design fixed: no fraud, no cancel
    omit_type: bool = False  # import it without "type" (the default, credit_transfer)
    explicit_sca: bool = False  # import it with "exemption": null rather than without the key

    day: int = field(init=False)      # the UTC day of executed_at (which never changes)
    quarter: int = field(init=False)

    def __post_init__(self):
        self.day = day_of(self.executed_at)
        self.quarter = quarter_of_day(self.day)

    @property
    def category(self):
        """(authentication, exemption, band) as GET /v1/admin/tra names it."""
        if self.exemption is None:
            return ("sca", None, None)
        return ("exemption", self.exemption, self.band)

    def import_body(self):
        body = {"amount": self.amount, "currency": "EUR", "executed_at": rfc3339(self.executed_at)}
        if not self.omit_type:
            body["type"] = self.type
        if self.user_id is not None:
            body["user_id"] = self.user_id
        if self.payee_account is not None:
            body["payee_account"] = self.payee_account
        if self.exemption is not None or self.explicit_sca:
            body["exemption"] = self.exemption
        if self.band is not None:
            body["band"] = self.band
        if self.risk is not None:
            body["risk"] = dict(self.risk)
        return body


@dataclass
class Payer:
    user_id: str
    home: str
    devices: list            # [(device_id, first_day)]
    payees: list             # IBANs paid by credit transfer
    merchants: list          # IBANs paid by card
    weight: float
    travel: float
    prepared: bool = False   # a payer the live decisions use (see generate)
    favourite: str = ""      # prepared: the account paid >= 7 days ago, never in a fraud report


@dataclass
class History:
    now_ms: int
    seed: int
    today: int
    quarters: dict            # "qa", "qb", "qc", "q4" -> quarter number
    payments: list
    payers: list
    prepared: list            # the prepared payers
    mules: list               # accounts fraud went to (named by fraud reports)
    live: list = field(default_factory=list)  # payments allowed by live decisions (the test adds them)

    def all_payments(self):
        return self.payments + self.live

    def fraud_reports(self):
        """The reports the test files, as (payment, kind, reported_at ms), by reported_at."""
        out = [(p, p.fraud["kind"], p.fraud["reported_at"]) for p in self.payments if p.fraud]
        return sorted(out, key=lambda r: (r[2], r[0].executed_at))


def _amount(rng):
    """A skewed retail amount in cents: mostly small, some medium, a long tail, 1 to 2,000 EUR."""
    u = rng.random()
    if u < 0.70:
        eur = rng.lognormvariate(math.log(25), 0.9)
    elif u < 0.95:
        eur = rng.lognormvariate(math.log(120), 0.6)
    else:
        eur = rng.lognormvariate(math.log(700), 0.5)
    cents = int(round(eur * 100))
    if rng.random() < 0.5:
        cents = cents // 100 * 100  # whole euros, as many prices are
    return max(MIN_CENTS, min(MAX_CENTS, cents))


def _category(rng, type_, amount, has_user):
    """(exemption, band) for a payment: SCA or an exemption that fits it."""
    card = type_ == "card"
    if amount > 50_000:
        choices = [(None, 80), ("recurring_series", 6)]
        if not card and has_user:
            choices += [("trusted_beneficiary", 8), ("own_accounts", 6)]
    elif amount <= 3_000:
        choices = [("low_value", 35), (TRA, 30), (None, 25), ("recurring_series", 5)]
        if not card and has_user:
            choices += [("trusted_beneficiary", 5)]
    else:
        choices = [(TRA, 45), (None, 33), ("recurring_series", 7)]
        if not card and has_user:
            choices += [("trusted_beneficiary", 8), ("own_accounts", 7)]
    total = sum(w for _, w in choices)
    x = rng.uniform(0, total)
    for exemption, w in choices:
        x -= w
        if x <= 0:
            break
    if exemption != TRA:
        return exemption, None
    eligible = [(b, w) for b, w in ((500, 60), (250, 25), (100, 15)) if amount <= b * 100]
    x = rng.uniform(0, sum(w for _, w in eligible))
    for band, w in eligible:
        x -= w
        if x <= 0:
            return TRA, band
    return TRA, eligible[-1][0]


def _time_of_day(rng):
    hour = min(23, max(0, int(rng.gauss(14, 4))))
    return hour * HOUR_MS + rng.randrange(HOUR_MS)


PREPARED_PAYERS = 12


def generate(now_ms, seed, user_ids, count=100_000):
    """The history of one application, deterministic in (now's day, seed, user_ids, count).

    user_ids: the application's users (at least PREPARED_PAYERS + 10); the first
    PREPARED_PAYERS are "prepared" payers, whose history makes a live payment of theirs low-risk:
    one country (DE) and one device since the first day, >= 5 payments in the last 90 days, none
    in the last 3 days, a payment of 600 EUR 20 days ago to their favourite account (paid since
    the first day), nothing cancelled, no fraud."""
    rng = random.Random(seed)
    today = day_of(now_ms)
    q4 = quarter_of_day(today)
    quarters = {"qa": q4 - 3, "qb": q4 - 2, "qc": q4 - 1, "q4": q4}
    first_day = quarter_days(quarters["qa"])[0]
    last_day = today - 1
    assert len(user_ids) >= PREPARED_PAYERS + 10, "too few users"
    assert count >= 20_000, "the design needs volume"

    merchants = [random_iban(rng) for _ in range(400)]
    payers = []
    for i, uid in enumerate(user_ids):
        prepared = i < PREPARED_PAYERS
        home = "DE" if prepared else rng.choice(PAYER_COUNTRIES)
        devices = [(f"dev-{rng.getrandbits(48):012x}", first_day)]
        if not prepared and rng.random() < 0.5:
            devices.append((f"dev-{rng.getrandbits(48):012x}", rng.randrange(first_day, last_day + 1)))
        payees = [random_iban(rng) for _ in range(rng.randint(2, 8))]
        shops = rng.sample(merchants, rng.randint(3, 10))
        weight = 1.5 if prepared else min(8.0, rng.paretovariate(1.6))
        payer = Payer(uid, home, devices, payees, shops, weight, 0.0 if prepared else rng.choice((0, 0.02, 0.05)),
                      prepared=prepared)
        if prepared:
            payer.favourite = payees[0]
        payers.append(payer)
    cumulative, acc = [], 0.0
    for p in payers:
        acc += p.weight
        cumulative.append(acc)

    # days weighted: weekdays busier, a business that grows over the year
    days = list(range(first_day, last_day + 1))
    span = max(1, len(days) - 1)
    day_weights, acc_d = [], 0.0
    for k, d in enumerate(days):
        wd = (EPOCH + timedelta(days=d)).weekday()
        acc_d += (1.0 if wd < 5 else 0.8 if wd == 5 else 0.6) * (1 + 0.4 * k / span)
        day_weights.append(acc_d)

    def pick_payer(day):
        while True:
            payer = payers[_bisect(cumulative, rng.uniform(0, acc))]
            if not (payer.prepared and day >= today - 3):
                return payer

    def signals(payer, day, card):
        live_devices = [d for d, since in payer.devices if since <= day]
        device = live_devices[-1] if rng.random() < 0.7 else rng.choice(live_devices)
        country = payer.home if rng.random() >= payer.travel else rng.choice(PAYER_COUNTRIES)
        risk = {"payer_country": country, "device_id": device}
        if rng.random() < 0.3:
            risk["client_ip"] = f"198.51.100.{rng.randrange(1, 255)}" if card else f"203.0.113.{rng.randrange(1, 255)}"
        return risk

    payments = []
    extra = 2 * PREPARED_PAYERS
    for _ in range(count - extra):
        day = days[_bisect(day_weights, rng.uniform(0, acc_d))]
        at = day * DAY_MS + _time_of_day(rng)
        has_user = rng.random() >= 0.12
        payer = pick_payer(day) if has_user else None
        card = rng.random() < (0.75 if payer is None else 0.5)
        type_ = "card" if card else "credit_transfer"
        amount = _amount(rng)
        if payer is None:
            account = rng.choice(merchants) if card or rng.random() < 0.5 else random_iban(rng)
            risk = {"client_ip": f"192.0.2.{rng.randrange(1, 255)}"} if rng.random() < 0.5 else None
        else:
            account = rng.choice(payer.merchants) if card else (
                payer.favourite if payer.prepared and rng.random() < 0.3 else rng.choice(payer.payees))
            risk = signals(payer, day, card)
        if card and rng.random() < 0.05:
            account = None  # a card payment the platform recorded without the merchant's account
        exemption, band = _category(rng, type_, amount, payer is not None)
        p = Payment(payer.user_id if payer else None, type_, amount, account, at, exemption, band, risk,
                    reserved=bool(payer and payer.prepared))
        p.omit_type = type_ == "credit_transfer" and rng.random() < 0.2
        p.explicit_sca = exemption is None and rng.random() < 0.5
        payments.append(p)
    for payer in payers[:PREPARED_PAYERS]:
        device = payer.devices[0][0]
        payments.append(Payment(payer.user_id, "credit_transfer", 8_000, payer.favourite,
                                first_day * DAY_MS + 10 * HOUR_MS, None, None,
                                {"payer_country": "DE", "device_id": device}, reserved=True))
        payments.append(Payment(payer.user_id, "credit_transfer", 60_000, payer.favourite,
                                (today - 20) * DAY_MS + 12 * HOUR_MS, None, None,
                                {"payer_country": "DE", "device_id": device}, reserved=True))
    payments.sort(key=lambda p: p.executed_at)

    history = History(now_ms, seed, today, quarters, payments, payers, payers[:PREPARED_PAYERS], [])
    _cancel(rng, history)
    _inject_fraud(rng, history)
    _report(rng, history)
    return history


def _bisect(cumulative, x):
    return min(len(cumulative) - 1, bisect.bisect_left(cumulative, x))


def _cancel(rng, h):
    """About 0.3 % of the payments, any quarter and category, never a prepared payer's; some of
    them surely in today's 90-day window and in the current quarter (when it has payments)."""
    free = [p for p in h.payments if not p.reserved]
    for p in rng.sample(free, max(30, len(h.payments) * 3 // 1000)):
        p.cancelled = True
    for near in ([p for p in free if p.day >= h.today - 89], [p for p in free if p.quarter == h.quarters["q4"]]):
        for p in rng.sample(near, min(5, len(near))):
            p.cancelled = True


def _fraud_mark(rng, p, mule):
    p.fraud = {"kind": rng.choice(("unauthorised", "unauthorised", "manipulated_payer")), "reported_at": None}
    p.payee_account = mule
    if p.user_id is not None:
        p.risk = {"payer_country": rng.choice(FRAUD_COUNTRIES), "device_id": f"dev-fraud-{rng.getrandbits(32):08x}"}


def _inject_fraud(rng, h):
    """Fraud per type and quarter at the DESIGN's rates (see there)."""
    today = h.today
    mules = {"card": [random_iban(rng) for _ in range(6)], "credit_transfer": [random_iban(rng) for _ in range(6)]}
    h.mules = mules["card"] + mules["credit_transfer"]

    groups = {}
    for p in h.payments:
        groups.setdefault((p.type, p.quarter), []).append(p)

    def usable(p, type_):
        return p.type == type_ and not p.reserved and not p.cancelled and not p.fraud

    def on_day(type_, day):
        found = [p for p in groups.get((type_, quarter_of_day(day)), []) if p.day == day and usable(p, type_)]
        assert found, f"no {type_} payment on day {day}"
        return rng.choice(found)

    def quarter_total(type_, q):
        return sum(p.amount for p in groups.get((type_, q), []) if not p.cancelled)

    def fill(type_, q, allowed_day, budget, mule_list):
        pool = [p for p in groups.get((type_, q), []) if allowed_day(p.day) and usable(p, type_)]
        rng.shuffle(pool)
        spent = sum(p.amount for p in groups.get((type_, q), []) if p.fraud)
        for p in pool:
            if budget - spent < MIN_CENTS:
                break
            if p.amount <= budget - spent:
                _fraud_mark(rng, p, rng.choice(mule_list))
                spent += p.amount

    for type_ in TYPES:
        # the window's edges: one fraudulent payment on the last day outside today's 90-day window
        # (today - 90) and a small one on its first day (today - 89)
        outside = on_day(type_, today - 90)
        outside.amount = 2_000 if type_ == "card" else 1_500
        _fraud_mark(rng, outside, mules[type_][0])
        inside = on_day(type_, today - 89)
        inside.amount = 200
        _fraud_mark(rng, inside, mules[type_][1])
        outside.reserved = inside.reserved = True

    for type_ in TYPES:
        for name in ("qa", "qb", "qc", "q4"):
            q = h.quarters[name]
            target = DESIGN[type_][name]
            if name == "qc":
                # qc's fraud lies outside today's window (days <= today - 90), but for the edge
                allowed = lambda d: d <= today - 90
            else:
                allowed = lambda d: True
            if target == "exact":
                _exact_quarter(rng, groups[(type_, q)], type_, q, allowed, mules[type_], fill, quarter_total)
            else:
                fill(type_, q, allowed, quarter_total(type_, q) * target // 1_000_000, mules[type_])


def _exact_quarter(rng, quarter_payments, type_, q, allowed, mule_list, fill, quarter_total):
    """Makes the quarter's rate exactly the 500 band's reference: fraud * 10^6 == ref * total.
    The fraud is filled to about 50 EUR under it; then one fraudulent payment x and one honest
    payment y (both SCA) get amounts such that total == k * fraud with k = 10^6 / ref."""
    k = 1_000_000 // REFERENCE_PPM[type_][500]
    assert k * REFERENCE_PPM[type_][500] == 1_000_000
    pool = [p for p in quarter_payments if not p.reserved and not p.cancelled and not p.fraud]
    x = rng.choice([p for p in pool if allowed(p.day)])
    y = rng.choice([p for p in pool if p is not x])
    x.reserved = y.reserved = True
    fill(type_, q, allowed, quarter_total(type_, q) // k - 5_000, mule_list)
    total_rest = quarter_total(type_, q) - x.amount - y.amount
    fraud_rest = sum(p.amount for p in quarter_payments if p.fraud and not p.cancelled)
    y_low = 50_100
    x_amount = -(-(total_rest - k * fraud_rest + y_low) // (k - 1))
    y_amount = k * fraud_rest + (k - 1) * x_amount - total_rest
    assert MIN_CENTS <= x_amount <= MAX_CENTS and y_low <= y_amount <= MAX_CENTS, (x_amount, y_amount)
    for p, amount in ((x, x_amount), (y, y_amount)):
        p.amount, p.exemption, p.band = amount, None, None
    _fraud_mark(rng, x, rng.choice(mule_list))
    fraud = sum(p.amount for p in quarter_payments if p.fraud and not p.cancelled)
    assert fraud * 1_000_000 == REFERENCE_PPM[type_][500] * quarter_total(type_, q)


def _report(rng, h):
    """reported_at: an hour to 45 days after the payment, never after now, never within a day of
    now - 90 days (the default window of GET /v1/fraud_reports); a few reports share their time
    with another (the listing then orders by payment id)."""
    now = h.now_ms - 5 * 60_000
    edge = h.now_ms - 90 * DAY_MS
    frauds = [p for p in h.payments if p.fraud]
    for p in frauds:
        at = min(now, p.executed_at + rng.randrange(HOUR_MS, 45 * DAY_MS))
        if abs(at - edge) < DAY_MS:
            at = edge - DAY_MS - HOUR_MS if edge - DAY_MS - HOUR_MS >= p.executed_at else edge + DAY_MS + HOUR_MS
        p.fraud["reported_at"] = min(now, at)
    frauds.sort(key=lambda p: p.fraud["reported_at"])
    for a, b in zip(frauds[1::7], frauds[2::7]):  # ties: a and b reported at the same time
        t = max(a.fraud["reported_at"], b.executed_at)
        if abs(t - edge) >= DAY_MS:
            a.fraud["reported_at"] = b.fraud["reported_at"] = t


# ---- the reference ----

class Reference:
    """The figures the history must give, computed from it alone."""

    def __init__(self, history):
        self.h = history
        self._cache_key = None

    def _live_payments(self):
        """The payments that count (not cancelled), and their groups by (type, quarter) and
        (type, day), kept until a live payment joins (cancellation happens in generate only)."""
        key = (len(self.h.payments), len(self.h.live))
        if self._cache_key != key:
            self._counting = [p for p in self.h.all_payments() if not p.cancelled]
            self._by_quarter, self._by_day = {}, {}
            for p in self._counting:
                self._by_quarter.setdefault((p.type, p.quarter), []).append(p)
                self._by_day.setdefault((p.type, p.day), []).append(p)
            self._cache_key = key
        return self._counting

    def _quarter_payments(self, type_, q):
        self._live_payments()
        return self._by_quarter.get((type_, q), [])

    # -- art. 21: a quarter's figures --

    def quarter(self, q):
        """type -> {count, value_eur_cents, average_eur_cents, fraud_count, fraud_eur_cents,
        fraud_rate_ppm, categories: {(authentication, exemption, band): figures incl. share_ppm}}"""
        out = {}
        for type_ in TYPES:
            ps = self._quarter_payments(type_, q)
            if not ps:
                continue
            fig = _figures(ps)
            cats = {}
            for p in ps:
                cats.setdefault(p.category, []).append(p)
            fig["categories"] = {}
            for key, group in cats.items():
                f = _figures(group)
                f["share_ppm"] = len(group) * 1_000_000 // len(ps)
                fig["categories"][key] = f
            out[type_] = fig
        return out

    def quarter_rate(self, type_, q):
        ps = self._quarter_payments(type_, q)
        return sum(p.amount for p in ps if p.fraud), sum(p.amount for p in ps)

    # -- art. 20: the quarterly evaluations --

    def evaluations(self, through):
        """Every evaluation from the quarter of the first payment through `through`, in order of
        quarter, type, band: dicts as POST /v1/admin/tra/evaluate answers them (without app_id)."""
        first = min(p.quarter for p in self._live_payments())
        state = {(t, b): [0, False] for t in TYPES for b in BANDS}
        out = []
        for q in range(first, through + 1):
            for type_ in TYPES:
                fraud, total = self.quarter_rate(type_, q)
                for band in BANDS:
                    ref = REFERENCE_PPM[type_][band]
                    st = state[(type_, band)]
                    over, change = False, "unchanged"
                    if total > 0:
                        over = not meets(fraud, total, ref)
                        if over:
                            st[0] = min(2, st[0] + 1)
                            if not st[1] and st[0] >= 2:
                                st[1], change = True, "suspended"
                        else:
                            st[0] = 0
                            if st[1]:
                                st[1], change = False, "resumed"
                    out.append({"type": type_, "band": band, "quarter": quarter_label(q),
                                "rate_ppm": ppm_up(fraud, total), "reference_rate_ppm": ref, "over": over,
                                "change": change, "suspended": st[1]})
        return out

    def suspended_after(self, through):
        """{type: set of bands suspended} after the evaluations through `through`."""
        out = {t: set() for t in TYPES}
        for e in self.evaluations(through):
            if e["suspended"]:
                out[e["type"]].add(e["band"])
            else:
                out[e["type"]].discard(e["band"])
        return out

    def events(self, through):
        return [e for e in self.evaluations(through) if e["change"] != "unchanged"]

    # -- art. 18/19: the window rate and the band of a new payment --

    def window(self, type_, today):
        """(fraud, total) of the type over the 90 UTC days ending with today (today included)."""
        lo = today - 89
        self._live_payments()
        ps = [p for d in range(lo, today + 1) for p in self._by_day.get((type_, d), [])]
        return sum(p.amount for p in ps if p.fraud), sum(p.amount for p in ps)

    def window_rate_ppm(self, type_, today):
        return ppm_up(*self.window(type_, today))

    @staticmethod
    def band(type_, amount, fraud, total, suspended):
        """(band or None, refusal or None) of art. 18(2)(a)/(b) and art. 20 for an amount in cents."""
        if amount <= 0 or amount > 50_000:
            return None, "amount"
        if total == 0:
            return None, "no_rate"
        refusal = "rate"
        for b in (500, 250, 100):
            if amount > b * 100 or not meets(fraud, total, REFERENCE_PPM[type_][b]):
                continue
            if b in suspended:
                refusal = "suspended"
                continue
            return b, None
        return None, refusal

    # -- art. 18(2)(c): the risk reasons for a live payment --

    def risk_reasons(self, user_id, amount, payee_account, device_id, payer_country, payee_country, now_ms,
                     high_risk_countries):
        """The reasons (in the order of the wire's list) for a payment of amount cents, computed
        from the payer's history (docs/transactions.md's table)."""
        mine = [p for p in self._live_payments() if p.user_id == user_id and p.executed_at <= now_ms]
        recent = [p for p in mine if p.executed_at > now_ms - 90 * DAY_MS]
        count, total = len(recent), sum(p.amount for p in recent)
        largest = max((p.amount for p in recent), default=0)
        reasons = []
        if count < 5 or (amount > largest and amount * count > 3 * total):
            reasons.append("amount_abnormal")
        paid = [p.executed_at for p in mine if p.payee_account == payee_account]
        if (not paid or now_ms - min(paid) < 7 * DAY_MS) and amount > 3_000:
            reasons.append("new_payee_high_amount")
        # devices and countries are learnt from imported payments and live ones with SCA only
        learnt = [p for p in mine if p.imported or p.exemption is None]
        seen = [p.executed_at for p in learnt if p.risk and p.risk.get("device_id") == device_id]
        if device_id is None or not seen or now_ms - min(seen) < 7 * DAY_MS:
            reasons.append("new_device")
        countries = []
        for p in sorted((p for p in learnt if p.executed_at > now_ms - 90 * DAY_MS), key=lambda p: -p.executed_at):
            c = p.risk.get("payer_country") if p.risk else None
            if c and c not in countries:
                countries.append(c)
        if payer_country is None or payer_country not in countries[:8]:
            reasons.append("location_abnormal")
        if high_risk_countries and (payee_country is None or payee_country in high_risk_countries):
            reasons.append("payee_location_high_risk")
        last_hour = [p for p in mine if p.executed_at > now_ms - HOUR_MS]
        last_day = [p for p in mine if p.executed_at > now_ms - DAY_MS]
        if (len(last_hour) + 1 > 3 or len(last_day) + 1 > 10 or
                (count >= 5 and sum(p.amount for p in last_day) + amount > 2 * largest)):
            reasons.append("velocity")
        reported = {p.payee_account for p in self.h.payments if p.fraud}
        if payee_account in reported:
            reasons.append("known_fraud_pattern")
        return reasons

    # -- the design, checked on the reference itself --

    def design_problems(self):
        """What the history fails of DESIGN (empty when it is all there): the test would prove
        little if the injected fraud missed its marks."""
        problems = []
        qc = self.h.quarters["qc"]
        got = {}
        for e in self.evaluations(qc):
            got.setdefault((e["type"], e["band"]), []).append((e["over"], e["change"], e["suspended"]))
        for key, want in EXPECTED_SEQUENCE.items():
            if got.get(key, [])[-3:] != want:
                problems.append(f"{key}: {got.get(key)} instead of {want}")
        fraud, total = self.quarter_rate("card", qc)
        if fraud * 1_000_000 != REFERENCE_PPM["card"][500] * total:
            problems.append("card qc is not exactly at the 500 band's reference")
        today = self.h.today
        if not meets(*self.window("card", today), REFERENCE_PPM["card"][500]):
            problems.append("card's window rate does not meet the 500 band's reference")
        if not meets(*self.window("credit_transfer", today), REFERENCE_PPM["credit_transfer"][500]):
            problems.append("credit_transfer's window rate does not meet the 500 band's reference")
        for name in ("qa", "qb", "qc"):
            q = self.h.quarters[name]
            for type_, fig in self.quarter(q).items():
                cats = {k[1] if k[0] == "exemption" else None for k in fig["categories"]}
                if cats != {None, *EXEMPTIONS} - ({"own_accounts", "trusted_beneficiary"} if type_ == "card" else set()):
                    problems.append(f"{type_} {quarter_label(q)} lacks categories: {sorted(map(str, cats))}")
        for what, where in (("today's window", lambda p: p.day >= today - 89),
                            ("the current quarter", lambda p: p.quarter == self.h.quarters["q4"])):
            if any(where(p) for p in self.h.payments) and not any(p.cancelled and where(p) for p in self.h.payments):
                problems.append(f"no cancelled payment in {what}")
        if not all(iban_valid(p.payee_account) for p in self.h.payments if p.payee_account):
            problems.append("an IBAN with wrong check digits")
        return problems


def _figures(ps):
    count = len(ps)
    value = sum(p.amount for p in ps)
    frauds = [p for p in ps if p.fraud]
    fraud_value = sum(p.amount for p in frauds)
    return {"count": count, "value_eur_cents": value, "average_eur_cents": value // count if count else 0,
            "fraud_count": len(frauds), "fraud_eur_cents": fraud_value, "fraud_rate_ppm": ppm_up(fraud_value, value)}


if __name__ == "__main__":  # a look at the history: python3 tests/api/tra_history.py [count]
    import sys
    import time as _time

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    t0 = _time.monotonic()
    hist = generate(int(_time.time() * 1000), 26, [f"usr_{i:04d}" for i in range(300)], n)
    ref = Reference(hist)
    print(f"{len(hist.payments)} payments in {_time.monotonic() - t0:.2f} s; "
          f"{sum(p.cancelled for p in hist.payments)} cancelled, {sum(bool(p.fraud) for p in hist.payments)} fraudulent")
    for name, q in hist.quarters.items():
        for type_, fig in ref.quarter(q).items():
            print(f"{quarter_label(q)} {type_:15} count {fig['count']:6} value {fig['value_eur_cents'] / 100:12.2f} EUR "
                  f"fraud {fig['fraud_count']:3} {fig['fraud_eur_cents'] / 100:9.2f} EUR rate {fig['fraud_rate_ppm']} ppm")
    for e in ref.events(hist.quarters["qc"]):
        print("event", e)
    for type_ in TYPES:
        print("window", type_, ref.window(type_, hist.today), ref.window_rate_ppm(type_, hist.today), "ppm")
    print("design problems:", ref.design_problems() or "none")
