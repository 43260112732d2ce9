/* master_key.c: see master_key.h. */
#include "crypto/master_key.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform/log.h"

#define KDF_CONTEXT "tfmaster"
#define KDF_ID_CHECK 1
#define KDF_ID_WRAP 2
#define CHECK_LABEL "twofold master key check value v1"
#define WRAP_VERSION 1
#define WRAP_AD "twofold data keys v1"
/* a key file is 32 bytes or 64 hex digits and a newline: anything longer is not one */
#define KEY_FILE_MAX 128

static int hex_digit(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool master_key_parse(const uint8_t *content, size_t len, uint8_t out[MASTER_KEY_BYTES])
{
	if (len == MASTER_KEY_BYTES) {
		memcpy(out, content, MASTER_KEY_BYTES);
		return true;
	}
	if (len == 2 * MASTER_KEY_BYTES + 2 && content[len - 2] == '\r' && content[len - 1] == '\n')
		len -= 2;
	else if (len == 2 * MASTER_KEY_BYTES + 1 && content[len - 1] == '\n')
		len--;
	/* raw bytes that end in a newline are 33 long, not 32: no ambiguity with the forms above */
	if (len != 2 * MASTER_KEY_BYTES)
		return false;
	for (size_t i = 0; i < MASTER_KEY_BYTES; i++) {
		int hi = hex_digit(content[2 * i]), lo = hex_digit(content[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			sodium_memzero(out, MASTER_KEY_BYTES);
			return false;
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

enum tf_err master_key_read(const char *path, enum master_key_form form, uint8_t out[MASTER_KEY_BYTES], char *why,
			    size_t why_size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, why_size, "%s", strerror(errno));
		return errno == ENOENT ? TF_ERR_NOT_FOUND : TF_ERR_INTERNAL;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(why, why_size, "not a regular file");
		return TF_ERR_INTERNAL;
	}
	if ((st.st_mode & 077) != 0)
		log_warn("the master key file is readable by others than its owner; it should be mode 0600 (or 0400)",
			 "path", path, NULL);
	uint8_t buf[KEY_FILE_MAX + 1];
	size_t len = 0;
	ssize_t n;
	while (len < sizeof buf && (n = read(fd, buf + len, sizeof buf - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(why, why_size, "%s", strerror(errno));
			close(fd);
			sodium_memzero(buf, sizeof buf);
			return TF_ERR_INTERNAL;
		}
		len += (size_t)n;
	}
	close(fd);
	bool ok;
	if (form == MASTER_KEY_DATA_FILE) {
		ok = len >= MASTER_KEY_BYTES;
		if (ok)
			memcpy(out, buf, MASTER_KEY_BYTES);
		if (len > MASTER_KEY_BYTES)
			log_warn("the master key file is longer than 32 bytes: its first 32 bytes are the key", "path", path,
				 NULL);
	} else {
		ok = master_key_parse(buf, len, out);
	}
	sodium_memzero(buf, sizeof buf);
	if (!ok) {
		snprintf(why, why_size, form == MASTER_KEY_DATA_FILE ? "it holds no key: it is shorter than 32 bytes"
								   : "it holds no key: a key file is 32 bytes, or 64 "
								     "hexadecimal digits");
		return TF_ERR_INTERNAL;
	}
	return TF_OK;
}

/* fsyncs the folder that holds path, so that a new name in it survives a crash */
static int sync_folder(const char *path)
{
	char copy[4096];
	snprintf(copy, sizeof copy, "%s", path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

enum tf_err master_key_write(const char *path, const uint8_t key[MASTER_KEY_BYTES], char *why, size_t why_size)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp) {
		snprintf(why, why_size, "the path is too long");
		return TF_ERR_INTERNAL;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(why, why_size, "cannot create %s: %s", tmp, strerror(errno));
		return TF_ERR_INTERNAL;
	}
	enum tf_err rc = TF_OK;
	if (write(fd, key, MASTER_KEY_BYTES) != MASTER_KEY_BYTES || fsync(fd) != 0) {
		snprintf(why, why_size, "cannot write %s: %s", tmp, strerror(errno));
		rc = TF_ERR_INTERNAL;
	}
	close(fd);
	/* link() fails if the name is taken (another process's key, or an earlier one): a key file
	 * is never replaced */
	if (rc == TF_OK && link(tmp, path) != 0) {
		snprintf(why, why_size, "cannot create %s: %s", path, strerror(errno));
		rc = TF_ERR_INTERNAL;
	}
	unlink(tmp);
	if (rc == TF_OK && sync_folder(path) != 0) {
		snprintf(why, why_size, "cannot sync the folder of %s: %s", path, strerror(errno));
		rc = TF_ERR_INTERNAL;
	}
	return rc;
}

enum tf_err master_key_replace(const char *path, const char *new_path, const char *backup, char *why, size_t why_size)
{
	if (link(path, backup) != 0) {
		snprintf(why, why_size, "cannot keep the old key as %s: %s", backup, strerror(errno));
		return TF_ERR_INTERNAL;
	}
	if (rename(new_path, path) != 0) {
		snprintf(why, why_size, "cannot move %s to %s: %s", new_path, path, strerror(errno));
		unlink(backup); /* path still holds the old key */
		return TF_ERR_INTERNAL;
	}
	if (sync_folder(path) != 0) {
		snprintf(why, why_size, "cannot sync the folder of %s: %s", path, strerror(errno));
		return TF_ERR_INTERNAL;
	}
	return TF_OK;
}

void master_key_check_value(const uint8_t master[MASTER_KEY_BYTES], uint8_t out[MASTER_KEY_CHECK_BYTES])
{
	uint8_t check_key[crypto_auth_hmacsha256_KEYBYTES];
	crypto_kdf_derive_from_key(check_key, sizeof check_key, KDF_ID_CHECK, KDF_CONTEXT, master);
	crypto_auth_hmacsha256(out, (const uint8_t *)CHECK_LABEL, strlen(CHECK_LABEL), check_key);
	sodium_memzero(check_key, sizeof check_key);
}

bool master_key_matches(const uint8_t master[MASTER_KEY_BYTES], const uint8_t stored[MASTER_KEY_CHECK_BYTES])
{
	uint8_t mine[MASTER_KEY_CHECK_BYTES];
	master_key_check_value(master, mine);
	bool same = sodium_memcmp(mine, stored, sizeof mine) == 0;
	sodium_memzero(mine, sizeof mine);
	return same;
}

static void wrap_key(const uint8_t master[MASTER_KEY_BYTES], uint8_t out[crypto_aead_xchacha20poly1305_ietf_KEYBYTES])
{
	crypto_kdf_derive_from_key(out, crypto_aead_xchacha20poly1305_ietf_KEYBYTES, KDF_ID_WRAP, KDF_CONTEXT, master);
}

/* the associated data: the label and the format's version byte */
static void wrap_ad(uint8_t ad[sizeof WRAP_AD])
{
	memcpy(ad, WRAP_AD, sizeof WRAP_AD - 1);
	ad[sizeof WRAP_AD - 1] = WRAP_VERSION;
}

void master_key_wrap(const uint8_t master[MASTER_KEY_BYTES], const uint8_t data_keys[TF_DATA_KEYS_BYTES],
		     uint8_t out[MASTER_KEY_WRAPPED_BYTES])
{
	uint8_t key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES], ad[sizeof WRAP_AD];
	uint8_t *nonce = out + 1, *sealed = out + 1 + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
	wrap_key(master, key);
	wrap_ad(ad);
	out[0] = WRAP_VERSION;
	randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(sealed, NULL, data_keys, TF_DATA_KEYS_BYTES, ad, sizeof ad, NULL,
						   nonce, key);
	sodium_memzero(key, sizeof key);
}

bool master_key_unwrap(const uint8_t master[MASTER_KEY_BYTES], const uint8_t *wrapped, size_t len,
		       uint8_t data_keys[TF_DATA_KEYS_BYTES])
{
	if (len != MASTER_KEY_WRAPPED_BYTES || wrapped[0] != WRAP_VERSION)
		return false;
	uint8_t key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES], ad[sizeof WRAP_AD];
	const uint8_t *nonce = wrapped + 1, *sealed = wrapped + 1 + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
	wrap_key(master, key);
	wrap_ad(ad);
	bool ok = crypto_aead_xchacha20poly1305_ietf_decrypt(data_keys, NULL, NULL, sealed,
							      TF_DATA_KEYS_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES,
							      ad, sizeof ad, nonce, key) == 0;
	sodium_memzero(key, sizeof key);
	if (!ok)
		sodium_memzero(data_keys, TF_DATA_KEYS_BYTES);
	return ok;
}
