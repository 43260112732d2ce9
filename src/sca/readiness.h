/*
 * readiness.h: whether the node can serve (GET /readyz): its database answers. Asked without
 * a request's connection, so that a database that cannot be reached is told apart from a pool
 * whose every connection is taken.
 */
#ifndef TF_SCA_READINESS_H
#define TF_SCA_READINESS_H
#include "service/service.h"

/* Takes a connection of its own and pings the database with it: TF_OK when it answers;
 * OVERLOADED (every connection taken) or INTERNAL when no connection could be had for a
 * reason of this node's; another error when the database does not answer. */
enum tf_err sca_database_ping(struct tf_service *svc);

#endif
