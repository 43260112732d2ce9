/*
 * actor.h: a copy of the domain's context with another actor for the audit log, for the
 * operations whose audit names a party other than the request's own (the application that
 * registers a user, the user who signs in, the user whose devices a factor's removal revokes).
 */
#ifndef TF_SCA_ACTOR_H
#define TF_SCA_ACTOR_H
#include <stdio.h>

#include "sca/context.h"

/* ctx with the actor "<kind>:<id>" ("app:app_...", "user:usr_...") */
static inline struct sca_ctx sca_ctx_acting(const struct sca_ctx *ctx, const char *kind, const char *id)
{
	struct sca_ctx c = *ctx;
	snprintf(c.actor, sizeof c.actor, "%s:%s", kind, id);
	return c;
}

#endif
