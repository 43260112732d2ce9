/*
 * tra.c: the reference rates, the rate comparison, the band choice, the quarterly suspension
 * and the day and quarter arithmetic of the transaction risk analysis exemption (tra.h). Pure
 * integer arithmetic; products are taken in 128 bits so that no value of int64 overflows.
 */
#include "core/tra.h"

#include "core/timefmt.h"
#include "core/transaction.h"

typedef __int128 wide;

const int64_t tra_etv_eur_cents[TRA_BAND__MAX] = {
	[TRA_BAND_100] = 10000, [TRA_BAND_250] = 25000, [TRA_BAND_500] = 50000,
};

/* the annex of Delegated Regulation (EU) 2018/389, in ppm */
static const int64_t reference_ppm[PAYMENT_TYPE__MAX][TRA_BAND__MAX] = {
	[PAYMENT_CARD] = {[TRA_BAND_500] = 100, [TRA_BAND_250] = 600, [TRA_BAND_100] = 1300},
	[PAYMENT_CREDIT_TRANSFER] = {[TRA_BAND_500] = 50, [TRA_BAND_250] = 100, [TRA_BAND_100] = 150},
};

int64_t tra_reference_ppm(enum payment_type type, enum tra_band band)
{
	if ((unsigned)type >= PAYMENT_TYPE__MAX || (unsigned)band >= TRA_BAND__MAX)
		return -1;
	return reference_ppm[type][band];
}

bool tra_rate_known(struct tra_rate r)
{
	return r.total_eur_cents > 0 && r.fraud_eur_cents >= 0;
}

bool tra_rate_within(struct tra_rate r, int64_t ref_ppm)
{
	return tra_rate_known(r) && ref_ppm >= 0 &&
	       (wide)r.fraud_eur_cents * TRA_PPM <= (wide)ref_ppm * r.total_eur_cents;
}

int64_t tra_rate_ppm(struct tra_rate r)
{
	if (!tra_rate_known(r))
		return -1;
	wide num = (wide)r.fraud_eur_cents * TRA_PPM;
	return (int64_t)((num + r.total_eur_cents - 1) / r.total_eur_cents);
}

struct tra_choice tra_band_choose(enum payment_type type, int64_t amount_eur_cents, struct tra_rate rate,
				  const bool suspended[TRA_BAND__MAX])
{
	struct tra_choice c = {.refusal = TRA_REFUSAL_AMOUNT, .rate_ppm = tra_rate_ppm(rate)};
	if (amount_eur_cents <= 0 || amount_eur_cents > tra_etv_eur_cents[TRA_BAND__MAX - 1])
		return c;
	if (!tra_rate_known(rate)) {
		c.refusal = TRA_REFUSAL_NO_RATE;
		return c;
	}
	c.refusal = TRA_REFUSAL_RATE;
	for (int b = TRA_BAND__MAX - 1; b >= 0; b--) {
		int64_t ref = tra_reference_ppm(type, (enum tra_band)b);
		if (amount_eur_cents > tra_etv_eur_cents[b] || !tra_rate_within(rate, ref))
			continue;
		if (suspended && suspended[b]) {
			c.refusal = TRA_REFUSAL_SUSPENDED;
			continue;
		}
		c.exempt = true;
		c.refusal = TRA_REFUSAL_NONE;
		c.band = (enum tra_band)b;
		c.etv_eur_cents = tra_etv_eur_cents[b];
		c.reference_ppm = ref;
		return c;
	}
	return c;
}

int64_t tra_day(int64_t ms)
{
	return ms >= 0 ? ms / TRA_DAY_MS : -((-(ms + 1)) / TRA_DAY_MS) - 1;
}

struct tra_days tra_window(int64_t now)
{
	int64_t today = tra_day(now);
	return (struct tra_days){today - (TRA_WINDOW_DAYS - 1), today};
}

int64_t tra_quarter(int64_t ms)
{
	int64_t year;
	int month, day;
	civil_from_days(tra_day(ms), &year, &month, &day);
	return year * 4 + (month - 1) / 3;
}

struct tra_days tra_quarter_days(int64_t quarter)
{
	int64_t year = quarter >= 0 ? quarter / 4 : -((-quarter - 1) / 4) - 1;
	int q = (int)(quarter - year * 4); /* 0..3 */
	int64_t first = days_from_civil(year, q * 3 + 1);
	int64_t next = q == 3 ? days_from_civil(year + 1, 1) : days_from_civil(year, q * 3 + 4);
	return (struct tra_days){first, next - 1};
}

struct tra_quarter_step tra_quarter_apply(struct tra_band_state s, int64_t quarter, struct tra_rate quarter_rate,
					  int64_t ref_ppm)
{
	struct tra_quarter_step step = {.state = s, .change = TRA_BAND_UNCHANGED};
	if (s.last_quarter != 0 && quarter != s.last_quarter + 1)
		return step;
	step.ok = true;
	step.state.last_quarter = quarter;
	if (!tra_rate_known(quarter_rate))
		return step;
	step.over = !tra_rate_within(quarter_rate, ref_ppm);
	if (step.over) {
		if (step.state.quarters_over < 2)
			step.state.quarters_over++;
		if (!step.state.suspended && step.state.quarters_over >= 2) {
			step.state.suspended = true;
			step.change = TRA_BAND_SUSPENDED;
		}
	} else {
		step.state.quarters_over = 0;
		if (step.state.suspended) {
			step.state.suspended = false;
			step.change = TRA_BAND_RESUMED;
		}
	}
	return step;
}

void tra_quarter_name(int64_t quarter, char out[8])
{
	quarter_of(tra_quarter_days(quarter).first * TRA_DAY_MS, out);
}

bool tra_quarter_parse(const char *name, int64_t *quarter)
{
	int64_t from, to;
	if (!quarter_bounds(name, &from, &to))
		return false;
	*quarter = tra_quarter(from);
	return true;
}
