/*
 * email_mime.c: an email as its RFC 5322 text (provider.h, email_mime), shared by the SMTP
 * provider, which sends it, and development delivery, which shows it. Headers: Date, From, To,
 * Subject (RFC 2047 encoded words when it is not short printable ASCII), Message-ID and
 * MIME-Version; a header value with a line break is refused, so no value can add a header.
 * A text alone is one text/plain part in 8bit, LF line ends made CRLF; a text with an HTML
 * alternative is multipart/alternative, both parts UTF-8 in base64 (no line is too long and no
 * content can end the part: the boundary is random). An image the HTML shows (the
 * application's logo) makes the HTML alternative a multipart/related of the HTML and the image
 * (RFC 2387; the image named by its Content-ID, inline), with a boundary of its own:
 *
 *   multipart/alternative
 *     text/plain
 *     multipart/related; type="text/html"
 *       text/html           <img src="cid:logo@twofold">
 *       image/png           Content-ID: <logo@twofold>
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

/* base64 text (already encoded) in lines of 76 characters */
static void put_wrapped(struct buf *b, const char *base64)
{
	size_t len = strlen(base64);
	for (size_t off = 0; off < len; off += 76) {
		put_n(b, base64 + off, len - off < 76 ? len - off : 76);
		put(b, "\r\n");
	}
}

static bool image_safe(const struct email_image *image)
{
	const char *s = image->base64;
	return email_header_safe(image->content_id) && email_header_safe(image->content_type) &&
	       email_header_safe(image->filename) && !strpbrk(image->content_id, "<>\" ") &&
	       strspn(image->content_type, "abcdefghijklmnopqrstuvwxyz0123456789/+.-") == strlen(image->content_type) &&
	       !strpbrk(image->filename, "\"\\") && s && *s &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") == strlen(s);
}

const struct email_image *email_image_of(const json_t *message, struct email_image *out)
{
	json_t *i = json_object_get(message, "inline_image");
	*out = (struct email_image){json_string_value(json_object_get(i, "content_id")),
				    json_string_value(json_object_get(i, "content_type")),
				    json_string_value(json_object_get(i, "filename")),
				    json_string_value(json_object_get(i, "data_base64"))};
	return i ? out : NULL;
}

static void random_boundary(char out[48])
{
	uint8_t r[12];
	snprintf(out, 48, "=_tf_");
	crypto_random_bytes(r, sizeof r);
	sodium_bin2hex(out + 5, 48 - 5, r, sizeof r);
}

/* One UTF-8 text part in base64 after the boundary. */
static void put_text_part(struct buf *b, const char *boundary, const char *type, const char *body)
{
	char line[128];
	snprintf(line, sizeof line, "--%s\r\nContent-Type: %s; charset=utf-8\r\n", boundary, type);
	put(b, line);
	put(b, "Content-Transfer-Encoding: base64\r\n\r\n");
	put_base64(b, body);
}

char *email_mime(const char *from, const char *to, const char *subject, const char *text, const char *html,
		 const struct email_image *image, const char *message_id, time_t date)
{
	if (!email_header_safe(from) || !email_header_safe(to) || !email_header_safe(message_id) || !text ||
	    (subject && !email_header_safe(subject)) || (image && (!html || !image_safe(image))))
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
		char boundary[48], related[48];
		random_boundary(boundary);
		random_boundary(related);
		snprintf(line, sizeof line, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", boundary);
		put(&b, line);
		put_text_part(&b, boundary, "text/plain", text);
		if (image) {
			snprintf(line, sizeof line, "--%s\r\nContent-Type: multipart/related; type=\"text/html\";\r\n", boundary);
			put(&b, line);
			snprintf(line, sizeof line, " boundary=\"%s\"\r\n\r\n", related);
			put(&b, line);
			put_text_part(&b, related, "text/html", html);
			snprintf(line, sizeof line, "--%s\r\nContent-Type: ", related);
			put(&b, line);
			put(&b, image->content_type);
			put(&b, "\r\nContent-Transfer-Encoding: base64\r\nContent-ID: <");
			put(&b, image->content_id);
			put(&b, ">\r\nContent-Disposition: inline; filename=\"");
			put(&b, image->filename);
			put(&b, "\"\r\n\r\n");
			put_wrapped(&b, image->base64);
			snprintf(line, sizeof line, "--%s--\r\n", related);
			put(&b, line);
		} else {
			put_text_part(&b, boundary, "text/html", html);
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
