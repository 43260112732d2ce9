/* fuzz_logo.c: libFuzzer target for the checks of an application's branding, outside input an
 * operator pastes from anywhere: the logo as a PNG (the chunk walk, then libpng) and as an SVG
 * (libxml2 and the tree walk), and the primary colour. A PNG said to be good decodes with its
 * size in bounds; a colour parsed formats back to seven characters. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/contrast.h"
#include "core/logo_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t w = 0, h = 0;
	if (logo_check_png(data, size, &w, &h) == LOGO_OK && (w == 0 || h == 0 || w > LOGO_SIDE_MAX || h > LOGO_SIDE_MAX))
		abort();
	struct logo_problem p;
	char why[256];
	(void)logo_check_svg((const char *)data, size, &p);
	logo_problem_text(&p, why, sizeof why);
	char *text = strndup((const char *)data, size);
	if (!text)
		return 0;
	struct rgb8 c;
	char back[8];
	if (color_parse(text, &c)) {
		color_format(c, back);
		if (strlen(back) != 7)
			abort();
		double ratio;
		const struct brand_surface *worst;
		(void)brand_color_ok(c, &ratio, &worst);
		if (ratio < 1.0 || ratio > 21.0 + 1e-9)
			abort();
	}
	free(text);
	return 0;
}
