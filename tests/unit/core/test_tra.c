/* Unit tests for core/tra.c: the reference rates of the RTS annex, the exact comparison of a
 * fraud rate with them (art. 19), the band choice at each ETV and each reference rate (art. 18),
 * the suspension and resumption of a band by quarters (art. 20), and the day and quarter
 * arithmetic of the daily buckets across a quarter, a year and a leap day, on the fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/timefmt.h"
#include "core/tra.h"
#include "core/transaction.h"
#include "support/fake_clock.h"

#define EUR(e) ((int64_t)(e) * 100)

/* ---- reference rates and the rate of art. 19 ---- */

static void test_the_reference_rates_of_the_annex(void **state)
{
	(void)state;
	assert_int_equal(tra_etv_eur_cents[TRA_BAND_100], EUR(100));
	assert_int_equal(tra_etv_eur_cents[TRA_BAND_250], EUR(250));
	assert_int_equal(tra_etv_eur_cents[TRA_BAND_500], EUR(500));
	/* card: 0.13 %, 0.06 %, 0.01 %; credit transfer: 0.015 %, 0.01 %, 0.005 % */
	assert_int_equal(tra_reference_ppm(PAYMENT_CARD, TRA_BAND_100), 1300);
	assert_int_equal(tra_reference_ppm(PAYMENT_CARD, TRA_BAND_250), 600);
	assert_int_equal(tra_reference_ppm(PAYMENT_CARD, TRA_BAND_500), 100);
	assert_int_equal(tra_reference_ppm(PAYMENT_CREDIT_TRANSFER, TRA_BAND_100), 150);
	assert_int_equal(tra_reference_ppm(PAYMENT_CREDIT_TRANSFER, TRA_BAND_250), 100);
	assert_int_equal(tra_reference_ppm(PAYMENT_CREDIT_TRANSFER, TRA_BAND_500), 50);
	assert_int_equal(tra_reference_ppm(PAYMENT_TYPE__MAX, TRA_BAND_100), -1);
	assert_int_equal(tra_reference_ppm(PAYMENT_CARD, TRA_BAND__MAX), -1);
	assert_string_equal(payment_type_names[PAYMENT_CREDIT_TRANSFER], "credit_transfer");
	assert_string_equal(payment_type_names[PAYMENT_CARD], "card");
}

static void test_a_rate_exactly_at_the_reference_meets_it_and_one_cent_more_does_not(void **state)
{
	(void)state;
	/* 0.01 % of 10,000 EUR is 1 EUR */
	struct tra_rate r = {.fraud_eur_cents = 100, .total_eur_cents = EUR(10000)};
	assert_true(tra_rate_within(r, 100));
	assert_int_equal(tra_rate_ppm(r), 100);
	r.fraud_eur_cents++;
	assert_false(tra_rate_within(r, 100));
	assert_int_equal(tra_rate_ppm(r), 101);

	/* a total that 150 ppm does not divide: 150 ppm of 333,333 cents is 49.99995 cents */
	r = (struct tra_rate){.fraud_eur_cents = 49, .total_eur_cents = 333333};
	assert_true(tra_rate_within(r, 150));
	assert_int_equal(tra_rate_ppm(r), 148); /* 147.0001 rounded up */
	r.fraud_eur_cents = 50;
	assert_false(tra_rate_within(r, 150));
	assert_int_equal(tra_rate_ppm(r), 151); /* 150.00015 rounded up: over, as the exact rate is */

	r = (struct tra_rate){.fraud_eur_cents = 0, .total_eur_cents = 1};
	assert_true(tra_rate_within(r, 0));
	assert_int_equal(tra_rate_ppm(r), 0);
}

static void test_no_payments_is_no_rate_and_meets_no_reference(void **state)
{
	(void)state;
	struct tra_rate none = {0, 0};
	assert_false(tra_rate_known(none));
	assert_false(tra_rate_within(none, 1300));
	assert_int_equal(tra_rate_ppm(none), -1);
	struct tra_rate negative = {-1, 100};
	assert_false(tra_rate_known(negative));
	assert_false(tra_rate_within(negative, 1300));
}

static void test_rates_over_huge_values_are_exact(void **state)
{
	(void)state;
	/* fraud x 10^6 and reference x total are far past 64 bits */
	struct tra_rate r = {.fraud_eur_cents = INT64_MAX / 10000, .total_eur_cents = INT64_MAX};
	assert_true(tra_rate_within(r, 100));
	assert_false(tra_rate_within(r, 99));
	assert_int_equal(tra_rate_ppm(r), 100);
	r.fraud_eur_cents = INT64_MAX;
	assert_true(tra_rate_within(r, TRA_PPM));
	assert_int_equal(tra_rate_ppm(r), TRA_PPM);
}

/* ---- the band choice of art. 18 ---- */

/* a rate of exactly ppm parts per million of 1,000,000 EUR */
static struct tra_rate rate_of(int64_t ppm)
{
	return (struct tra_rate){.fraud_eur_cents = ppm * 100, .total_eur_cents = EUR(1000000)};
}

static void assert_band(struct tra_choice c, enum tra_band band)
{
	assert_true(c.exempt);
	assert_int_equal(c.refusal, TRA_REFUSAL_NONE);
	assert_int_equal(c.band, band);
	assert_int_equal(c.etv_eur_cents, tra_etv_eur_cents[band]);
}

static void assert_refused(struct tra_choice c, enum tra_refusal refusal)
{
	assert_false(c.exempt);
	assert_int_equal(c.refusal, refusal);
	assert_int_equal(c.reference_ppm, 0);
}

static void test_the_band_at_each_etv_and_one_cent_over(void **state)
{
	(void)state;
	/* card at 0.1 %: only the 100 EUR band's 0.13 % is met */
	struct tra_rate r = rate_of(1000);
	assert_band(tra_band_choose(PAYMENT_CARD, EUR(100), r, NULL), TRA_BAND_100);
	assert_refused(tra_band_choose(PAYMENT_CARD, EUR(100) + 1, r, NULL), TRA_REFUSAL_RATE);
	/* card at 0.05 %: the 250 and 100 EUR bands are met; the highest the amount fits applies */
	r = rate_of(500);
	assert_band(tra_band_choose(PAYMENT_CARD, EUR(100), r, NULL), TRA_BAND_250);
	assert_band(tra_band_choose(PAYMENT_CARD, EUR(100) + 1, r, NULL), TRA_BAND_250);
	assert_band(tra_band_choose(PAYMENT_CARD, EUR(250), r, NULL), TRA_BAND_250);
	assert_refused(tra_band_choose(PAYMENT_CARD, EUR(250) + 1, r, NULL), TRA_REFUSAL_RATE);
	/* card at 0.01 %: every band is met */
	r = rate_of(100);
	assert_band(tra_band_choose(PAYMENT_CARD, 1, r, NULL), TRA_BAND_500);
	assert_band(tra_band_choose(PAYMENT_CARD, EUR(250) + 1, r, NULL), TRA_BAND_500);
	assert_band(tra_band_choose(PAYMENT_CARD, EUR(500), r, NULL), TRA_BAND_500);
	assert_refused(tra_band_choose(PAYMENT_CARD, EUR(500) + 1, r, NULL), TRA_REFUSAL_AMOUNT);
	assert_refused(tra_band_choose(PAYMENT_CARD, 0, r, NULL), TRA_REFUSAL_AMOUNT);
	/* the same for credit transfers, at their own references */
	r = rate_of(150);
	assert_band(tra_band_choose(PAYMENT_CREDIT_TRANSFER, EUR(100), r, NULL), TRA_BAND_100);
	assert_refused(tra_band_choose(PAYMENT_CREDIT_TRANSFER, EUR(100) + 1, r, NULL), TRA_REFUSAL_RATE);
	r = rate_of(100);
	assert_band(tra_band_choose(PAYMENT_CREDIT_TRANSFER, EUR(250), r, NULL), TRA_BAND_250);
	assert_refused(tra_band_choose(PAYMENT_CREDIT_TRANSFER, EUR(250) + 1, r, NULL), TRA_REFUSAL_RATE);
	r = rate_of(50);
	assert_band(tra_band_choose(PAYMENT_CREDIT_TRANSFER, EUR(500), r, NULL), TRA_BAND_500);
	assert_refused(tra_band_choose(PAYMENT_CREDIT_TRANSFER, EUR(500) + 1, r, NULL), TRA_REFUSAL_AMOUNT);
}

static void test_the_band_at_each_reference_rate_and_one_unit_over(void **state)
{
	(void)state;
	for (int type = 0; type < PAYMENT_TYPE__MAX; type++) {
		for (int band = 0; band < TRA_BAND__MAX; band++) {
			int64_t ref = tra_reference_ppm((enum payment_type)type, (enum tra_band)band);
			struct tra_rate at = rate_of(ref), over = at;
			over.fraud_eur_cents++; /* one cent of fraud more */
			/* a payment of exactly the band's ETV: that band at the reference ... */
			struct tra_choice c = tra_band_choose((enum payment_type)type, tra_etv_eur_cents[band], at, NULL);
			assert_band(c, (enum tra_band)band);
			assert_int_equal(c.reference_ppm, ref);
			assert_int_equal(c.rate_ppm, ref);
			/* ... and no band one unit over: the higher bands' references are lower still */
			c = tra_band_choose((enum payment_type)type, tra_etv_eur_cents[band], over, NULL);
			assert_refused(c, TRA_REFUSAL_RATE);
			assert_int_equal(c.rate_ppm, ref + 1);
			/* a payment of 1 cent falls to the band below, if there is one */
			c = tra_band_choose((enum payment_type)type, 1, over, NULL);
			if (band == TRA_BAND_100)
				assert_refused(c, TRA_REFUSAL_RATE);
			else
				assert_band(c, (enum tra_band)(band - 1));
		}
	}
}

static void test_a_suspended_band_gives_way_to_the_band_below(void **state)
{
	(void)state;
	struct tra_rate r = rate_of(0); /* payments, and no fraud: every band is met */
	bool suspended[TRA_BAND__MAX] = {false};
	assert_band(tra_band_choose(PAYMENT_CARD, EUR(80), r, suspended), TRA_BAND_500);
	suspended[TRA_BAND_500] = true;
	assert_band(tra_band_choose(PAYMENT_CARD, EUR(80), r, suspended), TRA_BAND_250);
	assert_refused(tra_band_choose(PAYMENT_CARD, EUR(300), r, suspended), TRA_REFUSAL_SUSPENDED);
	suspended[TRA_BAND_250] = true;
	assert_band(tra_band_choose(PAYMENT_CARD, EUR(80), r, suspended), TRA_BAND_100);
	suspended[TRA_BAND_100] = true;
	assert_refused(tra_band_choose(PAYMENT_CARD, EUR(80), r, suspended), TRA_REFUSAL_SUSPENDED);

	/* a rate meeting only the 100 EUR band: that band's suspension decides, not the others' */
	r = rate_of(1300);
	bool only_500[TRA_BAND__MAX] = {[TRA_BAND_500] = true};
	assert_band(tra_band_choose(PAYMENT_CARD, EUR(80), r, only_500), TRA_BAND_100);
	bool only_100[TRA_BAND__MAX] = {[TRA_BAND_100] = true};
	assert_refused(tra_band_choose(PAYMENT_CARD, EUR(80), r, only_100), TRA_REFUSAL_SUSPENDED);
	/* over every reference the amount fits: the rate is why, whatever is suspended */
	assert_refused(tra_band_choose(PAYMENT_CARD, EUR(101), r, only_100), TRA_REFUSAL_RATE);
}

static void test_no_band_without_a_rate(void **state)
{
	(void)state;
	struct tra_choice c = tra_band_choose(PAYMENT_CREDIT_TRANSFER, EUR(10), (struct tra_rate){0, 0}, NULL);
	assert_refused(c, TRA_REFUSAL_NO_RATE);
	assert_int_equal(c.rate_ppm, -1);
	/* the amount is judged first */
	c = tra_band_choose(PAYMENT_CREDIT_TRANSFER, EUR(501), (struct tra_rate){0, 0}, NULL);
	assert_refused(c, TRA_REFUSAL_AMOUNT);
}

/* ---- art. 20: suspension by quarters ---- */

/* the next quarter on the fake clock: its first instant */
static int64_t next_quarter(struct fake_clock *clock)
{
	struct tra_days q = tra_quarter_days(tra_quarter(clock->now_ms));
	clock->now_ms = (q.last + 1) * TRA_DAY_MS;
	return tra_quarter(clock->now_ms);
}

#define REF 100 /* the reference of cards' 500 EUR band, 0.01 % */

static struct tra_quarter_step apply(struct tra_band_state *s, int64_t quarter, int64_t ppm)
{
	struct tra_quarter_step step = tra_quarter_apply(*s, quarter, rate_of(ppm), REF);
	assert_true(step.ok);
	assert_int_equal(step.state.last_quarter, quarter);
	*s = step.state;
	return step;
}

static void test_two_consecutive_quarters_over_suspend_a_band_and_one_does_not(void **state)
{
	(void)state;
	struct fake_clock clock = fake_clock_new();
	struct tra_band_state s = {0};
	struct tra_quarter_step step = apply(&s, tra_quarter(clock.now_ms), REF + 1);
	assert_true(step.over); /* to be reported (art. 20(1)) */
	assert_int_equal(step.change, TRA_BAND_UNCHANGED);
	assert_false(s.suspended);
	step = apply(&s, next_quarter(&clock), REF + 1);
	assert_true(step.over);
	assert_int_equal(step.change, TRA_BAND_SUSPENDED);
	assert_true(s.suspended);
	step = apply(&s, next_quarter(&clock), REF + 1); /* a third: still suspended, no new change */
	assert_true(step.over);
	assert_int_equal(step.change, TRA_BAND_UNCHANGED);
	assert_true(s.suspended);
}

static void test_a_quarter_at_the_reference_between_two_over_breaks_the_run(void **state)
{
	(void)state;
	struct fake_clock clock = fake_clock_new();
	struct tra_band_state s = {0};
	apply(&s, tra_quarter(clock.now_ms), REF + 1);
	struct tra_quarter_step step = apply(&s, next_quarter(&clock), REF); /* exactly at: not over */
	assert_false(step.over);
	assert_int_equal(s.quarters_over, 0);
	step = apply(&s, next_quarter(&clock), REF + 1);
	assert_int_equal(step.change, TRA_BAND_UNCHANGED);
	assert_false(s.suspended);
	step = apply(&s, next_quarter(&clock), REF + 1);
	assert_int_equal(step.change, TRA_BAND_SUSPENDED);
}

static void test_one_quarter_at_or_under_the_reference_resumes_a_suspended_band(void **state)
{
	(void)state;
	struct fake_clock clock = fake_clock_new();
	struct tra_band_state s = {0};
	apply(&s, tra_quarter(clock.now_ms), REF + 1);
	apply(&s, next_quarter(&clock), REF + 1);
	assert_true(s.suspended);
	struct tra_quarter_step step = apply(&s, next_quarter(&clock), REF);
	assert_false(step.over);
	assert_int_equal(step.change, TRA_BAND_RESUMED);
	assert_false(s.suspended);
	/* resumed, one quarter over does not suspend again; two do */
	step = apply(&s, next_quarter(&clock), REF + 1);
	assert_int_equal(step.change, TRA_BAND_UNCHANGED);
	assert_false(s.suspended);
	step = apply(&s, next_quarter(&clock), REF + 1);
	assert_int_equal(step.change, TRA_BAND_SUSPENDED);
	step = apply(&s, next_quarter(&clock), 0); /* well under */
	assert_int_equal(step.change, TRA_BAND_RESUMED);
}

static void test_a_quarter_without_payments_changes_nothing(void **state)
{
	(void)state;
	struct fake_clock clock = fake_clock_new();
	struct tra_band_state s = {0};
	apply(&s, tra_quarter(clock.now_ms), REF + 1);
	struct tra_quarter_step step = tra_quarter_apply(s, next_quarter(&clock), (struct tra_rate){0, 0}, REF);
	assert_true(step.ok);
	assert_false(step.over);
	assert_int_equal(step.state.quarters_over, 1); /* the run goes on */
	s = step.state;
	step = apply(&s, next_quarter(&clock), REF + 1);
	assert_int_equal(step.change, TRA_BAND_SUSPENDED);
	step = tra_quarter_apply(s, next_quarter(&clock), (struct tra_rate){0, 0}, REF);
	assert_true(step.ok);
	assert_true(step.state.suspended); /* nothing shown within the reference: still suspended */
	assert_int_equal(step.change, TRA_BAND_UNCHANGED);
}

static void test_quarters_apply_once_each_and_in_order(void **state)
{
	(void)state;
	struct fake_clock clock = fake_clock_new();
	struct tra_band_state s = {0};
	int64_t q = tra_quarter(clock.now_ms);
	apply(&s, q, REF + 1);
	struct tra_quarter_step step = tra_quarter_apply(s, q, rate_of(REF + 1), REF); /* again */
	assert_false(step.ok);
	assert_int_equal(step.state.quarters_over, 1);
	assert_false(step.state.suspended);
	step = tra_quarter_apply(s, q + 2, rate_of(REF + 1), REF); /* a quarter skipped */
	assert_false(step.ok);
	assert_int_equal(step.state.last_quarter, q);
	step = tra_quarter_apply(s, q - 1, rate_of(REF + 1), REF);
	assert_false(step.ok);
	step = tra_quarter_apply(s, q + 1, rate_of(REF + 1), REF);
	assert_true(step.ok);
	assert_true(step.state.suspended);
}

/* ---- days, quarters and the 90-day window's buckets ---- */

static void assert_quarter_text(int64_t ms)
{
	char text[8], mine[32];
	quarter_of(ms, text);
	int64_t q = tra_quarter(ms);
	snprintf(mine, sizeof mine, "%lldQ%d", (long long)(q / 4), (int)(q % 4) + 1);
	assert_string_equal(mine, text);
}

static void test_the_day_and_quarter_of_a_time(void **state)
{
	(void)state;
	struct fake_clock clock = fake_clock_new(); /* 2026-11-18T11:06:40Z */
	assert_int_equal(tra_day(clock.now_ms), 20775);
	assert_int_equal(tra_day(0), 0);
	assert_int_equal(tra_day(TRA_DAY_MS - 1), 0);
	assert_int_equal(tra_day(-1), -1);
	assert_int_equal(tra_day(-TRA_DAY_MS), -1);
	assert_int_equal(tra_day(-TRA_DAY_MS - 1), -2);
	assert_int_equal(tra_quarter(clock.now_ms), 2026 * 4 + 3);
	/* the year turns at 2027-01-01T00:00:00Z */
	clock.now_ms = 1798761600000LL;
	assert_int_equal(tra_day(clock.now_ms), 20819);
	assert_int_equal(tra_quarter(clock.now_ms), 2027 * 4 + 0);
	assert_int_equal(tra_quarter(clock.now_ms - 1), 2026 * 4 + 3);
	assert_int_equal(tra_day(clock.now_ms - 1), 20818);
	/* 2028-02-29, a leap day, is in the first quarter */
	assert_int_equal(tra_day(1835395200000LL), 21243);
	assert_int_equal(tra_quarter(1835395200000LL + TRA_DAY_MS - 1), 2028 * 4 + 0);
	assert_int_equal(tra_quarter(1835395200000LL + TRA_DAY_MS * 2), 2028 * 4 + 0); /* 03-02 */
	/* the same quarters as the exemption ledger's report (transaction.h's quarter_of) */
	for (int64_t ms = 1767225600000LL - 1; ms < 1900000000000LL; ms += 13 * TRA_DAY_MS + 1)
		assert_quarter_text(ms);
	assert_quarter_text(0);
}

static void test_the_days_of_a_quarter(void **state)
{
	(void)state;
	struct tra_days d = tra_quarter_days(2026 * 4 + 3); /* 2026-10-01 to 2026-12-31 */
	assert_int_equal(d.first, 20727);
	assert_int_equal(d.last, 20818);
	d = tra_quarter_days(2027 * 4 + 0); /* 90 days */
	assert_int_equal(d.first, 20819);
	assert_int_equal(d.last - d.first + 1, 90);
	d = tra_quarter_days(2028 * 4 + 0); /* 91 days: 2028-02-29 */
	assert_int_equal(d.first, 21184);
	assert_int_equal(d.last, 21274);
	assert_int_equal(tra_quarter_days(2028 * 4 + 1).first, 21275); /* 2028-04-01 */
	assert_int_equal(tra_quarter_days(2026 * 4 + 1).last - tra_quarter_days(2026 * 4 + 1).first + 1, 91);
	assert_int_equal(tra_quarter_days(2026 * 4 + 2).last - tra_quarter_days(2026 * 4 + 2).first + 1, 92);
	/* every quarter starts the day after the last one ends, and holds its own days */
	for (int64_t q = 1970 * 4; q < 2100 * 4; q++) {
		struct tra_days a = tra_quarter_days(q), b = tra_quarter_days(q + 1);
		assert_int_equal(b.first, a.last + 1);
		assert_int_equal(tra_quarter(a.first * TRA_DAY_MS), q);
		assert_int_equal(tra_quarter(a.last * TRA_DAY_MS + TRA_DAY_MS - 1), q);
	}
}

/* A payer-independent ledger of daily buckets, as the store keeps them. */
#define LEDGER_DAYS 600
struct ledger {
	int64_t first_day;
	int64_t total[LEDGER_DAYS], fraud[LEDGER_DAYS];
};

static void ledger_pay(struct ledger *l, int64_t at, int64_t cents, bool fraud)
{
	int64_t i = tra_day(at) - l->first_day;
	l->total[i] += cents;
	if (fraud)
		l->fraud[i] += cents;
}

static struct tra_rate ledger_rate(const struct ledger *l, int64_t now)
{
	struct tra_days w = tra_window(now);
	struct tra_rate r = {0, 0};
	for (int64_t d = w.first; d <= w.last; d++) {
		r.total_eur_cents += l->total[d - l->first_day];
		r.fraud_eur_cents += l->fraud[d - l->first_day];
	}
	return r;
}

static void test_the_window_is_the_90_days_ending_today(void **state)
{
	(void)state;
	struct fake_clock clock = fake_clock_new();
	struct tra_days w = tra_window(clock.now_ms);
	assert_int_equal(w.last, 20775);
	assert_int_equal(w.last - w.first + 1, TRA_WINDOW_DAYS);
	/* on 2027-01-15 it reaches back to 2026-10-18: two quarters and two years */
	w = tra_window(1799971200000LL + 12345);
	assert_int_equal(w.first, 20744);
	assert_int_equal(w.last, 20833);
	struct tra_days q4 = tra_quarter_days(2026 * 4 + 3), q1 = tra_quarter_days(2027 * 4 + 0);
	assert_int_equal((q4.last - w.first + 1) + (w.last - q1.first + 1), TRA_WINDOW_DAYS);
}

static void test_a_payment_counts_in_the_rate_for_90_days_then_drops_out(void **state)
{
	(void)state;
	static struct ledger l;
	memset(&l, 0, sizeof l);
	struct fake_clock clock = fake_clock_new();
	clock.now_ms = 1835395200000LL; /* 2028-02-29T00:00Z, a leap day */
	l.first_day = tra_day(clock.now_ms) - 200;
	ledger_pay(&l, clock.now_ms - 1, EUR(1000), false); /* 2028-02-28T23:59:59.999Z */
	ledger_pay(&l, clock.now_ms, EUR(50), true);        /* fraud on the leap day */
	ledger_pay(&l, clock.now_ms + TRA_DAY_MS - 1, EUR(1000), false);

	struct tra_rate r = ledger_rate(&l, clock.now_ms);
	assert_int_equal(r.total_eur_cents, EUR(2050));
	assert_int_equal(r.fraud_eur_cents, EUR(50));
	/* 89 days on (2028-05-27, in the next quarter) all three still count, to the last ms */
	fake_clock_advance(&clock, 88 * TRA_DAY_MS + TRA_DAY_MS - 1);
	assert_int_equal(tra_quarter(clock.now_ms), 2028 * 4 + 1);
	r = ledger_rate(&l, clock.now_ms);
	assert_int_equal(r.total_eur_cents, EUR(2050));
	/* at midnight the bucket of 02-28 leaves the window, the leap day's stays */
	fake_clock_advance(&clock, 1);
	r = ledger_rate(&l, clock.now_ms);
	assert_int_equal(r.total_eur_cents, EUR(1050));
	assert_int_equal(r.fraud_eur_cents, EUR(50));
	assert_int_equal(tra_rate_ppm(r), (EUR(50) * TRA_PPM + EUR(1050) - 1) / EUR(1050));
	/* a day later the leap day's bucket leaves too, the fraud with it */
	fake_clock_advance(&clock, TRA_DAY_MS - 1);
	assert_int_equal(ledger_rate(&l, clock.now_ms).total_eur_cents, EUR(1050));
	fake_clock_advance(&clock, 1);
	r = ledger_rate(&l, clock.now_ms);
	assert_int_equal(r.total_eur_cents, 0);
	assert_int_equal(r.fraud_eur_cents, 0);
	assert_false(tra_rate_known(r));
}

static void test_a_quarter_has_one_name_and_reads_back(void **state)
{
	(void)state;
	char name[8];
	int64_t q;
	tra_quarter_name(2026 * 4 + 3, name);
	assert_string_equal(name, "2026Q4");
	assert_true(tra_quarter_parse("2026Q4", &q));
	assert_int_equal(q, 2026 * 4 + 3);
	assert_true(tra_quarter_parse("1970Q1", &q));
	assert_int_equal(q, 1970 * 4);
	assert_int_equal(tra_quarter(days_from_civil(2027, 1) * TRA_DAY_MS), 2027 * 4); /* names the quarter of a time */
	static const char *const bad[] = {"2026Q5", "2026Q0", "2026q4", "26Q4", "2026Q41", "1969Q4", "20x6Q1", "", "Q4"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(tra_quarter_parse(bad[i], &q));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_reference_rates_of_the_annex),
		cmocka_unit_test(test_a_rate_exactly_at_the_reference_meets_it_and_one_cent_more_does_not),
		cmocka_unit_test(test_no_payments_is_no_rate_and_meets_no_reference),
		cmocka_unit_test(test_rates_over_huge_values_are_exact),
		cmocka_unit_test(test_the_band_at_each_etv_and_one_cent_over),
		cmocka_unit_test(test_the_band_at_each_reference_rate_and_one_unit_over),
		cmocka_unit_test(test_a_suspended_band_gives_way_to_the_band_below),
		cmocka_unit_test(test_no_band_without_a_rate),
		cmocka_unit_test(test_two_consecutive_quarters_over_suspend_a_band_and_one_does_not),
		cmocka_unit_test(test_a_quarter_at_the_reference_between_two_over_breaks_the_run),
		cmocka_unit_test(test_one_quarter_at_or_under_the_reference_resumes_a_suspended_band),
		cmocka_unit_test(test_a_quarter_without_payments_changes_nothing),
		cmocka_unit_test(test_quarters_apply_once_each_and_in_order),
		cmocka_unit_test(test_the_day_and_quarter_of_a_time),
		cmocka_unit_test(test_the_days_of_a_quarter),
		cmocka_unit_test(test_the_window_is_the_90_days_ending_today),
		cmocka_unit_test(test_a_payment_counts_in_the_rate_for_90_days_then_drops_out),
		cmocka_unit_test(test_a_quarter_has_one_name_and_reads_back),
	};
	return cmocka_run_group_tests_name("core/tra", tests, NULL, NULL);
}
