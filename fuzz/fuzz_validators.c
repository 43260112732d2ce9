/* fuzz_validators.c: libFuzzer target for the validators of outside input: emails, E.164
 * phone numbers, passwords, URLs (an events endpoint's too: a URL refused with private
 * addresses allowed is refused without), display text, base32 (otpauth secrets), typed backup codes,
 * RFC 3339 times, quarters, IBANs' countries; and the shortening of names for messages: always valid UTF-8 within its length. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unistr.h>

#include "core/base32.h"
#include "core/net_address.h"
#include "core/message_text.h"
#include "core/risk.h"
#include "core/timefmt.h"
#include "core/tra.h"
#include "core/validate.h"
#include "sca/kinds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = strndup((const char *)data, size); /* what the parsers see: a C string */
	if (!text)
		return 0;
	char email[256];
	if (validate_email(text, email, sizeof email) && strlen(email) != strlen(text))
		abort(); /* normalising never changes the length */
	(void)validate_phone_e164(text);
	(void)validate_password(text);
	(void)validate_url(text);
	if (outbound_url_valid(text, false) && !outbound_url_valid(text, true))
		abort();
	(void)validate_utf8_text(text, size);
	(void)validate_display_chars(text, strlen(text));
	char short_text[3 * 16 + 1];
	(void)text_shorten(text, 16, short_text, sizeof short_text);
	if (u8_check((const uint8_t *)short_text, strlen(short_text)) || text_utf16_units(short_text) > 16)
		abort(); /* never a character cut in half, never longer than asked */
	uint8_t bin[64];
	size_t n;
	if (base32_decode(text, bin, sizeof bin, &n) && n > sizeof bin)
		abort();
	char code[BACKUP_CODE_LEN + 1];
	(void)code_normalise_backup(text, code);
	int64_t ms, again;
	if (timefmt_parse_rfc3339(text, &ms)) { /* a time read writes and reads back to its second */
		char back[TF_TIME_TEXT_SIZE];
		timefmt_rfc3339(ms, back);
		if (ms < -24LL * 3600 * 1000 || (ms >= 0 && (!timefmt_parse_rfc3339(back, &again) || again != ms / 1000 * 1000)))
			abort();
	}
	int64_t quarter;
	if (tra_quarter_parse(text, &quarter)) {
		char name[8];
		tra_quarter_name(quarter, name);
		if (strcmp(name, text))
			abort();
	}
	char country[RISK_COUNTRY_SIZE];
	risk_iban_country(text, country);
	if (country[0] && (strlen(country) != 2 || strncmp(country, text, 2)))
		abort();
	free(text);
	return 0;
}
