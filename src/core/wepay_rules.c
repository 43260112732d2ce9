/* wepay_rules.c: the WePay face's decisions (see wepay_rules.h). */
#include "core/wepay_rules.h"

#include "core/challenge.h"

bool wepay_enrolment_resend(const struct wepay_resend_facts *f, int64_t now)
{
	bool recent = f->sends && now - f->last_sent_at < RESEND_SPACING_MS;
	return !(f->open && (!f->sends || (recent && !f->force_voice)));
}

enum wepay_default_change wepay_default_on_enrol(bool backup, bool preferred, bool other_default)
{
	if (!backup && !other_default && !preferred)
		return WEPAY_DEFAULT_SET;
	if (backup && preferred)
		return WEPAY_DEFAULT_CLEAR;
	return WEPAY_DEFAULT_KEEP;
}

int wepay_default_heir(const struct wepay_heir_facts *list, size_t n)
{
	int heir = -1;
	for (size_t i = 0; i < n; i++) {
		if (list[i].eligible && list[i].preferred)
			return -1; /* a default remains */
		if (list[i].eligible && list[i].active && heir < 0)
			heir = (int)i;
	}
	return heir;
}
