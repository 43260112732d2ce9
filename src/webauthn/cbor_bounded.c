/* cbor_bounded.c: see cbor_bounded.h. */
#include "webauthn/cbor_bounded.h"

#include <stdbool.h>
#include <string.h>

/* What the last head decoded was. */
struct head {
	enum { HEAD_LEAF, HEAD_CONTAINER, HEAD_REFUSED } kind;
	uint64_t members; /* HEAD_CONTAINER: the items that follow it */
};

static void leaf8(void *c, uint8_t v) { (void)v; ((struct head *)c)->kind = HEAD_LEAF; }
static void leaf16(void *c, uint16_t v) { (void)v; ((struct head *)c)->kind = HEAD_LEAF; }
static void leaf32(void *c, uint32_t v) { (void)v; ((struct head *)c)->kind = HEAD_LEAF; }
static void leaf64(void *c, uint64_t v) { (void)v; ((struct head *)c)->kind = HEAD_LEAF; }
static void leaf_bytes(void *c, cbor_data d, size_t n) { (void)d; (void)n; ((struct head *)c)->kind = HEAD_LEAF; }
static void leaf_simple(void *c) { ((struct head *)c)->kind = HEAD_LEAF; }
static void leaf_float(void *c, float v) { (void)v; ((struct head *)c)->kind = HEAD_LEAF; }
static void leaf_double(void *c, double v) { (void)v; ((struct head *)c)->kind = HEAD_LEAF; }
static void leaf_bool(void *c, bool v) { (void)v; ((struct head *)c)->kind = HEAD_LEAF; }
static void refused(void *c) { ((struct head *)c)->kind = HEAD_REFUSED; }

static void array_start(void *c, size_t n)
{
	*(struct head *)c = (struct head){HEAD_CONTAINER, n};
}

static void map_start(void *c, size_t n)
{
	/* a key and a value each; a count past half the range cannot fit in any input */
	*(struct head *)c = n > SIZE_MAX / 2 ? (struct head){HEAD_REFUSED, 0} : (struct head){HEAD_CONTAINER, 2 * (uint64_t)n};
}

static void tag(void *c, uint64_t v)
{
	(void)v;
	*(struct head *)c = (struct head){HEAD_CONTAINER, 1};
}

static const struct cbor_callbacks walk = {
	.uint8 = leaf8, .uint16 = leaf16, .uint32 = leaf32, .uint64 = leaf64,
	.negint8 = leaf8, .negint16 = leaf16, .negint32 = leaf32, .negint64 = leaf64,
	.byte_string_start = refused, .byte_string = leaf_bytes,
	.string_start = refused, .string = leaf_bytes,
	.indef_array_start = refused, .array_start = array_start,
	.indef_map_start = refused, .map_start = map_start,
	.tag = tag,
	.float2 = leaf_float, .float4 = leaf_float, .float8 = leaf_double,
	.undefined = leaf_simple, .null = leaf_simple, .boolean = leaf_bool,
	.indef_break = refused,
};

size_t cbor_bounded_length(const uint8_t *p, size_t n)
{
	uint64_t open[CBOR_DEPTH_MAX + 1]; /* the members still due in each open container */
	int depth = 0;
	open[0] = 1; /* the one item */
	size_t at = 0;
	while (depth >= 0) {
		struct head h = {HEAD_REFUSED, 0};
		struct cbor_decoder_result r = cbor_stream_decode(p + at, n - at, &walk, &h);
		if (r.status != CBOR_DECODER_FINISHED || r.read == 0 || h.kind == HEAD_REFUSED)
			return 0;
		at += r.read;
		open[depth]--; /* this item is one of its container's members */
		if (h.kind == HEAD_CONTAINER && h.members > 0) {
			if (h.members > n - at || depth == CBOR_DEPTH_MAX)
				return 0;
			open[++depth] = h.members;
		}
		while (depth >= 0 && open[depth] == 0)
			depth--;
	}
	return at;
}

cbor_item_t *cbor_bounded_load(const uint8_t *p, size_t n, size_t *used)
{
	*used = cbor_bounded_length(p, n);
	if (*used == 0)
		return NULL;
	struct cbor_load_result r;
	cbor_item_t *item = cbor_load(p, *used, &r);
	if (item && r.read != *used) {
		cbor_decref(&item);
		return NULL;
	}
	return item;
}
