/*
 * logo_check.h: whether bytes an application gives as its logo (its branding) are an image the
 * hosted pages and emails may show, and nothing else. Pure over bytes (libpng decodes, libxml2
 * parses with the network, DTDs and entity expansion off); no I/O.
 *
 * PNG: at most LOGO_BYTES_MAX bytes; the PNG signature, then IHDR first, each chunk whole,
 * IEND last and nothing after it; 1 to LOGO_SIDE_MAX pixels a side; not animated (APNG's acTL:
 * moving content in the header would need a way to stop it, WCAG 2.2.2); and it decodes.
 *
 * SVG: at most LOGO_BYTES_MAX bytes of well-formed XML in UTF-8 whose root is <svg> in the SVG
 * namespace, with nothing that could act or load when the logo is opened on its own:
 *   - no DOCTYPE (so no entity of its own) and no processing instruction (xml-stylesheet);
 *   - SVG elements from the static drawing ones only (no script, foreignObject, handler or
 *     listener, animation, audio or video); no element in the XHTML or MathML namespace (they
 *     would be live HTML or MathML inside the SVG); elements of other namespaces (an editor's
 *     metadata) are inert and allowed;
 *   - no event-handler attribute (any attribute whose name starts with "on");
 *   - every href and xlink:href a reference inside the document ("#id"), and no xml:base;
 *   - in every attribute and in <style>, url() only to "#id"; in CSS (<style> and style
 *     attributes) no @import, no image-set() and no backslash escape (which could spell either).
 */
#ifndef TF_CORE_LOGO_CHECK_H
#define TF_CORE_LOGO_CHECK_H
#include <stddef.h>
#include <stdint.h>

#define LOGO_BYTES_MAX 32768 /* a request body is at most 64 KiB, and the PNG comes in base64 */
#define LOGO_SIDE_MAX 2048

enum logo_verdict {
	LOGO_OK,
	LOGO_TOO_LARGE,          /* over LOGO_BYTES_MAX */
	LOGO_NOT_PNG,            /* no PNG signature, IHDR or chunk structure */
	LOGO_BAD_SIZE,           /* width or height 0 or over LOGO_SIDE_MAX */
	LOGO_ANIMATED,           /* an APNG, or an SVG animation element */
	LOGO_UNDECODABLE,        /* a PNG libpng cannot decode */
	LOGO_NOT_XML,            /* not well-formed XML, or not UTF-8 */
	LOGO_NOT_SVG,            /* the root is not <svg> in the SVG namespace */
	LOGO_DOCTYPE,            /* a DOCTYPE (entities) */
	LOGO_PROCESSING_INSTRUCTION,
	LOGO_SCRIPT,             /* a script element (SVG's, or any XHTML or MathML element) */
	LOGO_FOREIGN_OBJECT,
	LOGO_ELEMENT,            /* another element the allowed drawing elements do not list */
	LOGO_EVENT_HANDLER,      /* an on* attribute */
	LOGO_EXTERNAL_REFERENCE, /* an href, url() or CSS import to anything but "#id" */
};

/* A verdict with what it is about: the element or attribute ("script", "onload", "href"). */
struct logo_problem {
	enum logo_verdict verdict;
	char what[64];
};

/* The PNG's verdict; on LOGO_OK, its size into *width and *height. */
enum logo_verdict logo_check_png(const uint8_t *png, size_t len, uint32_t *width, uint32_t *height);
/* The SVG's verdict, with what it is about in *p (p->verdict is the verdict returned). */
enum logo_verdict logo_check_svg(const char *svg, size_t len, struct logo_problem *p);

/* The verdict in a sentence ("it has a <script> element"), p->what filled in. */
void logo_problem_text(const struct logo_problem *p, char *out, size_t size);

#endif
