/* grow.c: see grow.h. */
#include "base/grow.h"

#include <stdint.h>
#include <stdlib.h>

void *grow_for_one(void *items, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return items;
	size_t more = *cap ? 2 * *cap : 8;
	if (size && more > SIZE_MAX / size)
		return NULL;
	void *grown = realloc(items, more * size);
	if (grown)
		*cap = more;
	return grown;
}
