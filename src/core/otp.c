/* otp.c: see otp.h. HMAC from OpenSSL's libcrypto (SHA-1 has no HMAC in libsodium). */
#include "core/otp.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const uint32_t pow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

const char *otp_alg_name(enum otp_alg alg)
{
	return alg == OTP_SHA256 ? "SHA256" : alg == OTP_SHA512 ? "SHA512" : "SHA1";
}

void hotp_code(const uint8_t *key, size_t key_len, enum otp_alg alg, int digits, uint64_t counter,
	       char out[16])
{
	uint8_t msg[8], mac[EVP_MAX_MD_SIZE];
	unsigned mac_len = 0;
	for (int i = 0; i < 8; i++)
		msg[i] = (uint8_t)(counter >> (56 - 8 * i));
	const EVP_MD *md = alg == OTP_SHA256 ? EVP_sha256() : alg == OTP_SHA512 ? EVP_sha512() : EVP_sha1();
	HMAC(md, key, (int)key_len, msg, sizeof msg, mac, &mac_len);
	unsigned off = mac[mac_len - 1] & 0x0f;
	uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
		       ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
	if (digits < 6 || digits > 8)
		digits = 6;
	snprintf(out, 16, "%0*u", digits, bin % pow10[digits]);
	sodium_memzero(mac, sizeof mac);
}

int64_t totp_step(int64_t now_ms, int step_s)
{
	return now_ms / 1000 / step_s;
}

enum otp_result totp_verify(const uint8_t *key, size_t key_len, const struct totp_params *p,
			    const char *code, int64_t now_ms, int64_t last_step, int64_t *matched_step)
{
	size_t len = strlen(code);
	if (len != (size_t)p->digits)
		return OTP_WRONG;
	int64_t now_step = totp_step(now_ms, p->step_s);
	enum otp_result result = OTP_WRONG;
	/* every candidate step is computed and compared, so timing does not tell which matched */
	for (int64_t s = now_step - p->window; s <= now_step + p->window; s++) {
		char want[16];
		hotp_code(key, key_len, p->alg, p->digits, (uint64_t)s, want);
		bool match = sodium_memcmp(want, code, len) == 0;
		sodium_memzero(want, sizeof want);
		if (!match || result == OTP_OK)
			continue;
		if (s <= last_step) {
			result = OTP_REPLAYED;
		} else {
			result = OTP_OK;
			*matched_step = s;
		}
	}
	return result;
}
