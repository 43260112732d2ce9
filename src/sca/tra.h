/*
 * tra.h: the transaction risk analysis exemption as the domain runs it (RTS art. 18 to 21;
 * docs/transactions.md): the application's settings, the assessment of one payment (its
 * facts loaded first, then core/risk.h's analysis and core/tra.h's band), the remote payments
 * every allowed payment becomes (with their cancellation, import and fraud reports, which move
 * the daily buckets the fraud rate is summed from), and the quarterly monitoring of art. 20
 * with the figures art. 21 asks to be recorded.
 */
#ifndef TF_SCA_TRA_H
#define TF_SCA_TRA_H
#include <jansson.h>

#include "core/risk.h"
#include "core/tra.h"
#include "sca/context.h"

/* ---- settings: apps.tra, {"enabled": bool, "types": [...], "high_risk_countries": [...]} ---- */

#define TRA_HIGH_RISK_MAX 64
struct tra_settings {
	bool enabled;
	bool types[PAYMENT_TYPE__MAX];
	char high_risk[TRA_HIGH_RISK_MAX][RISK_COUNTRY_SIZE];
	size_t n_high_risk;
};

/* Reads the stored settings text ("" is off). */
void sca_tra_settings_read(const char *text, struct tra_settings *out);
/* The settings v as given to POST/PATCH /v1/admin/apps (null turns TRA off), checked and
 * written as stored (malloc'd; "" when off); NULL when v is not valid settings. */
char *sca_tra_settings_text(const json_t *v);
/* The settings as the application's view shows them. */
json_t *sca_tra_settings_json(const char *text);

/* ---- one payment's assessment ---- */

/* What the platform tells about a payment (the transaction's "risk" object); NULL or "" for
 * what it does not know. */
struct sca_risk_signals {
	const char *payer_country;  /* ISO 3166-1 alpha-2 */
	const char *payee_country;  /* defaults to the country of an IBAN payee account */
	const char *device_id;      /* the platform's id of the payer's device or browser */
	const char *device_cookie;  /* a twofold device cookie */
	const char *client_ip;
	bool malware;
};

/* Why the exemption was not applied, beyond core/tra.h's refusals. */
enum sca_tra_refusal {
	SCA_TRA_APPLIED,
	SCA_TRA_RISK,      /* the risk analysis found a risk */
	SCA_TRA_CURRENCY,  /* the value in euros is unknown (no low_value_rates for the currency) */
	SCA_TRA_AMOUNT,
	SCA_TRA_NO_RATE,
	SCA_TRA_RATE,
	SCA_TRA_SUSPENDED,
};
extern const char *const sca_tra_refusal_names[]; /* "" for applied, then risk, currency ... */

struct sca_tra_assessment {
	struct risk_result risk;
	struct tra_choice choice;     /* the band, its reference and the rate compared */
	enum sca_tra_refusal refusal; /* SCA_TRA_APPLIED when the exemption applies */
};

/* Whether the application tries the exemption for payments of type. */
bool sca_tra_enabled(const struct app_row *app, enum payment_type type);

/* Assesses a payment of user_id for the exemption, inside the caller's write transaction
 * (the payer's lock is held, so concurrent payments of one payer see each other): the facts
 * of core/risk.h and the type's 90-day rate and bands' states, loaded first. */
enum tf_err sca_tra_assess(const struct sca_ctx *ctx, const char *user_id, const struct transaction *tx,
			   enum payment_type type, bool eur_known, int64_t eur_cents, const struct sca_risk_signals *sig,
			   struct sca_tra_assessment *out);

/* The remote payment an allowed decision makes (exemption "" for SCA; band the ETV in euros
 * of transaction_risk_analysis, else 0), recorded in the caller's write transaction; a
 * payment authenticated with SCA also teaches the payer's country and device. payment_id gets
 * its id. */
enum tf_err sca_payment_record(const struct sca_ctx *ctx, const char *user_id, const struct transaction *tx,
			       enum payment_type type, int64_t eur_cents, const char *exemption, int band,
			       const struct sca_risk_signals *sig, char payment_id[TF_ID_MAX]);

/* ---- payments, imports and fraud reports (each in a transaction of its own) ---- */

enum tf_err sca_payment_get(const struct sca_ctx *ctx, const char *payment_id, struct payment_row *out);
/* Takes back a payment never executed: out of every figure. TF_OK also when it was cancelled
 * before; STATE_CONFLICT when a fraud report names it; NOT_FOUND. Audited. */
enum tf_err sca_payment_cancel(const struct sca_ctx *ctx, const char *payment_id, struct payment_row *out);

/* One payment twofold did not decide (made before twofold, or authenticated elsewhere): all
 * remote payments of a type count in its fraud rate (art. 19(1)). */
struct sca_payment_import {
	const char *user_id;         /* NULL: no user of twofold */
	enum payment_type type;
	struct transaction tx;       /* amount, currency, payee_account ("" when unknown) */
	int64_t executed_at;
	const char *exemption;       /* "" for SCA */
	int band;                    /* transaction_risk_analysis: 100, 250 or 500 */
	const char *payer_country;   /* "" when unknown */
	const char *device_id;       /* "" when unknown */
	const char *client_ip;       /* "" when unknown */
};
#define SCA_IMPORT_MAX 500
/* Imports n payments in one transaction, all or none; ids[i] gets each one's id. On
 * INVALID_FIELD, *bad is the index of the first bad item and *bad_field its field. */
enum tf_err sca_payments_import(const struct sca_ctx *ctx, const struct sca_payment_import *items, size_t n,
				char (*ids)[TF_ID_MAX], size_t *bad, const char **bad_field);

/* Records the fraud report of a payment (kind "unauthorised" or "manipulated_payer",
 * reported_at between its execution and now); *created false when a report named it before
 * (*out holds that one). STATE_CONFLICT for a cancelled payment; NOT_FOUND; INVALID_FIELD
 * for a reported_at out of range. Audited. */
enum tf_err sca_fraud_report(const struct sca_ctx *ctx, const char *payment_id, const char *kind, int64_t reported_at,
			     struct payment_row *out, bool *created);
#define SCA_FRAUD_LIST_MAX 1000
enum tf_err sca_fraud_reports(const struct sca_ctx *ctx, const char *user_id, int64_t from, int64_t to,
			      struct payment_row *out, size_t max, size_t *n);

/* ---- monitoring (art. 20, 21) ---- */

/* One band's evaluation of one quarter, as sca_tra_evaluate reports it. */
struct sca_tra_evaluated {
	struct tra_evaluation_row row;
	int64_t rate_ppm, reference_ppm;
	enum tra_band_change change;
};
typedef void (*sca_tra_evaluated_fn)(void *arg, const struct sca_tra_evaluated *ev);

/* Evaluates, for every application with payments, every type and band, each quarter after
 * the last one evaluated (the first: its first payment's) through through_quarter, in order
 * (core/tra.h's tra_quarter_apply). A suspension or resumption is audited, logged, counted
 * and sent as an event message (channel "event"). Safe on several nodes at once: a band's
 * state moves only from the state it was read in. */
enum tf_err sca_tra_evaluate(const struct sca_ctx *ctx, int64_t through_quarter, sca_tra_evaluated_fn visit, void *arg);

/* The background thread that runs sca_tra_evaluate through the last ended quarter every
 * sweep_interval (sca/tra_monitor.c); NULL when it cannot start. */
struct tra_monitor;
struct tra_monitor *sca_tra_monitor_start(struct tf_service *svc);
void sca_tra_monitor_stop(struct tra_monitor *m); /* NULL: nothing */

/* The figures of a quarter: the buckets' sums per application, type, authentication and band,
 * the quarter's evaluations, and the bands' states now. */
#define SCA_TRA_REPORT_MAX 4096
struct sca_tra_report {
	struct tra_sums *sums;
	size_t n_sums;
	struct tra_evaluation_row *evaluations;
	size_t n_evaluations;
	struct tra_band_row *bands;
	size_t n_bands;
};
enum tf_err sca_tra_report(const struct sca_ctx *ctx, int64_t quarter, struct sca_tra_report *out);
void sca_tra_report_free(struct sca_tra_report *r);

#endif
