/* qr.c: see qr.h. Error correction level M; the symbol version grows with the text. */
#include "qr/qr.h"

#include <png.h>
#include <qrencode.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUIET 4

struct png_buf {
	uint8_t *data;
	size_t len, cap;
	int failed;
};

static void png_write(png_structp p, png_bytep data, png_size_t len)
{
	struct png_buf *b = png_get_io_ptr(p);
	if (b->failed)
		return;
	if (b->len + len > b->cap) {
		size_t cap = (b->cap + len) * 2;
		uint8_t *d = realloc(b->data, cap);
		if (!d) {
			b->failed = 1;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

static void png_flush(png_structp p)
{
	(void)p;
}

enum tf_err qr_png(const char *text, int scale, uint8_t **out, size_t *out_len)
{
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!q)
		return TF_ERR_INTERNAL;
	int side = (q->width + 2 * QUIET) * scale;
	struct png_buf b = {0};
	png_bytep row = malloc((size_t)side);
	png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = p ? png_create_info_struct(p) : NULL;
	enum tf_err e = TF_ERR_INTERNAL;
	if (!row || !p || !info)
		goto out;
	if (setjmp(png_jmpbuf(p)))
		goto out;
	png_set_write_fn(p, &b, png_write, png_flush);
	png_set_IHDR(p, info, (png_uint_32)side, (png_uint_32)side, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(p, info);
	for (int y = 0; y < side; y++) {
		int my = y / scale - QUIET;
		for (int x = 0; x < side; x++) {
			int mx = x / scale - QUIET;
			int dark = mx >= 0 && my >= 0 && mx < q->width && my < q->width && (q->data[my * q->width + mx] & 1);
			row[x] = dark ? 0 : 255;
		}
		png_write_row(p, row);
	}
	png_write_end(p, NULL);
	if (!b.failed) {
		*out = b.data;
		*out_len = b.len;
		b.data = NULL;
		e = TF_OK;
	}
out:
	png_destroy_write_struct(&p, &info);
	free(row);
	free(b.data);
	QRcode_free(q);
	return e;
}

enum tf_err qr_svg(const char *text, char **out)
{
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!q)
		return TF_ERR_INTERNAL;
	int side = q->width + 2 * QUIET;
	/* one path of unit squares: at most 12 bytes per dark module */
	size_t cap = (size_t)q->width * (size_t)q->width * 16 + 512;
	char *svg = malloc(cap);
	if (!svg) {
		QRcode_free(q);
		return TF_ERR_INTERNAL;
	}
	size_t n = (size_t)snprintf(svg, cap,
				    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
				    "shape-rendering=\"crispEdges\"><rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>"
				    "<path fill=\"#000\" d=\"",
				    side, side);
	for (int y = 0; y < q->width; y++)
		for (int x = 0; x < q->width; x++)
			if (q->data[y * q->width + x] & 1)
				n += (size_t)snprintf(svg + n, cap - n, "M%d %dh1v1h-1z", x + QUIET, y + QUIET);
	snprintf(svg + n, cap - n, "\"/></svg>");
	QRcode_free(q);
	*out = svg;
	return TF_OK;
}

char *qr_base64(const char *prefix, const uint8_t *data, size_t len)
{
	size_t p = strlen(prefix);
	size_t b64 = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
	char *out = malloc(p + b64);
	if (!out)
		return NULL;
	memcpy(out, prefix, p);
	sodium_bin2base64(out + p, b64, data, len, sodium_base64_VARIANT_ORIGINAL);
	return out;
}

enum tf_err qr_png_base64(const char *text, int scale, const char *prefix, char **out)
{
	uint8_t *png;
	size_t len;
	enum tf_err e = qr_png(text, scale, &png, &len);
	if (e != TF_OK)
		return e;
	*out = qr_base64(prefix, png, len);
	free(png);
	return *out ? TF_OK : TF_ERR_INTERNAL;
}
