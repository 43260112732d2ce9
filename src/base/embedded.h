/* embedded.h: files compiled into the binary (tools/embed-files): the hosted pages' templates
 * (src/hosted/templates/) and assets (src/hosted/assets/), and the languages' catalogs
 * (po/<lang>.po compiled by msgfmt). */
#ifndef TF_BASE_EMBEDDED_H
#define TF_BASE_EMBEDDED_H
#include <stddef.h>

struct embedded_file {
	const char *name; /* base name: "layout.html" */
	const char *data;
	size_t len;
};

extern const struct embedded_file hosted_templates[];
extern const struct embedded_file hosted_assets[];
extern const struct embedded_file l10n_catalogs[];

/* The file called name in table, or NULL. */
const struct embedded_file *embedded_find(const struct embedded_file *table, const char *name);

#endif
