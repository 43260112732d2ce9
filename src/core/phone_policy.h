/*
 * phone_policy.h: the facts about a phone number that the send-abuse rules need (SPEC section
 * 4, "SMS pumping"): which country its calling code belongs to, and the prefix that groups
 * numbers of one range (premium-rate ranges are what pumping attacks use). Pure.
 *
 * Countries come from the ITU-T E.164 calling codes, longest prefix first. +1, the North
 * American Numbering Plan, is told apart by area code (Canada, the United States and the 23
 * Caribbean and Pacific regions that share it, each its own ISO code: "US" does not cover
 * Puerto Rico, the US Virgin Islands, Guam, American Samoa or the Northern Marianas, as in
 * libphonenumber), and a +1 area code that belongs to no country (toll-free, premium-rate,
 * unassigned) has none. +7 is "RU" (Kazakhstan shares it).
 */
#ifndef TF_CORE_PHONE_POLICY_H
#define TF_CORE_PHONE_POLICY_H
#include <stdbool.h>
#include <stddef.h>

/* The ISO 3166-1 alpha-2 code of an E.164 number's country, or NULL when its calling code is
 * not in the table. */
const char *phone_country(const char *e164);

/* The number's range: its calling code and the next three digits ("+44790" for +447900...),
 * into out. */
void phone_range(const char *e164, char *out, size_t size);

/* Whether country is in the allowed list (ISO alpha-2 codes); a NULL country never is. */
bool phone_country_allowed(const char *country, const char *const *allowed, size_t n);

#endif
