/*
 * template.h: the hosted pages' templates (the .html files of src/hosted/templates, compiled in).
 * Two forms of placeholder: {{name}} inserts the variable HTML-escaped; {{{name}}} inserts
 * it as it is, for fragments that were themselves rendered from templates. A name with no
 * variable renders as nothing. No logic in templates: lists and choices are made in C by
 * rendering a fragment template per item.
 */
#ifndef TF_HOSTED_TEMPLATE_H
#define TF_HOSTED_TEMPLATE_H
#include <stddef.h>

struct tpl_var {
	const char *name;
	const char *value; /* NULL renders as nothing */
};

/* Renders the template called name (e.g. "challenge.html") with vars (ended by {NULL}).
 * Returns a malloc'd string, or NULL when there is no such template or memory ran out. */
char *tpl_render(const char *name, const struct tpl_var *vars);

/* Appends the rendering of name to *acc (malloc'd, may start NULL); false on failure. */
int tpl_append(char **acc, const char *name, const struct tpl_var *vars);

#endif
