/* push.c: see push.h. Pure. */
#include "core/push.h"

#include <stdio.h>
#include <string.h>

size_t push_signing_string(const char *challenge_id, bool approve, const char *transaction_hash, char *out, size_t size)
{
	int n = snprintf(out, size, "twofold-push-v1\n%s\n%s\n%s", challenge_id, approve ? "approve" : "deny",
			 transaction_hash ? transaction_hash : "");
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

bool push_channel_ok(const char *channel)
{
	return !strcmp(channel, "AUTHY") || !strcmp(channel, "BIOMETRIC");
}

bool push_address_ok(const char *address)
{
	size_t n = strlen(address);
	if (n == 0 || n > 255)
		return false;
	for (const char *p = address; *p; p++)
		if (*p < 0x21 || *p > 0x7e)
			return false;
	return true;
}
