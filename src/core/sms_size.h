/*
 * sms_size.h: how many segments an SMS takes (3GPP TS 23.038 and 23.040). A text of GSM 03.38
 * characters only is sent in GSM-7: 160 septets in one segment, 153 per segment when
 * concatenated, a character of the extension table (€ [ ] { } \ ^ ~ | and form feed) taking
 * two. Any other character makes the whole text UCS-2: 70 UTF-16 units in one segment, 67 per
 * segment when concatenated. Pure.
 */
#ifndef TF_CORE_SMS_SIZE_H
#define TF_CORE_SMS_SIZE_H
#include <stdbool.h>
#include <stddef.h>

/* The most segments twofold sends in one code SMS: 612 GSM-7 septets or 268 UCS-2 units. */
#define SMS_SEGMENTS_MAX 4

struct sms_size {
	bool gsm7;      /* every character is in GSM 03.38 (basic or extension table) */
	size_t units;   /* septets (GSM-7) or UTF-16 units (UCS-2) */
	int segments;
};

/* The size of the valid UTF-8 text. */
struct sms_size sms_measure(const char *text);

#endif
