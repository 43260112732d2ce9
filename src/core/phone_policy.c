/* phone_policy.c: see phone_policy.h. Pure. */
#include "core/phone_policy.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *code; /* calling code digits */
	const char *country;
} calling_codes[] = {
	/* three digits first where a two-digit code is a prefix of them */
	{"350", "GI"}, {"351", "PT"}, {"352", "LU"}, {"353", "IE"}, {"354", "IS"}, {"355", "AL"}, {"356", "MT"},
	{"357", "CY"}, {"358", "FI"}, {"359", "BG"}, {"370", "LT"}, {"371", "LV"}, {"372", "EE"}, {"373", "MD"},
	{"374", "AM"}, {"375", "BY"}, {"376", "AD"}, {"377", "MC"}, {"378", "SM"}, {"380", "UA"}, {"381", "RS"},
	{"382", "ME"}, {"383", "XK"}, {"385", "HR"}, {"386", "SI"}, {"387", "BA"}, {"389", "MK"}, {"420", "CZ"},
	{"421", "SK"}, {"423", "LI"}, {"212", "MA"}, {"213", "DZ"}, {"216", "TN"}, {"218", "LY"}, {"220", "GM"},
	{"221", "SN"}, {"225", "CI"}, {"233", "GH"}, {"234", "NG"}, {"237", "CM"}, {"251", "ET"}, {"254", "KE"},
	{"255", "TZ"}, {"256", "UG"}, {"260", "ZM"}, {"263", "ZW"}, {"852", "HK"}, {"853", "MO"}, {"855", "KH"},
	{"880", "BD"}, {"886", "TW"}, {"960", "MV"}, {"961", "LB"}, {"962", "JO"}, {"963", "SY"}, {"964", "IQ"},
	{"965", "KW"}, {"966", "SA"}, {"967", "YE"}, {"968", "OM"}, {"970", "PS"}, {"971", "AE"}, {"972", "IL"},
	{"973", "BH"}, {"974", "QA"}, {"975", "BT"}, {"976", "MN"}, {"977", "NP"}, {"992", "TJ"}, {"993", "TM"},
	{"994", "AZ"}, {"995", "GE"}, {"996", "KG"}, {"998", "UZ"}, {"297", "AW"}, {"590", "GP"}, {"591", "BO"},
	{"593", "EC"}, {"595", "PY"}, {"598", "UY"}, {"506", "CR"}, {"507", "PA"}, {"502", "GT"}, {"503", "SV"},
	{"504", "HN"}, {"505", "NI"}, {"509", "HT"}, {"673", "BN"}, {"675", "PG"}, {"679", "FJ"}, {"682", "CK"},
	/* two digits */
	{"20", "EG"}, {"27", "ZA"}, {"30", "GR"}, {"31", "NL"}, {"32", "BE"}, {"33", "FR"}, {"34", "ES"}, {"36", "HU"},
	{"39", "IT"}, {"40", "RO"}, {"41", "CH"}, {"43", "AT"}, {"44", "GB"}, {"45", "DK"}, {"46", "SE"}, {"47", "NO"},
	{"48", "PL"}, {"49", "DE"}, {"51", "PE"}, {"52", "MX"}, {"53", "CU"}, {"54", "AR"}, {"55", "BR"}, {"56", "CL"},
	{"57", "CO"}, {"58", "VE"}, {"60", "MY"}, {"61", "AU"}, {"62", "ID"}, {"63", "PH"}, {"64", "NZ"}, {"65", "SG"},
	{"66", "TH"}, {"81", "JP"}, {"82", "KR"}, {"84", "VN"}, {"86", "CN"}, {"90", "TR"}, {"91", "IN"}, {"92", "PK"},
	{"93", "AF"}, {"94", "LK"}, {"95", "MM"}, {"98", "IR"},
	/* one digit */
	{"1", "US"}, {"7", "RU"},
};

static const char *calling_code_of(const char *e164, const char **country)
{
	if (!e164 || e164[0] != '+')
		return NULL;
	for (int len = 3; len >= 1; len--)
		for (size_t i = 0; i < sizeof calling_codes / sizeof calling_codes[0]; i++)
			if (strlen(calling_codes[i].code) == (size_t)len && strncmp(e164 + 1, calling_codes[i].code, (size_t)len) == 0) {
				*country = calling_codes[i].country;
				return calling_codes[i].code;
			}
	return NULL;
}

const char *phone_country(const char *e164)
{
	const char *country = NULL;
	return calling_code_of(e164, &country) ? country : NULL;
}

void phone_range(const char *e164, char *out, size_t size)
{
	const char *country = NULL, *code = calling_code_of(e164, &country);
	size_t cc = code ? strlen(code) : 3; /* an unknown code: its first three digits */
	snprintf(out, size, "%.*s", (int)(1 + cc + 3), e164);
}

bool phone_country_allowed(const char *country, const char *const *allowed, size_t n)
{
	if (!country)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(allowed[i], country) || (!strcmp(country, "US") && !strcmp(allowed[i], "CA")))
			return true;
	return false;
}
