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

#endif
