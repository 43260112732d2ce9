/*
 * wepay_rules.h: the WePay face's decisions as pure functions over facts the domain loads
 * first (sca/wepay.c; seed-apis.md section 1): when a pending factor's code is sent again,
 * what becomes of the default when a factor is enrolled, and which factor inherits the
 * default when reset discards it. No I/O; the time is passed in.
 */
#ifndef TF_CORE_WEPAY_RULES_H
#define TF_CORE_WEPAY_RULES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A pending factor's enrolment challenge as send_challenge finds it. */
struct wepay_resend_facts {
	bool open;            /* it is this session's, pending and unexpired */
	bool sends;           /* the factor's kind sends a code (sms, voice) */
	int64_t last_sent_at; /* when its code went out */
	bool force_voice;     /* the caller asks for the code by a voice call */
};

/* Whether a new enrolment challenge is issued: not while the open one stands, which it does
 * for a kind that sends nothing, and for a code sent less than RESEND_SPACING_MS before now
 * unless force_voice asks for a call. (The native spacing then decides whether it may go.) */
bool wepay_enrolment_resend(const struct wepay_resend_facts *f, int64_t now);

/* What enrolling a factor does to the user's default. */
enum wepay_default_change {
	WEPAY_DEFAULT_KEEP,  /* nothing changes */
	WEPAY_DEFAULT_SET,   /* the new factor becomes the default */
	WEPAY_DEFAULT_CLEAR, /* no factor is preferred any more */
};
/* The first factor that is not backup becomes the default; backup never is one (a backup
 * factor the native rules made preferred stops being so). backup, preferred: the new factor's;
 * other_default: another factor is the default. */
enum wepay_default_change wepay_default_on_enrol(bool backup, bool preferred, bool other_default);

/* A factor as the heir rule sees it, oldest first. */
struct wepay_heir_facts {
	bool eligible;  /* of a WePay type, and not backup */
	bool preferred;
	bool active;
};
/* The factor that becomes the default after reset discarded it: the oldest active eligible one,
 * when no eligible factor is the default; -1 when nothing changes. */
int wepay_default_heir(const struct wepay_heir_facts *list, size_t n);

#endif
