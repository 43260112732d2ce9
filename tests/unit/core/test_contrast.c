/* Unit tests for core/contrast.c: colour parsing, WCAG 2.x contrast with its known values and
 * the 4.5:1 boundary, and the primary colour's rule against the hosted pages' surfaces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "core/contrast.h"

static const struct rgb8 white = {255, 255, 255}, black = {0, 0, 0};

static struct rgb8 parsed(const char *text)
{
	struct rgb8 c = {1, 2, 3};
	assert_true(color_parse(text, &c));
	return c;
}

static void test_colours_parse_long_and_short_forms_in_either_case(void **state)
{
	(void)state;
	char out[8];
	color_format(parsed("#1A5fB4"), out);
	assert_string_equal(out, "#1a5fb4");
	color_format(parsed("#fA0"), out);
	assert_string_equal(out, "#ffaa00");
	color_format(parsed("#000"), out);
	assert_string_equal(out, "#000000");
	struct rgb8 c;
	const char *bad[] = {"", "#", "1a5fb4", "#1a5fb", "#1a5fb4a", "#1a5fb4ff", "#ggg", "#12 456", " #123", "#123 ",
			     "red", "#-12345", "rgb(1,2,3)", NULL};
	for (int i = 0; bad[i]; i++)
		assert_false(color_parse(bad[i], &c));
	assert_false(color_parse(NULL, &c));
}

static void test_contrast_has_the_known_wcag_values(void **state)
{
	(void)state;
	assert_float_equal(color_contrast(black, white), 21.0, 1e-9);
	assert_float_equal(color_contrast(white, black), 21.0, 1e-9); /* either order */
	assert_float_equal(color_contrast(white, white), 1.0, 1e-12);
	assert_float_equal(color_luminance(white), 1.0, 1e-12);
	assert_float_equal(color_luminance(black), 0.0, 1e-12);
	assert_float_equal(color_luminance(parsed("#ff0000")), 0.2126, 1e-9);
	assert_float_equal(color_contrast(parsed("#ff0000"), white), 3.998, 1e-3);
	assert_float_equal(color_contrast(parsed("#0000ff"), white), 8.592, 1e-3);
}

/* #767676 is the lightest grey with 4.5:1 on white, #777777 the darkest without */
static void test_the_boundary_on_white_is_between_767676_and_777777(void **state)
{
	(void)state;
	double pass = color_contrast(parsed("#767676"), white), fail = color_contrast(parsed("#777777"), white);
	assert_float_equal(pass, 4.54, 0.005);
	assert_float_equal(fail, 4.48, 0.005);
	assert_true(pass >= BRAND_CONTRAST_MIN);
	assert_true(fail < BRAND_CONTRAST_MIN);
	char text[16];
	contrast_format(pass, text);
	assert_string_equal(text, "4.54");
	contrast_format(fail, text);
	assert_string_equal(text, "4.47"); /* 4.478 cut, not rounded */
	contrast_format(4.4999999, text);
	assert_string_equal(text, "4.49"); /* a refused ratio never reads as 4.50 */
	contrast_format(21.0, text);
	assert_string_equal(text, "21.00");
}

/* the page's background (#f5f7fa) is darker than white, so it decides for dark colours: the
 * boundary greys are #717171 (4.55:1) and #727272 (4.48:1), and #767676 is refused there */
static void test_the_primary_colour_must_hold_on_every_surface(void **state)
{
	(void)state;
	double ratio;
	const struct brand_surface *worst;
	assert_true(brand_color_ok(parsed("#717171"), &ratio, &worst));
	assert_float_equal(ratio, 4.548, 1e-3);
	assert_false(brand_color_ok(parsed("#727272"), &ratio, &worst));
	assert_float_equal(ratio, 4.482, 1e-3);
	assert_non_null(strstr(worst->name, "#f5f7fa"));
	assert_false(brand_color_ok(parsed("#767676"), &ratio, &worst));
	assert_float_equal(ratio, 4.23, 0.005);
	assert_true(brand_color_ok(parsed("#1a5fb4"), &ratio, &worst));
	assert_true(brand_color_ok(parsed("#1f5fbf"), &ratio, &worst)); /* the pages' own accent */
	assert_true(brand_color_ok(black, &ratio, &worst));
	/* a light colour fails on white (and on the page): white text on it would not be read */
	assert_false(brand_color_ok(parsed("#ffcc00"), &ratio, &worst));
	assert_false(brand_color_ok(white, &ratio, &worst));
	assert_float_equal(ratio, 1.0, 1e-12);
	assert_non_null(strstr(worst->name, "#ffffff"));
	/* the surfaces are those of src/hosted/assets/style.css */
	assert_int_equal(brand_surfaces_count, 2);
	assert_int_equal(brand_surfaces[0].color.r, 0xf5);
	assert_int_equal(brand_surfaces[0].color.g, 0xf7);
	assert_int_equal(brand_surfaces[0].color.b, 0xfa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_colours_parse_long_and_short_forms_in_either_case),
		cmocka_unit_test(test_contrast_has_the_known_wcag_values),
		cmocka_unit_test(test_the_boundary_on_white_is_between_767676_and_777777),
		cmocka_unit_test(test_the_primary_colour_must_hold_on_every_surface),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
