/* fuzz_locale.c: libFuzzer target for the language parsers fed by requests and partners: the
 * Accept-Language header (l10n_choose), a locale tag (l10n_tag_valid, l10n_from_tag and an
 * amount written in it), and the SMS size of any text (sms_measure). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/sms_size.h"
#include "l10n/l10n.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = strndup((const char *)data, size); /* what the parsers see: a C string */
	if (!text)
		return 0;
	struct l10n l = l10n_choose(NULL, NULL, text);
	if ((unsigned)l.lang >= LANG_COUNT || !l.tag[0] || strlen(l.tag) >= L10N_FORMAT_TAG_MAX)
		abort();
	struct l10n t;
	if (l10n_from_tag(text, &t)) {
		if (!l10n_tag_valid(text) || (unsigned)t.lang >= LANG_COUNT)
			abort();
		char amount[L10N_AMOUNT_MAX];
		if (!l10n_amount(&t, 100000000000000LL, "EUR", true, amount, sizeof amount) || !strchr(amount, '1'))
			abort();
	}
	struct sms_size z = sms_measure(text);
	if (z.segments < 1 || z.units > 2 * size)
		abort();
	free(text);
	return 0;
}
