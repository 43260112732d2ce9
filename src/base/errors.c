/* errors.c: the lookup tables generated from errors.def. */
#include "base/errors.h"

static const struct {
	const char *code;
	int status;
	const char *message;
} err_table[TF_ERR__MAX] = {
#define ERR(name, code, status, message) [name] = {code, status, message},
#include "base/errors.def"
#undef ERR
};

const char *tf_err_code(enum tf_err e)
{
	return (unsigned)e < TF_ERR__MAX ? err_table[e].code : err_table[TF_ERR_INTERNAL].code;
}

int tf_err_status(enum tf_err e)
{
	return (unsigned)e < TF_ERR__MAX ? err_table[e].status : 500;
}

const char *tf_err_message(enum tf_err e)
{
	return (unsigned)e < TF_ERR__MAX ? err_table[e].message : err_table[TF_ERR_INTERNAL].message;
}
