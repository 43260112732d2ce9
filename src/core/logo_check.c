/* logo_check.c: the PNG and SVG checks of an application's logo (see logo_check.h). */
#include <ctype.h>
#include <png.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "core/logo_check.h"

/* ---- PNG ---- */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The chunks: IHDR first (13 bytes), each whole, no acTL, IEND last with nothing after it. */
static enum logo_verdict png_chunks(const uint8_t *png, size_t len, uint32_t *width, uint32_t *height)
{
	static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	if (len < 8 + 25 || memcmp(png, signature, 8) != 0)
		return LOGO_NOT_PNG;
	size_t off = 8;
	bool first = true;
	while (off + 12 <= len) {
		uint32_t n = be32(png + off);
		const uint8_t *type = png + off + 4;
		if (n > len - off - 12)
			return LOGO_NOT_PNG;
		if (first) {
			if (memcmp(type, "IHDR", 4) != 0 || n != 13)
				return LOGO_NOT_PNG;
			*width = be32(png + off + 8);
			*height = be32(png + off + 12);
			first = false;
		}
		if (memcmp(type, "acTL", 4) == 0)
			return LOGO_ANIMATED;
		off += 12 + (size_t)n;
		if (memcmp(type, "IEND", 4) == 0)
			return off == len ? LOGO_OK : LOGO_NOT_PNG;
	}
	return LOGO_NOT_PNG;
}

enum logo_verdict logo_check_png(const uint8_t *png, size_t len, uint32_t *width, uint32_t *height)
{
	if (len > LOGO_BYTES_MAX)
		return LOGO_TOO_LARGE;
	uint32_t w = 0, h = 0;
	enum logo_verdict v = png_chunks(png, len, &w, &h);
	if (v != LOGO_OK)
		return v;
	if (w == 0 || h == 0 || w > LOGO_SIDE_MAX || h > LOGO_SIDE_MAX)
		return LOGO_BAD_SIZE;
	/* decoded whole (at most 2048 x 2048 RGBA, 16 MiB): a logo that shows as a broken image is refused now */
	png_image image;
	memset(&image, 0, sizeof image);
	image.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_memory(&image, png, len))
		return LOGO_UNDECODABLE;
	image.format = PNG_FORMAT_RGBA;
	void *pixels = malloc(PNG_IMAGE_SIZE(image));
	int ok = pixels && png_image_finish_read(&image, NULL, pixels, 0, NULL);
	free(pixels);
	png_image_free(&image);
	if (!ok || PNG_IMAGE_FAILED(image))
		return LOGO_UNDECODABLE;
	*width = w;
	*height = h;
	return LOGO_OK;
}

/* ---- SVG ---- */

#define SVG_NS "http://www.w3.org/2000/svg"

/* The drawing elements of SVG 1.1 and 2 that neither run nor load anything of their own (an
 * <a>, <image>, <feImage> or <use> refers only within the document, as the href rule says). */
static const char *const svg_elements[] = {
	"a", "circle", "clipPath", "defs", "desc", "ellipse", "feBlend", "feColorMatrix", "feComponentTransfer",
	"feComposite", "feConvolveMatrix", "feDiffuseLighting", "feDisplacementMap", "feDistantLight", "feDropShadow",
	"feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR", "feGaussianBlur", "feImage", "feMerge", "feMergeNode",
	"feMorphology", "feOffset", "fePointLight", "feSpecularLighting", "feSpotLight", "feTile", "feTurbulence",
	"filter", "g", "image", "line", "linearGradient", "marker", "mask", "metadata", "path", "pattern", "polygon",
	"polyline", "radialGradient", "rect", "stop", "style", "svg", "switch", "symbol", "text", "textPath", "title",
	"tspan", "use", "view", NULL,
};
static const char *const svg_animations[] = {"animate", "animateColor", "animateMotion", "animateTransform", "set",
					      "discard", NULL};
/* namespaces whose elements are live in a browser inside an SVG document */
static const char *const live_namespaces[] = {"http://www.w3.org/1999/xhtml", "http://www.w3.org/1998/Math/MathML",
					      NULL};

static bool listed(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (!strcmp(*list, name))
			return true;
	return false;
}

static enum logo_verdict problem(struct logo_problem *p, enum logo_verdict v, const char *what)
{
	p->verdict = v;
	snprintf(p->what, sizeof p->what, "%s", what ? what : "");
	return v;
}

/* Whether every url( in s, in any case, refers to "#..." (after spaces and a quote). */
static bool urls_local(const char *s)
{
	for (const char *p = s; *p; p++) {
		if (strncasecmp(p, "url(", 4) != 0)
			continue;
		const char *q = p + 4;
		while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r' || *q == '\f' || *q == '"' || *q == '\'')
			q++;
		if (*q != '#')
			return false;
	}
	return true;
}

static bool contains_nocase(const char *s, const char *needle)
{
	size_t n = strlen(needle);
	for (const char *p = s; *p; p++)
		if (strncasecmp(p, needle, n) == 0)
			return true;
	return false;
}

/* CSS (a <style> element's text or a style attribute): nothing it could load or hide */
static bool css_local(const char *css)
{
	return urls_local(css) && !contains_nocase(css, "@import") && !contains_nocase(css, "image-set(") &&
	       !strchr(css, '\\');
}

static enum logo_verdict check_attributes(xmlNodePtr el, struct logo_problem *p)
{
	for (xmlAttrPtr a = el->properties; a; a = a->next) {
		const char *name = (const char *)a->name;
		xmlChar *value = xmlNodeListGetString(el->doc, a->children, 1);
		const char *v = value ? (const char *)value : "";
		enum logo_verdict verdict = LOGO_OK;
		if (strncasecmp(name, "on", 2) == 0) {
			verdict = LOGO_EVENT_HANDLER;
		} else if (strcasecmp(name, "base") == 0) { /* xml:base would turn "#id" into another document's */
			verdict = LOGO_EXTERNAL_REFERENCE;
		} else if (strcasecmp(name, "href") == 0) {
			while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r' || *v == '\f')
				v++;
			if (*v != '#')
				verdict = LOGO_EXTERNAL_REFERENCE;
		} else if (!urls_local(v) || (strcasecmp(name, "style") == 0 && !css_local(v))) {
			verdict = LOGO_EXTERNAL_REFERENCE;
		}
		xmlFree(value);
		if (verdict != LOGO_OK) {
			char what[64];
			snprintf(what, sizeof what, "%s%s%s", a->ns && a->ns->prefix ? (const char *)a->ns->prefix : "",
				 a->ns && a->ns->prefix ? ":" : "", name);
			return problem(p, verdict, what);
		}
	}
	return LOGO_OK;
}

static enum logo_verdict check_element(xmlNodePtr el, struct logo_problem *p)
{
	const char *name = (const char *)el->name;
	const char *ns = el->ns && el->ns->href ? (const char *)el->ns->href : "";
	if (!strcmp(ns, SVG_NS)) {
		if (!strcmp(name, "script") || !strcmp(name, "handler") || !strcmp(name, "listener"))
			return problem(p, LOGO_SCRIPT, name);
		if (!strcmp(name, "foreignObject"))
			return problem(p, LOGO_FOREIGN_OBJECT, name);
		if (listed(svg_animations, name))
			return problem(p, LOGO_ANIMATED, name);
		if (!listed(svg_elements, name))
			return problem(p, LOGO_ELEMENT, name);
	} else if (listed(live_namespaces, ns)) {
		return problem(p, LOGO_SCRIPT, name);
	}
	return check_attributes(el, p);
}

/* Every node under (and with) n, depth first; libxml2 has already limited the depth. */
static enum logo_verdict check_tree(xmlNodePtr n, struct logo_problem *p)
{
	for (; n; n = n->next) {
		enum logo_verdict v = LOGO_OK;
		switch (n->type) {
		case XML_ELEMENT_NODE:
			v = check_element(n, p);
			if (v == LOGO_OK)
				v = check_tree(n->children, p);
			break;
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			if (n->parent && n->parent->type == XML_ELEMENT_NODE && !strcmp((const char *)n->parent->name, "style") &&
			    !css_local(n->content ? (const char *)n->content : ""))
				v = problem(p, LOGO_EXTERNAL_REFERENCE, "style");
			break;
		case XML_COMMENT_NODE:
			break;
		case XML_PI_NODE:
			v = problem(p, LOGO_PROCESSING_INSTRUCTION, (const char *)n->name);
			break;
		case XML_DTD_NODE:
		case XML_ENTITY_REF_NODE:
		case XML_ENTITY_NODE:
		case XML_ENTITY_DECL:
			v = problem(p, LOGO_DOCTYPE, NULL);
			break;
		default:
			v = problem(p, LOGO_NOT_XML, NULL);
			break;
		}
		if (v != LOGO_OK)
			return v;
	}
	return LOGO_OK;
}

/* Nothing is ever loaded from outside the document given (defence beyond the parser's options). */
static xmlParserInputPtr no_external_entities(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

static void xml_init(void)
{
	xmlInitParser();
	xmlSetExternalEntityLoader(no_external_entities);
}

enum logo_verdict logo_check_svg(const char *svg, size_t len, struct logo_problem *p)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	problem(p, LOGO_OK, NULL);
	if (len > LOGO_BYTES_MAX)
		return problem(p, LOGO_TOO_LARGE, NULL);
	if (len == 0 || memchr(svg, '\0', len))
		return problem(p, LOGO_NOT_XML, NULL);
	pthread_once(&once, xml_init);
	/* no entity substitution, DTD loading, network, XInclude; parse errors are the verdict, not output */
	xmlDocPtr doc = xmlReadMemory(svg, (int)len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc)
		return problem(p, LOGO_NOT_XML, NULL);
	enum logo_verdict v = LOGO_OK;
	xmlNodePtr root = xmlDocGetRootElement(doc);
	if (doc->intSubset || doc->extSubset)
		v = problem(p, LOGO_DOCTYPE, NULL);
	else if (doc->encoding && strcasecmp((const char *)doc->encoding, "UTF-8") != 0)
		v = problem(p, LOGO_NOT_XML, NULL);
	else if (!root || strcmp((const char *)root->name, "svg") != 0 || !root->ns || !root->ns->href ||
		 strcmp((const char *)root->ns->href, SVG_NS) != 0)
		v = problem(p, LOGO_NOT_SVG, NULL);
	else
		v = check_tree(doc->children, p);
	xmlFreeDoc(doc);
	return v;
}

void logo_problem_text(const struct logo_problem *p, char *out, size_t size)
{
	const char *w = p->what;
	switch (p->verdict) {
	case LOGO_OK:
		snprintf(out, size, "it is accepted");
		break;
	case LOGO_TOO_LARGE:
		snprintf(out, size, "it is larger than %d bytes", LOGO_BYTES_MAX);
		break;
	case LOGO_NOT_PNG:
		snprintf(out, size, "it is not a PNG file (signature, IHDR, chunks, or data after IEND)");
		break;
	case LOGO_BAD_SIZE:
		snprintf(out, size, "its width and height must each be 1 to %d pixels", LOGO_SIDE_MAX);
		break;
	case LOGO_ANIMATED:
		snprintf(out, size, "it is animated%s%s%s; a logo must be still", *w ? " (<" : "", w, *w ? ">)" : "");
		break;
	case LOGO_UNDECODABLE:
		snprintf(out, size, "the PNG does not decode");
		break;
	case LOGO_NOT_XML:
		snprintf(out, size, "it is not well-formed XML in UTF-8");
		break;
	case LOGO_NOT_SVG:
		snprintf(out, size, "its root element is not <svg xmlns=\"" SVG_NS "\">");
		break;
	case LOGO_DOCTYPE:
		snprintf(out, size, "it has a DOCTYPE or an entity; an SVG needs neither");
		break;
	case LOGO_PROCESSING_INSTRUCTION:
		snprintf(out, size, "it has a processing instruction (<?%s ...?>)", w);
		break;
	case LOGO_SCRIPT:
		snprintf(out, size, "it has a <%s> element, which could run code", w);
		break;
	case LOGO_FOREIGN_OBJECT:
		snprintf(out, size, "it has a <foreignObject> element, which could hold live HTML");
		break;
	case LOGO_ELEMENT:
		snprintf(out, size, "it has a <%s> element, which is not one of the drawing elements a logo may use", w);
		break;
	case LOGO_EVENT_HANDLER:
		snprintf(out, size, "it has an event-handler attribute (%s)", w);
		break;
	case LOGO_EXTERNAL_REFERENCE:
		snprintf(out, size, "its %s refers outside the document (only \"#id\" references are allowed)", *w ? w : "content");
		break;
	}
}
