/* phone_policy.c: see phone_policy.h. Pure. */
#include "core/phone_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The North American Numbering Plan: +1 is shared by 25 ISO 3166 regions, told apart by the
 * three-digit area code (NPA) after it. One row per assigned geographic area code, and
 * Canada's non-geographic 600 and 622; ascending, for bsearch.
 *
 * Source: libphonenumber's resources/PhoneNumberMetadata.xml (Apache-2.0, The Libphonenumber
 * Authors), as of 2026: the territories of countryCode "1" and their leadingDigits (AG 268, AI
 * 264, AS 684, BB 246, BM 441, BS 242, DM 767, DO 809/829/849, GD 473, GU 671, JM 658/876, KN
 * 869, KY 345, LC 758, MP 670, MS 664, PR 787/939, SX 721, TC 649, TT 868, VC 784, VG 284,
 * VI 340), and the area codes in the fixedLine patterns of CA and US (expanded to one row
 * each); plus 387, which the Canadian Numbering Administrator has assigned to Ontario ahead of
 * its use. NANPA publishes the same assignments (nationalnanpa.com, "NPA reports").
 *
 * Left out on purpose, so that they have no country: toll-free (800, 833, 844, 855, 866, 877,
 * 888) and premium-rate (900) codes, which are not geographic and are shared by the whole
 * plan; personal-communication (5XX), 456, 700 and 710; N11, 555, N9X and the unassigned
 * codes. A code NANPA assigns later is unknown until it is added here: a list of allowed
 * countries refuses it meanwhile (the safe side for SMS pumping; the refusal is audited).
 */
struct nanp_row {
	short npa;
	char country[3];
};

static const struct nanp_row nanp_area_codes[] = {
	{201, "US"}, {202, "US"}, {203, "US"}, {204, "CA"}, {205, "US"}, {206, "US"}, {207, "US"}, {208, "US"},
	{209, "US"}, {210, "US"}, {212, "US"}, {213, "US"}, {214, "US"}, {215, "US"}, {216, "US"}, {217, "US"},
	{218, "US"}, {219, "US"}, {220, "US"}, {223, "US"}, {224, "US"}, {225, "US"}, {226, "CA"}, {227, "US"},
	{228, "US"}, {229, "US"}, {231, "US"}, {234, "US"}, {235, "US"}, {236, "CA"}, {239, "US"}, {240, "US"},
	{242, "BS"}, {246, "BB"}, {248, "US"}, {249, "CA"}, {250, "CA"}, {251, "US"}, {252, "US"}, {253, "US"},
	{254, "US"}, {256, "US"}, {257, "CA"}, {260, "US"}, {262, "US"}, {263, "CA"}, {264, "AI"}, {267, "US"},
	{268, "AG"}, {269, "US"}, {270, "US"}, {272, "US"}, {274, "US"}, {276, "US"}, {279, "US"}, {281, "US"},
	{283, "US"}, {284, "VG"}, {289, "CA"}, {301, "US"}, {302, "US"}, {303, "US"}, {304, "US"}, {305, "US"},
	{306, "CA"}, {307, "US"}, {308, "US"}, {309, "US"}, {310, "US"}, {312, "US"}, {313, "US"}, {314, "US"},
	{315, "US"}, {316, "US"}, {317, "US"}, {318, "US"}, {319, "US"}, {320, "US"}, {321, "US"}, {323, "US"},
	{324, "US"}, {325, "US"}, {326, "US"}, {327, "US"}, {329, "US"}, {330, "US"}, {331, "US"}, {332, "US"},
	{334, "US"}, {336, "US"}, {337, "US"}, {339, "US"}, {340, "VI"}, {341, "US"}, {343, "CA"}, {345, "KY"},
	{346, "US"}, {347, "US"}, {350, "US"}, {351, "US"}, {352, "US"}, {353, "US"}, {354, "CA"}, {360, "US"},
	{361, "US"}, {363, "US"}, {364, "US"}, {365, "CA"}, {367, "CA"}, {368, "CA"}, {369, "US"}, {380, "US"},
	{382, "CA"}, {385, "US"}, {386, "US"}, {387, "CA"}, {401, "US"}, {402, "US"}, {403, "CA"}, {404, "US"},
	{405, "US"}, {406, "US"}, {407, "US"}, {408, "US"}, {409, "US"}, {410, "US"}, {412, "US"}, {413, "US"},
	{414, "US"}, {415, "US"}, {416, "CA"}, {417, "US"}, {418, "CA"}, {419, "US"}, {423, "US"}, {424, "US"},
	{425, "US"}, {428, "CA"}, {430, "US"}, {431, "CA"}, {432, "US"}, {434, "US"}, {435, "US"}, {437, "CA"},
	{438, "CA"}, {440, "US"}, {441, "BM"}, {442, "US"}, {443, "US"}, {445, "US"}, {447, "US"}, {448, "US"},
	{450, "CA"}, {458, "US"}, {463, "US"}, {464, "US"}, {468, "CA"}, {469, "US"}, {470, "US"}, {472, "US"},
	{473, "GD"}, {474, "CA"}, {475, "US"}, {478, "US"}, {479, "US"}, {480, "US"}, {484, "US"}, {501, "US"},
	{502, "US"}, {503, "US"}, {504, "US"}, {505, "US"}, {506, "CA"}, {507, "US"}, {508, "US"}, {509, "US"},
	{510, "US"}, {512, "US"}, {513, "US"}, {514, "CA"}, {515, "US"}, {516, "US"}, {517, "US"}, {518, "US"},
	{519, "CA"}, {520, "US"}, {530, "US"}, {531, "US"}, {534, "US"}, {539, "US"}, {540, "US"}, {541, "US"},
	{548, "CA"}, {551, "US"}, {557, "US"}, {559, "US"}, {561, "US"}, {562, "US"}, {563, "US"}, {564, "US"},
	{567, "US"}, {570, "US"}, {571, "US"}, {572, "US"}, {573, "US"}, {574, "US"}, {575, "US"}, {579, "CA"},
	{580, "US"}, {581, "CA"}, {582, "US"}, {584, "CA"}, {585, "US"}, {586, "US"}, {587, "CA"}, {600, "CA"},
	{601, "US"}, {602, "US"}, {603, "US"}, {604, "CA"}, {605, "US"}, {606, "US"}, {607, "US"}, {608, "US"},
	{609, "US"}, {610, "US"}, {612, "US"}, {613, "CA"}, {614, "US"}, {615, "US"}, {616, "US"}, {617, "US"},
	{618, "US"}, {619, "US"}, {620, "US"}, {622, "CA"}, {623, "US"}, {626, "US"}, {628, "US"}, {629, "US"},
	{630, "US"}, {631, "US"}, {636, "US"}, {639, "CA"}, {640, "US"}, {641, "US"}, {645, "US"}, {646, "US"},
	{647, "CA"}, {649, "TC"}, {650, "US"}, {651, "US"}, {656, "US"}, {657, "US"}, {658, "JM"}, {659, "US"},
	{660, "US"}, {661, "US"}, {662, "US"}, {664, "MS"}, {667, "US"}, {669, "US"}, {670, "MP"}, {671, "GU"},
	{672, "CA"}, {678, "US"}, {680, "US"}, {681, "US"}, {682, "US"}, {683, "CA"}, {684, "AS"}, {686, "US"},
	{689, "US"}, {701, "US"}, {702, "US"}, {703, "US"}, {704, "US"}, {705, "CA"}, {706, "US"}, {707, "US"},
	{708, "US"}, {709, "CA"}, {712, "US"}, {713, "US"}, {714, "US"}, {715, "US"}, {716, "US"}, {717, "US"},
	{718, "US"}, {719, "US"}, {720, "US"}, {721, "SX"}, {724, "US"}, {725, "US"}, {726, "US"}, {727, "US"},
	{728, "US"}, {730, "US"}, {731, "US"}, {732, "US"}, {734, "US"}, {737, "US"}, {738, "US"}, {740, "US"},
	{742, "CA"}, {743, "US"}, {747, "US"}, {748, "US"}, {753, "CA"}, {754, "US"}, {757, "US"}, {758, "LC"},
	{760, "US"}, {762, "US"}, {763, "US"}, {765, "US"}, {767, "DM"}, {769, "US"}, {770, "US"}, {771, "US"},
	{772, "US"}, {773, "US"}, {774, "US"}, {775, "US"}, {778, "CA"}, {779, "US"}, {780, "CA"}, {781, "US"},
	{782, "CA"}, {784, "VC"}, {785, "US"}, {786, "US"}, {787, "PR"}, {801, "US"}, {802, "US"}, {803, "US"},
	{804, "US"}, {805, "US"}, {806, "US"}, {807, "CA"}, {808, "US"}, {809, "DO"}, {810, "US"}, {812, "US"},
	{813, "US"}, {814, "US"}, {815, "US"}, {816, "US"}, {817, "US"}, {818, "US"}, {819, "CA"}, {820, "US"},
	{821, "US"}, {825, "CA"}, {826, "US"}, {828, "US"}, {829, "DO"}, {830, "US"}, {831, "US"}, {832, "US"},
	{835, "US"}, {838, "US"}, {839, "US"}, {840, "US"}, {843, "US"}, {845, "US"}, {847, "US"}, {848, "US"},
	{849, "DO"}, {850, "US"}, {854, "US"}, {856, "US"}, {857, "US"}, {858, "US"}, {859, "US"}, {860, "US"},
	{862, "US"}, {863, "US"}, {864, "US"}, {865, "US"}, {867, "CA"}, {868, "TT"}, {869, "KN"}, {870, "US"},
	{872, "US"}, {873, "CA"}, {876, "JM"}, {878, "US"}, {879, "CA"}, {901, "US"}, {902, "CA"}, {903, "US"},
	{904, "US"}, {905, "CA"}, {906, "US"}, {907, "US"}, {908, "US"}, {909, "US"}, {910, "US"}, {912, "US"},
	{913, "US"}, {914, "US"}, {915, "US"}, {916, "US"}, {917, "US"}, {918, "US"}, {919, "US"}, {920, "US"},
	{925, "US"}, {928, "US"}, {929, "US"}, {930, "US"}, {931, "US"}, {934, "US"}, {936, "US"}, {937, "US"},
	{938, "US"}, {939, "PR"}, {940, "US"}, {941, "US"}, {942, "CA"}, {943, "US"}, {945, "US"}, {947, "US"},
	{948, "US"}, {949, "US"}, {951, "US"}, {952, "US"}, {954, "US"}, {956, "US"}, {959, "US"}, {970, "US"},
	{971, "US"}, {972, "US"}, {973, "US"}, {975, "US"}, {978, "US"}, {979, "US"}, {980, "US"}, {983, "US"},
	{984, "US"}, {985, "US"}, {986, "US"}, {989, "US"},
};

static int npa_cmp(const void *key, const void *row)
{
	return *(const short *)key - ((const struct nanp_row *)row)->npa;
}

/* The region of a +1 number by its area code; NULL when the code is not in the table. */
static const char *nanp_country(const char *e164)
{
	const char *d = e164 + 2;
	if (strlen(d) != 10 || strspn(d, "0123456789") != 10)
		return NULL;
	short npa = (short)((d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0'));
	const struct nanp_row *row = bsearch(&npa, nanp_area_codes, sizeof nanp_area_codes / sizeof nanp_area_codes[0],
					     sizeof nanp_area_codes[0], npa_cmp);
	return row ? row->country : NULL;
}

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
	/* one digit ("1": the NANP, resolved by area code in nanp_country) */
	{"1", NULL}, {"7", "RU"},
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
	const char *country = NULL, *code = calling_code_of(e164, &country);
	if (code && !strcmp(code, "1"))
		return nanp_country(e164);
	return code ? country : NULL;
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
		if (!strcmp(allowed[i], country))
			return true;
	return false;
}
