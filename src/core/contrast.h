/*
 * contrast.h: colours as an application gives them ("#1a5fb4") and the contrast between two
 * colours as WCAG 2.x defines it (relative luminance of sRGB, ratio (L1 + 0.05) / (L2 + 0.05),
 * from 1:1 to 21:1), and the rule an application's primary colour must meet to be used on the
 * hosted pages (its branding): a contrast of at least BRAND_CONTRAST_MIN against every surface
 * the pages draw it on or against. Pure.
 */
#ifndef TF_CORE_CONTRAST_H
#define TF_CORE_CONTRAST_H
#include <stdbool.h>
#include <stdint.h>

struct rgb8 {
	uint8_t r, g, b;
};

/* "#rrggbb" or its short form "#rgb" (each digit doubled), hexadecimal digits in either case;
 * nothing else (no name, no alpha, no spaces). */
bool color_parse(const char *text, struct rgb8 *out);
/* The colour as "#rrggbb" in lower case. */
void color_format(struct rgb8 c, char out[8]);

/* WCAG 2.x relative luminance, 0 (black) to 1 (white). */
double color_luminance(struct rgb8 c);
/* WCAG 2.x contrast ratio of two colours, in either order: 1 to 21. */
double color_contrast(struct rgb8 a, struct rgb8 b);

/* WCAG 2.x AA for text of normal size (1.4.3); it also exceeds the 3:1 that user-interface
 * components and focus indicators need (1.4.11). */
#define BRAND_CONTRAST_MIN 4.5

/* The surfaces of the hosted pages (src/hosted/assets/style.css) that the primary colour meets:
 * the page's background (#f5f7fa: link-styled buttons and the focus ring around controls sit on
 * it) and white (the header, cards and tables it colours links on, and the text of the buttons
 * it fills, which is the same ratio). */
struct brand_surface {
	const char *name; /* "the page background" */
	struct rgb8 color;
};
extern const struct brand_surface brand_surfaces[];
extern const int brand_surfaces_count;

/* Whether c may be an application's primary colour: its lowest contrast against the surfaces
 * (into *ratio, with the surface into *worst) is at least BRAND_CONTRAST_MIN. A ratio just
 * under the minimum fails: nothing is rounded. */
bool brand_color_ok(struct rgb8 c, double *ratio, const struct brand_surface **worst);

/* ratio as people read it, cut (never rounded up, so that a refused ratio never reads as the
 * minimum) to two decimals: "4.48" */
void contrast_format(double ratio, char out[16]);

#endif
