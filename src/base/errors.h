/*
 * errors.h: enum tf_err, the result of every fallible function in twofold, and the lookup
 * from a code to its wire name, HTTP status and message. The rows live in errors.def.
 */
#ifndef TF_BASE_ERRORS_H
#define TF_BASE_ERRORS_H

enum tf_err {
#define ERR(name, code, status, message) name,
#include "base/errors.def"
#undef ERR
	TF_ERR__MAX
};

const char *tf_err_code(enum tf_err e);    /* stable wire code, "EMAIL_TAKEN" */
int tf_err_status(enum tf_err e);          /* HTTP status */
const char *tf_err_message(enum tf_err e); /* human text */

#endif
