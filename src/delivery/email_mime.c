/*
 * email_mime.c: an email as its RFC 5322 text (provider.h, email_mime), shared by the SMTP
 * provider, which sends it, and development delivery, which shows it. Headers: Date, From, To,
 * Subject (RFC 2047 encoded words when it is not short printable ASCII), Message-ID and
 * MIME-Version; a header value with a line break is refused, so no value can add a header.
 * A text alone is one text/plain part in 8bit, LF line ends made CRLF; a text with an HTML
 * alternative is multipart/alternative, both parts UTF-8 in base64 (no line is too long and no
 * content can end the part: the boundary is random).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/crypto.h"
#include "delivery/provider.h"

/* a growing text */
struct buf {
	char *p;
	size_t len, cap;
	bool failed;
};

static void put_n(struct buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = malloc(cap);
		if (!p) {
			b->failed = true;
			return;
		}
		if (b->p) {
			memcpy(p, b->p, b->len);
			sodium_memzero(b->p, b->cap); /* it holds a code or a link */
			free(b->p);
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void put(struct buf *b, const char *s)
{
	put_n(b, s, strlen(s));
}

bool email_header_safe(const char *s)
{
	return s && !strpbrk(s, "\r\n");
}

/* Subject: as it is when it is printable ASCII that fits a line; else encoded words of at most
 * 45 bytes of whole UTF-8 sequences each (75 characters encoded), folded. */
static void put_subject(struct buf *b, const char *subject)
{
	bool plain = strlen(subject) <= 900;
	for (const unsigned char *p = (const unsigned char *)subject; *p && plain; p++)
		plain = *p >= 0x20 && *p < 0x7f;
	put(b, "Subject: ");
	if (plain) {
		put(b, subject);
		put(b, "\r\n");
		return;
	}
	size_t len = strlen(subject), off = 0;
	while (off < len) {
		size_t n = len - off < 45 ? len - off : 45;
		while (n > 1 && off + n < len && ((unsigned char)subject[off + n] & 0xC0) == 0x80)
			n--; /* not inside a UTF-8 sequence */
		char word[80];
		sodium_bin2base64(word, sizeof word, (const unsigned char *)subject + off, n, sodium_base64_VARIANT_ORIGINAL);
		put(b, off ? "\r\n =?UTF-8?B?" : "=?UTF-8?B?");
		put(b, word);
		put(b, "?=");
		off += n;
	}
	put(b, "\r\n");
}

/* s in base64, lines of 76 characters */
static void put_base64(struct buf *b, const char *s)
{
	size_t len = strlen(s);
	for (size_t off = 0; off < len; off += 57) {
		size_t n = len - off < 57 ? len - off : 57;
		char line[80];
		sodium_bin2base64(line, sizeof line, (const unsigned char *)s + off, n, sodium_base64_VARIANT_ORIGINAL);
		put(b, line);
		put(b, "\r\n");
	}
}

char *email_mime(const char *from, const char *to, const char *subject, const char *text, const char *html,
		 const char *message_id, time_t date)
{
	if (!email_header_safe(from) || !email_header_safe(to) || !email_header_safe(message_id) || !text ||
	    (subject && !email_header_safe(subject)))
		return NULL;
	struct buf b = {0};
	char line[128];
	struct tm tm;
	strftime(line, sizeof line, "Date: %a, %d %b %Y %H:%M:%S +0000\r\n", gmtime_r(&date, &tm));
	put(&b, line);
	put(&b, "From: <");
	put(&b, from);
	put(&b, ">\r\nTo: <");
	put(&b, to);
	put(&b, ">\r\n");
	put_subject(&b, subject ? subject : "");
	put(&b, "Message-ID: <");
	put(&b, message_id);
	put(&b, "@twofold>\r\nMIME-Version: 1.0\r\n");
	if (!html) {
		put(&b, "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
		for (const char *p = text; *p; p++) { /* LF line ends become CRLF */
			if (*p == '\n' && (p == text || p[-1] != '\r'))
				put(&b, "\r");
			put_n(&b, p, 1);
		}
	} else {
		uint8_t r[12];
		char boundary[48] = "=_tf_";
		crypto_random_bytes(r, sizeof r);
		sodium_bin2hex(boundary + 5, sizeof boundary - 5, r, sizeof r);
		snprintf(line, sizeof line, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", boundary);
		put(&b, line);
		const char *types[2] = {"text/plain", "text/html"}, *bodies[2] = {text, html};
		for (int i = 0; i < 2; i++) {
			snprintf(line, sizeof line, "--%s\r\nContent-Type: %s; charset=utf-8\r\n", boundary, types[i]);
			put(&b, line);
			put(&b, "Content-Transfer-Encoding: base64\r\n\r\n");
			put_base64(&b, bodies[i]);
		}
		snprintf(line, sizeof line, "--%s--\r\n", boundary);
		put(&b, line);
	}
	if (b.failed) {
		if (b.p)
			sodium_memzero(b.p, b.cap);
		free(b.p);
		return NULL;
	}
	return b.p;
}
