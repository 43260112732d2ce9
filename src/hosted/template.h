/*
 * template.h: the hosted pages' templates (the .html files of src/hosted/templates, compiled in).
 * Three forms of placeholder: {{name}} inserts the variable HTML-escaped; {{{name}}} inserts
 * it as it is, for fragments that were themselves rendered from templates; {{_ words}} inserts
 * the words in the page's language (l10n.h; tools/po-update gathers them into the catalogs),
 * HTML-escaped, each {name} in them replaced by the variable, escaped too. A name with no
 * variable renders as nothing. No logic in templates: lists and choices are made in C by
 * rendering a fragment template per item.
 */
#ifndef TF_HOSTED_TEMPLATE_H
#define TF_HOSTED_TEMPLATE_H
#include <stddef.h>

#include "l10n/l10n.h"

struct tpl_var {
	const char *name;
	const char *value; /* NULL renders as nothing */
};

/* Renders the template called name (e.g. "challenge.html") in language l with vars (ended by
 * {NULL}). Returns a malloc'd string, or NULL when there is no such template or memory ran
 * out. */
char *tpl_render(const struct l10n *l, const char *name, const struct tpl_var *vars);

/* Appends the rendering of name to *acc (malloc'd, may start NULL); false on failure. */
int tpl_append(const struct l10n *l, char **acc, const char *name, const struct tpl_var *vars);

/* words (a msgid) in language l with each {name} replaced by its variable, as text (not
 * escaped): a malloc'd string, or NULL when memory ran out. For words that are not inside a
 * template: a page's title, a notice. */
char *tpl_words(const struct l10n *l, const char *words, const struct tpl_var *vars);

#endif
