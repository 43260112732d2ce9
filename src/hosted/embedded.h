/* embedded.h: files compiled into the binary (tools/embed-files): the hosted pages'
 * templates (src/hosted/templates/) and assets (src/hosted/assets/). */
#ifndef TF_HOSTED_EMBEDDED_H
#define TF_HOSTED_EMBEDDED_H
#include <stddef.h>

struct embedded_file {
	const char *name; /* base name: "layout.html" */
	const char *data;
	size_t len;
};

extern const struct embedded_file hosted_templates[];
extern const struct embedded_file hosted_assets[];

/* The file called name in table, or NULL. */
const struct embedded_file *embedded_find(const struct embedded_file *table, const char *name);

#endif
