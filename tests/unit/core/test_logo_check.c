/* Unit tests for core/logo_check.c: PNGs (a real one from the QR encoder, then broken, animated,
 * too large, with trailing data) and SVGs (drawings accepted; scripts, event handlers,
 * foreignObject, live HTML, external references in href, url() and CSS, DOCTYPE entities,
 * processing instructions and animations refused). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/logo_check.h"
#include "qr/qr.h"

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint8_t *real_png(size_t *len)
{
	uint8_t *png;
	assert_int_equal(qr_png("otpauth://totp/Acme?secret=JBSWY3DPEHPK3PXP", 4, &png, len), TF_OK);
	return png;
}

static void test_a_real_png_is_accepted_with_its_size(void **state)
{
	(void)state;
	size_t len;
	uint8_t *png = real_png(&len);
	uint32_t w = 0, h = 0;
	assert_int_equal(logo_check_png(png, len, &w, &h), LOGO_OK);
	assert_true(w > 50 && w == h);
	free(png);
}

static void test_what_is_not_a_whole_still_png_is_refused(void **state)
{
	(void)state;
	size_t len;
	uint8_t *png = real_png(&len);
	uint32_t w, h;
	uint8_t *copy = malloc(len + 64);
	assert_non_null(copy);
	/* not a PNG: a GIF's start, a cut signature, nothing */
	assert_int_equal(logo_check_png((const uint8_t *)"GIF89a\x01\x00\x01\x00", 10, &w, &h), LOGO_NOT_PNG);
	assert_int_equal(logo_check_png(png, 8, &w, &h), LOGO_NOT_PNG);
	assert_int_equal(logo_check_png(png, 0, &w, &h), LOGO_NOT_PNG);
	/* cut before IEND, or bytes after it (another format could ride along) */
	assert_int_equal(logo_check_png(png, len - 1, &w, &h), LOGO_NOT_PNG);
	memcpy(copy, png, len);
	memcpy(copy + len, "<html>", 6);
	assert_int_equal(logo_check_png(copy, len + 6, &w, &h), LOGO_NOT_PNG);
	/* IHDR's width 0 and 2049 */
	memcpy(copy, png, len);
	put_be32(copy + 16, 0);
	assert_int_equal(logo_check_png(copy, len, &w, &h), LOGO_BAD_SIZE);
	put_be32(copy + 16, LOGO_SIDE_MAX + 1);
	assert_int_equal(logo_check_png(copy, len, &w, &h), LOGO_BAD_SIZE);
	/* an acTL chunk (APNG) after IHDR */
	static const uint8_t actl[20] = {0, 0, 0, 8, 'a', 'c', 'T', 'L', 0, 0, 0, 2, 0, 0, 0, 0, 1, 2, 3, 4};
	memcpy(copy, png, 33);
	memcpy(copy + 33, actl, sizeof actl);
	memcpy(copy + 33 + sizeof actl, png + 33, len - 33);
	assert_int_equal(logo_check_png(copy, len + sizeof actl, &w, &h), LOGO_ANIMATED);
	/* a damaged IDAT (its CRC no longer matches): the structure holds, the image does not decode */
	memcpy(copy, png, len);
	size_t idat = 8;
	while (memcmp(copy + idat + 4, "IDAT", 4) != 0)
		idat += 12 + ((size_t)copy[idat] << 24 | (size_t)copy[idat + 1] << 16 | (size_t)copy[idat + 2] << 8 | copy[idat + 3]);
	copy[idat + 10] ^= 0x55;
	assert_int_equal(logo_check_png(copy, len, &w, &h), LOGO_UNDECODABLE);
	/* over the byte limit, whatever it holds */
	uint8_t *big = calloc(LOGO_BYTES_MAX + 1, 1);
	assert_non_null(big);
	memcpy(big, png, len);
	assert_int_equal(logo_check_png(big, LOGO_BYTES_MAX + 1, &w, &h), LOGO_TOO_LARGE);
	free(big);
	free(copy);
	free(png);
}

static enum logo_verdict svg(const char *text, struct logo_problem *p)
{
	return logo_check_svg(text, strlen(text), p);
}

#define SVG_OPEN "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\"0 0 10 10\">"

static void test_drawings_are_accepted(void **state)
{
	(void)state;
	struct logo_problem p;
	char *qr;
	assert_int_equal(qr_svg("otpauth://totp/Acme?secret=JBSWY3DPEHPK3PXP", &qr), TF_OK);
	assert_int_equal(svg(qr, &p), LOGO_OK);
	free(qr);
	assert_int_equal(svg("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- Acme -->" SVG_OPEN
			     "<title>Acme Pay</title><defs><linearGradient id=\"g\"><stop offset=\"0\" stop-color=\"#1a5fb4\"/>"
			     "</linearGradient><style>.a{fill:url(#g)} .b { fill: url( '#g' ) }</style></defs>"
			     "<g class=\"a\" style=\"stroke:#000\"><rect width=\"10\" height=\"10\" fill=\"url(#g)\"/>"
			     "<use xlink:href=\"#r\"/><use href=\" #r\"/><text>Acme &amp; Co</text></g>"
			     "<metadata><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/></metadata>"
			     "<sodipodi:namedview xmlns:sodipodi=\"http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd\"/></svg>",
			     &p),
			 LOGO_OK);
	assert_int_equal(svg(SVG_OPEN "<![CDATA[ text ]]><style><![CDATA[ .a{fill:#000} ]]></style></svg>", &p), LOGO_OK);
}

static void expect(const char *text, enum logo_verdict v, const char *what)
{
	struct logo_problem p;
	assert_int_equal(svg(text, &p), v);
	assert_int_equal(p.verdict, v);
	if (what)
		assert_string_equal(p.what, what);
	char sentence[256];
	logo_problem_text(&p, sentence, sizeof sentence);
	assert_true(strlen(sentence) > 10);
}

static void test_what_could_run_or_load_is_refused(void **state)
{
	(void)state;
	expect(SVG_OPEN "<script>alert(1)</script></svg>", LOGO_SCRIPT, "script");
	expect(SVG_OPEN "<g><g><script xlink:href=\"#x\"/></g></g></svg>", LOGO_SCRIPT, "script");
	expect("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>", LOGO_EVENT_HANDLER, "onload");
	expect(SVG_OPEN "<rect ONCLICK=\"x()\"/></svg>", LOGO_EVENT_HANDLER, "ONCLICK");
	expect(SVG_OPEN "<foreignObject><p>hi</p></foreignObject></svg>", LOGO_FOREIGN_OBJECT, "foreignObject");
	expect(SVG_OPEN "<h:script xmlns:h=\"http://www.w3.org/1999/xhtml\">alert(1)</h:script></svg>", LOGO_SCRIPT, "script");
	expect(SVG_OPEN "<h:img xmlns:h=\"http://www.w3.org/1999/xhtml\" src=\"x\"/></svg>", LOGO_SCRIPT, "img");
	expect(SVG_OPEN "<m:math xmlns:m=\"http://www.w3.org/1998/Math/MathML\"/></svg>", LOGO_SCRIPT, "math");
	expect(SVG_OPEN "<handler type=\"text/javascript\">x()</handler></svg>", LOGO_SCRIPT, "handler");
	expect(SVG_OPEN "<iframe/></svg>", LOGO_ELEMENT, "iframe");
	expect(SVG_OPEN "<a href=\"javascript:alert(1)\"><rect/></a></svg>", LOGO_EXTERNAL_REFERENCE, "href");
	expect(SVG_OPEN "<image xlink:href=\"https://evil.example/x.png\"/></svg>", LOGO_EXTERNAL_REFERENCE, "xlink:href");
	expect(SVG_OPEN "<image href=\"data:image/png;base64,AAAA\"/></svg>", LOGO_EXTERNAL_REFERENCE, "href");
	expect(SVG_OPEN "<use href=\"other.svg#a\"/></svg>", LOGO_EXTERNAL_REFERENCE, "href");
	expect(SVG_OPEN "<g xml:base=\"https://evil.example/\"><use href=\"#a\"/></g></svg>", LOGO_EXTERNAL_REFERENCE,
	       "xml:base");
	expect(SVG_OPEN "<rect fill=\"url(https://evil.example/p.svg#a)\"/></svg>", LOGO_EXTERNAL_REFERENCE, "fill");
	expect(SVG_OPEN "<rect style=\"fill:URL( 'x.svg#a' )\"/></svg>", LOGO_EXTERNAL_REFERENCE, "style");
	expect(SVG_OPEN "<rect style=\"fill:u\\72l(x)\"/></svg>", LOGO_EXTERNAL_REFERENCE, "style");
	expect(SVG_OPEN "<style>@import 'https://evil.example/a.css';</style></svg>", LOGO_EXTERNAL_REFERENCE, "style");
	expect(SVG_OPEN "<style>rect{fill:url(//evil.example/a)}</style></svg>", LOGO_EXTERNAL_REFERENCE, "style");
	expect(SVG_OPEN "<style><![CDATA[ rect{background:image-set(\"x.png\" 1x)} ]]></style></svg>",
	       LOGO_EXTERNAL_REFERENCE, "style");
	expect(SVG_OPEN "<set attributeName=\"href\" to=\"javascript:alert(1)\"/></svg>", LOGO_ANIMATED, "set");
	expect(SVG_OPEN "<rect><animate attributeName=\"x\" to=\"5\"/></rect></svg>", LOGO_ANIMATED, "animate");
}

static void test_documents_that_are_not_plain_svg_are_refused(void **state)
{
	(void)state;
	expect("<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>" SVG_OPEN
	       "<text>&x;</text></svg>",
	       LOGO_DOCTYPE, NULL);
	expect("<!DOCTYPE svg [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>" SVG_OPEN
	       "<text>&b;</text></svg>",
	       LOGO_DOCTYPE, NULL);
	expect("<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">" SVG_OPEN
	       "</svg>",
	       LOGO_DOCTYPE, NULL);
	expect("<?xml-stylesheet href=\"https://evil.example/a.xsl\" type=\"text/xsl\"?>" SVG_OPEN "</svg>",
	       LOGO_PROCESSING_INSTRUCTION, "xml-stylesheet");
	expect(SVG_OPEN "<?php echo 1 ?></svg>", LOGO_PROCESSING_INSTRUCTION, "php");
	expect(SVG_OPEN "<rect></svg>", LOGO_NOT_XML, NULL);
	expect("not xml at all", LOGO_NOT_XML, NULL);
	expect("", LOGO_NOT_XML, NULL);
	expect("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" SVG_OPEN "</svg>", LOGO_NOT_XML, NULL);
	expect("<svg viewBox=\"0 0 1 1\"/>", LOGO_NOT_SVG, NULL); /* no namespace: no SVG to a browser */
	expect("<html xmlns=\"http://www.w3.org/1999/xhtml\"/>", LOGO_NOT_SVG, NULL);
	struct logo_problem p;
	assert_int_equal(logo_check_svg(SVG_OPEN "</svg>\0<script/>", sizeof SVG_OPEN + 6 + 10, &p), LOGO_NOT_XML);
	char *big = malloc(LOGO_BYTES_MAX + 2);
	assert_non_null(big);
	memset(big, ' ', LOGO_BYTES_MAX + 1);
	memcpy(big, SVG_OPEN, strlen(SVG_OPEN));
	big[LOGO_BYTES_MAX + 1] = '\0';
	assert_int_equal(svg(big, &p), LOGO_TOO_LARGE);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_real_png_is_accepted_with_its_size),
		cmocka_unit_test(test_what_is_not_a_whole_still_png_is_refused),
		cmocka_unit_test(test_drawings_are_accepted),
		cmocka_unit_test(test_what_could_run_or_load_is_refused),
		cmocka_unit_test(test_documents_that_are_not_plain_svg_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
