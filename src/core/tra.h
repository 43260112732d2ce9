/*
 * tra.h: the numbers of the transaction risk analysis exemption (RTS art. 18 to 20, Delegated
 * Regulation (EU) 2018/389), as pure functions over integers: the reference fraud rates of the
 * annex, the fraud rate of art. 19 and its exact comparison with a reference, the choice of the
 * exemption threshold value (ETV) band for a payment (art. 18(2)(a) and (b)), the quarterly
 * suspension and resumption of a band (art. 20), and the day and quarter arithmetic that lets
 * the store keep daily buckets instead of scanning 90 days of payments. The real-time risk
 * analysis that must also find the payment low-risk is core/risk.h.
 *
 * Units. Money is in euro cents (int64). A rate is parts per million of the value (ppm): every
 * rate of the annex is a whole number of ppm (the finest, 0.005 %, is 50 ppm), so the table is
 * exact; an observed rate is never rounded to be compared, it stays the fraction fraud / total
 * and is compared by cross-multiplying in 128 bits (fraud * 10^6 <= reference * total). Shown as
 * ppm it is rounded up, which keeps the comparison's answer: with an integer reference r,
 * fraud / total <= r / 10^6 exactly when the rate rounded up to ppm is <= r.
 *
 * Buckets. A day is a UTC day, numbered from 1970-01-01 (day 0): the index of its bucket. The
 * store keeps per application, payment type, band and day the count and value of the remote
 * payments and the value found fraudulent. A decision at time t reads the rate of the type over
 * the TRA_WINDOW_DAYS buckets ending with t's own day (tra_window: art. 19's "rolling quarterly
 * basis (90 days)", today's bucket being the day so far), summed over the type's bands and its
 * payments authenticated with SCA (art. 19(1): all remote payments of the type count, with SCA
 * or exempted). A quarter is a calendar quarter: its figures are the sums of its days' buckets
 * (tra_quarter_days).
 */
#ifndef TF_CORE_TRA_H
#define TF_CORE_TRA_H
#include <stdbool.h>
#include <stdint.h>

#include "base/names.h"

/* The bands of the annex, by exemption threshold value. */
enum tra_band { TRA_BAND_100, TRA_BAND_250, TRA_BAND_500, TRA_BAND__MAX };
extern const int64_t tra_etv_eur_cents[TRA_BAND__MAX]; /* 10000, 25000, 50000 */

#define TRA_PPM 1000000 /* a rate of 1 is 10^6 ppm; 0.01 % is 100 ppm */

/* The reference fraud rate of the annex, in ppm:
 *   ETV       remote card-based payments   remote credit transfers
 *   500 EUR   0.01 %  =  100 ppm           0.005 % =  50 ppm
 *   250 EUR   0.06 %  =  600 ppm           0.01 %  = 100 ppm
 *   100 EUR   0.13 %  = 1300 ppm           0.015 % = 150 ppm
 * -1 for a type or band out of range. */
int64_t tra_reference_ppm(enum payment_type type, enum tra_band band);

/* A fraud rate (art. 19(1)): the value of the unauthorised or fraudulent remote payments of a
 * type over the value of all remote payments of that type, over a window. */
struct tra_rate {
	int64_t fraud_eur_cents;
	int64_t total_eur_cents;
};

/* Whether the rate exists: some value was paid (total > 0) and the fraud is not negative. A
 * window without payments has no rate and meets no reference. */
bool tra_rate_known(struct tra_rate r);

/* Whether the rate is known and "equivalent to or below" the reference (art. 18(2)(a), art.
 * 20(3)): fraud / total <= reference_ppm / 10^6, exactly. Over the reference is its negation
 * for a known rate. */
bool tra_rate_within(struct tra_rate r, int64_t reference_ppm);

/* The rate in ppm rounded up, -1 when unknown. */
int64_t tra_rate_ppm(struct tra_rate r);

/* Why no band applies. */
enum tra_refusal {
	TRA_REFUSAL_NONE,
	TRA_REFUSAL_AMOUNT,    /* the amount is over the highest ETV, 500 EUR (or not positive) */
	TRA_REFUSAL_NO_RATE,   /* no payment of the type in the window: no rate to meet a reference */
	TRA_REFUSAL_RATE,      /* the rate is over the reference of every band whose ETV covers the amount */
	TRA_REFUSAL_SUSPENDED, /* the bands the rate meets and the amount fits are all suspended (art. 20) */
};

struct tra_choice {
	bool exempt;
	enum tra_refusal refusal; /* TRA_REFUSAL_NONE when exempt */
	enum tra_band band;       /* when exempt, the band applied ... */
	int64_t etv_eur_cents;    /* ... its ETV ... */
	int64_t reference_ppm;    /* ... and its reference rate; 0 when not exempt */
	int64_t rate_ppm;         /* the type's rate that was compared, rounded up; -1 when unknown */
};

/* The band of art. 18 for a payment of type and amount, given the type's rate over the window
 * (tra_window) and which of the type's bands are suspended (art. 20; NULL: none): the highest
 * band whose ETV the amount does not exceed, whose reference rate the rate meets
 * (tra_rate_within), and that is not suspended. Reference rates fall as the ETV rises, so a payment of 80 EUR may use
 * the 500 EUR band; with that band suspended, the 250 EUR band. Whether the exemption applies
 * also needs the risk analysis to find the payment low-risk (core/risk.h). */
struct tra_choice tra_band_choose(enum payment_type type, int64_t amount_eur_cents, struct tra_rate rate,
				  const bool suspended[TRA_BAND__MAX]);

/* Days and quarters. */
#define TRA_DAY_MS (24LL * 3600 * 1000)
#define TRA_WINDOW_DAYS 90

struct tra_days {
	int64_t first, last; /* day numbers, both included */
};

/* The UTC day of a time in milliseconds since 1970 (rounded down, also before 1970). */
int64_t tra_day(int64_t ms);

/* The buckets a decision at now sums: the TRA_WINDOW_DAYS days ending with now's day. */
struct tra_days tra_window(int64_t now);

/* A calendar quarter as one integer, year * 4 + (quarter - 1) (2026Q4 is 8107), so that the next
 * quarter is one more; and the days it spans (90 to 92). */
int64_t tra_quarter(int64_t ms);
struct tra_days tra_quarter_days(int64_t quarter);
/* A quarter's name, "2026Q4" (years 1970 to 9999), and back: false for anything else; the
 * names are core/transaction.h's quarter_of and quarter_bounds. */
void tra_quarter_name(int64_t quarter, char out[8]);
bool tra_quarter_parse(const char *name, int64_t *quarter);

/* The suspension of one band of one payment type for one application (art. 20), moved on by
 * each quarter's figures in order:
 *
 *   open --over--> open, 1 quarter over --over--> SUSPENDED --within--> open
 *     ^                  |                           |  ^
 *     +-----within-------+                           +--+ over
 *
 * "over": the quarter's rate exceeds the band's reference (art. 20(1): to be reported to the
 * competent authority); two consecutive quarters over suspend the band (art. 20(2)); one
 * quarter at or below the reference resumes it (art. 20(3)). A quarter without payments has no
 * rate: it is neither over nor within, and leaves the count and the suspension as they were
 * (it neither breaks a run of quarters over nor ends a suspension). */
struct tra_band_state {
	int64_t last_quarter; /* the last quarter applied (tra_quarter); 0 before the first */
	int quarters_over;    /* consecutive quarters over the reference, 0 to 2 */
	bool suspended;
};

enum tra_band_change { TRA_BAND_UNCHANGED, TRA_BAND_SUSPENDED, TRA_BAND_RESUMED };

struct tra_quarter_step {
	bool ok;                    /* false when quarter is not the one after last_quarter (or the
				     * first): the state is returned unchanged */
	struct tra_band_state state;
	bool over;                  /* the quarter's rate is known and over the reference */
	enum tra_band_change change;
};

struct tra_quarter_step tra_quarter_apply(struct tra_band_state s, int64_t quarter, struct tra_rate quarter_rate,
					  int64_t reference_ppm);

#endif
