/*
 * cbor_bounded.h: CBOR from outside (WebAuthn's attestation objects, COSE keys, extensions)
 * loaded with libcbor only once its shape is known to be sane. libcbor's cbor_load allocates
 * what an array's or map's head declares before reading its members, so a few bytes declaring a
 * billion members would cost gigabytes. Here libcbor's streaming decoder first walks the item's
 * heads without allocating: every declared member count must fit in the bytes left (each member
 * takes at least one byte), nesting stays under CBOR_DEPTH_MAX, and indefinite lengths (which
 * CTAP2's canonical form does not use) are refused.
 */
#ifndef TF_WEBAUTHN_CBOR_BOUNDED_H
#define TF_WEBAUTHN_CBOR_BOUNDED_H
#include <stddef.h>
#include <stdint.h>

#include <cbor.h>

#define CBOR_DEPTH_MAX 16

/* The length in bytes of the one well-bounded CBOR item at the start of p (n bytes), or 0 when
 * there is none. */
size_t cbor_bounded_length(const uint8_t *p, size_t n);

/* The item at the start of p, loaded (cbor_decref it), and its length in *used; NULL when it is
 * not well bounded or does not load. */
cbor_item_t *cbor_bounded_load(const uint8_t *p, size_t n, size_t *used);

#endif
