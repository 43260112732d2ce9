/*
 * log.h: structured JSON log lines on standard error, one object per line:
 *   {"ts":"...","level":"info","msg":"...", "key":"value", ...}
 * Callers pass key/value string pairs ending with NULL; a NULL value leaves its key out. Never pass a password, token, code,
 * key or secret: the log is read by people and shipped to other systems. (The development
 * delivery provider's echo, kind "dev_delivery", is the one deliberate exception; see
 * delivery/provider_log.c.)
 */
#ifndef TF_PLATFORM_LOG_H
#define TF_PLATFORM_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level level);
int log_level_parse(const char *text, enum log_level *out); /* 0 on success */

void log_line(enum log_level level, const char *msg, ...) __attribute__((sentinel));
#define log_debug(...) log_line(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_line(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_line(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_line(LOG_ERROR, __VA_ARGS__)

#endif
