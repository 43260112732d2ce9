/*
 * json_fast.h: the common shapes of request and answer JSON, read and written without
 * jansson's character-at-a-time lexer and dumper. jansson stays the parser and writer of
 * record: these functions handle a strict subset and return NULL for anything else, and the
 * caller then uses jansson (json_loadb, json_dumps). Where they answer, the answer equals
 * jansson's (fuzz/fuzz_json_fast.c checks that on every input).
 *
 * Why: jansson reads and writes through a per-character callback, and on the hot routes
 * (a cookie validation) that was a large share of the request's CPU; a flat object of plain
 * strings, read or written in one pass, costs a small fraction of it.
 */
#ifndef TF_HTTP_JSON_FAST_H
#define TF_HTTP_JSON_FAST_H
#include <jansson.h>
#include <stddef.h>

/* text when it is one flat object, '{' "key" ':' value, ... '}' with JSON whitespace around
 * the tokens, whose keys and string values are printable ASCII without '"' or '\\' escapes,
 * whose other values are true, false, null or integers of at most 18 digits, and whose keys
 * are distinct: the object json_loadb(text, len, JSON_REJECT_DUPLICATES) returns. NULL for any
 * other text, valid or not. */
json_t *json_fast_parse_flat(const char *text, size_t len);

/* json_dumps(v, JSON_COMPACT) when v holds only objects, arrays, strings of printable ASCII
 * without '"' or '\\', integers, true, false and null, nested at most 32 deep, with an object
 * or array outside; NULL otherwise (or when out of memory). The text is malloc'd. */
char *json_fast_dump(const json_t *v);

#endif
