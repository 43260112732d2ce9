/* qr.h: QR codes of short texts (otpauth:// URIs) as PNG and SVG images, for enrolment
 * answers and hosted pages. Encoding by libqrencode, PNG by libpng. */
#ifndef TF_QR_QR_H
#define TF_QR_QR_H
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"

/* PNG of text, scale pixels per module, with the 4-module quiet zone; *png malloc'd. */
enum tf_err qr_png(const char *text, int scale, uint8_t **png, size_t *png_len);
/* A standalone SVG document of text; *svg malloc'd and NUL-terminated. */
enum tf_err qr_svg(const char *text, char **svg);

/* prefix followed by data in standard base64 ("data:image/png;base64," makes a data: URL);
 * malloc'd and NUL-terminated, NULL when out of memory. */
char *qr_base64(const char *prefix, const uint8_t *data, size_t len);
/* The PNG of text (qr_png) in base64 after prefix, into *out (malloc'd). */
enum tf_err qr_png_base64(const char *text, int scale, const char *prefix, char **out);

#endif
