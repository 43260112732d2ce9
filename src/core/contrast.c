/* contrast.c: colours, WCAG 2.x contrast and the primary colour's rule (see contrast.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/contrast.h"

const struct brand_surface brand_surfaces[] = {
	{"the page background (#f5f7fa)", {0xf5, 0xf7, 0xfa}},
	{"white (#ffffff: cards, the header and the buttons' text)", {0xff, 0xff, 0xff}},
};
const int brand_surfaces_count = (int)(sizeof brand_surfaces / sizeof brand_surfaces[0]);

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool color_parse(const char *text, struct rgb8 *out)
{
	if (!text || text[0] != '#')
		return false;
	size_t len = strlen(text + 1);
	if (len != 3 && len != 6)
		return false;
	int d[6];
	for (size_t i = 0; i < len; i++)
		if ((d[i] = hex_digit(text[1 + i])) < 0)
			return false;
	if (len == 3)
		*out = (struct rgb8){(uint8_t)(d[0] * 17), (uint8_t)(d[1] * 17), (uint8_t)(d[2] * 17)};
	else
		*out = (struct rgb8){(uint8_t)(d[0] * 16 + d[1]), (uint8_t)(d[2] * 16 + d[3]), (uint8_t)(d[4] * 16 + d[5])};
	return true;
}

void color_format(struct rgb8 c, char out[8])
{
	snprintf(out, 8, "#%02x%02x%02x", c.r, c.g, c.b);
}

/* an sRGB channel made linear (WCAG 2.x; its 0.03928 and IEC 61966-2-1's 0.04045 agree on every
 * 8-bit value) */
static double linear(uint8_t v)
{
	double c = v / 255.0;
	return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

double color_luminance(struct rgb8 c)
{
	return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b);
}

double color_contrast(struct rgb8 a, struct rgb8 b)
{
	double la = color_luminance(a), lb = color_luminance(b);
	return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

bool brand_color_ok(struct rgb8 c, double *ratio, const struct brand_surface **worst)
{
	*ratio = 21.0;
	*worst = &brand_surfaces[0];
	for (int i = 0; i < brand_surfaces_count; i++) {
		double r = color_contrast(c, brand_surfaces[i].color);
		if (r < *ratio) {
			*ratio = r;
			*worst = &brand_surfaces[i];
		}
	}
	return *ratio >= BRAND_CONTRAST_MIN;
}

void contrast_format(double ratio, char out[16])
{
	double h = floor(ratio * 100.0 + 1e-9);
	unsigned hundredths = h <= 0 ? 0 : h >= 2100 ? 2100 : (unsigned)h; /* ratios run from 1 to 21 */
	snprintf(out, 16, "%u.%02u", (hundredths / 100) % 100, hundredths % 100);
}
