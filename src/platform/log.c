/* log.c: see log.h. Each line is built in memory and written with one write(2), so lines
 * from different threads never interleave. */
#include "platform/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static enum log_level min_level = LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level level)
{
	min_level = level;
}

int log_level_parse(const char *text, enum log_level *out)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(text, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

struct line {
	char buf[8192];
	size_t len;
};

static void put(struct line *l, const char *s, size_t n)
{
	if (l->len + n > sizeof l->buf - 2)
		n = sizeof l->buf - 2 - l->len;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void put_json_string(struct line *l, const char *s)
{
	put(l, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[8];
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			put(l, esc, 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			snprintf(esc, sizeof esc, "\\u%04x", *p);
			put(l, esc, 6);
		} else {
			put(l, (const char *)p, 1);
		}
	}
	put(l, "\"", 1);
}

void log_line(enum log_level level, const char *msg, ...)
{
	if (level < min_level)
		return;
	struct line l = {.len = 0};
	struct timeval tv;
	struct tm tm;
	char ts[40];
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	size_t n = strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + n, sizeof ts - n, ".%03dZ", (int)(tv.tv_usec / 1000));
	put(&l, "{\"ts\":\"", 7);
	put(&l, ts, strlen(ts));
	put(&l, "\",\"level\":\"", 11);
	put(&l, level_names[level], strlen(level_names[level]));
	put(&l, "\",\"msg\":", 8);
	put_json_string(&l, msg);
	va_list ap;
	va_start(ap, msg);
	for (;;) {
		const char *k = va_arg(ap, const char *);
		if (!k)
			break;
		const char *v = va_arg(ap, const char *);
		if (!v)
			continue; /* absent fields are left out */
		put(&l, ",", 1);
		put_json_string(&l, k);
		put(&l, ":", 1);
		put_json_string(&l, v);
	}
	va_end(ap);
	l.buf[l.len++] = '}';
	l.buf[l.len++] = '\n';
	ssize_t w = write(STDERR_FILENO, l.buf, l.len);
	(void)w;
}
