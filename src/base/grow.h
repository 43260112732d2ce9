/* grow.h: room for one more element in a growable array (items, n used, *cap allocated). */
#ifndef TF_BASE_GROW_H
#define TF_BASE_GROW_H
#include <stddef.h>

/* items (n of *cap elements of size bytes used) with room for at least one more: the same
 * block when it has it, else one twice as large (8 at first) with *cap updated; NULL when
 * memory runs out, items then unchanged and still the caller's. */
void *grow_for_one(void *items, size_t n, size_t *cap, size_t size);

#endif
