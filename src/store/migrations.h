/* migrations.h: the versioned schema migrations compiled into the binary
 * (src/store/migrations/<backend>/NNNN_name.sql, embedded by tools/embed-migrations). */
#ifndef TF_STORE_MIGRATIONS_H
#define TF_STORE_MIGRATIONS_H

struct migration {
	int version;       /* the schema version this file brings the database to */
	const char *name;  /* file name without .sql */
	const char *sql;
};

extern const struct migration migrations_sqlite[];   /* each ends with a {0} row */
extern const struct migration migrations_postgres[];

#endif
