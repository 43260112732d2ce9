/*
 * json_paths.c: microbenchmark of request-body parsing and answer writing, jansson against
 * http/json_fast.c (which falls back to jansson outside its subset), on the bodies and answer
 * of a cookie validation and a code verification. Not part of the build; after make:
 *   cc -std=c11 -O2 -D_GNU_SOURCE -Isrc -o /tmp/json_paths bench/micro/json_paths.c \
 *     build/libtwofold.a $(pkg-config --libs jansson libsodium) -pthread && /tmp/json_paths
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/json_fast.h"

#define N 200000

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static void parse(const char *name, const char *body)
{
	size_t len = strlen(body);
	double t0 = now_ns();
	for (int i = 0; i < N; i++)
		json_decref(json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL));
	double t1 = now_ns();
	for (int i = 0; i < N; i++)
		json_decref(json_fast_parse_flat(body, len));
	double t2 = now_ns();
	printf("parse %-10s %4zu bytes: jansson %7.1f ns, json_fast %7.1f ns\n", name, len, (t1 - t0) / N, (t2 - t1) / N);
}

int main(void)
{
	parse("validate", "{\"user_id\":\"usr_i2awcxxen32qbv26sl3u7jrury\",\"cookie\":\"tfd1.YXBwX243b3VueDJvZzZvemFwcGZleXRh"
			  "ZTV3NGE0fHVzcl9pMmF3Y3h4ZW4zMnFidjI2c2wzdTdqcnVyeXxkZXZfZWJrc3lzc2lsaXdtZ2N6Z3YzNXVwdTNsdnF8cGVyc2l"
			  "zdGVudHxhcGl8MTc5ODA0OTE4OTI1Mw.6mv4UkBs9ChHbTgq0-bUYmfPUAeeOSAutf544n0cyhI\"}");
	parse("verify", "{\"code\":\"123456\",\"trust_device\":true}");
	json_t *answer = json_pack("{s:b, s:s, s:s, s:s}", "trusted", 1, "device_id", "dev_ebksyssiliwmgczgv35upu3lvq", "kind",
				   "persistent", "expires_at", "2026-12-23T18:04:05Z");
	double t0 = now_ns();
	for (int i = 0; i < N; i++)
		free(json_dumps(answer, JSON_COMPACT));
	double t1 = now_ns();
	for (int i = 0; i < N; i++)
		free(json_fast_dump(answer));
	double t2 = now_ns();
	printf("write the validation answer: jansson %7.1f ns, json_fast %7.1f ns\n", (t1 - t0) / N, (t2 - t1) / N);
	json_decref(answer);
	return 0;
}
