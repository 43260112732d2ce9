/*
 * audit_anchor.h: the thread that signs the audit chains' heads. An unkeyed hash chain shows
 * any edit or deletion inside it, but not a tail removed or rewritten by someone who can write
 * to the database; a head signed under the deployment's audit key (a file the database does not
 * hold), fetched and kept by the application, does. Every audit_anchor_interval seconds (and
 * once at the stop) each chain whose newest event moved since its last signed head gets one,
 * also logged as "audit chain head" with the chain, its seq and hash.
 */
#ifndef TF_SERVICE_AUDIT_ANCHOR_H
#define TF_SERVICE_AUDIT_ANCHOR_H

#include "service/service.h"

struct audit_anchor;

/* Starts the thread (its first signing at once, for what an earlier run left unsigned); NULL
 * when it cannot. */
struct audit_anchor *audit_anchor_start(struct tf_service *svc);
/* Stops the thread, then signs once more what moved since. */
void audit_anchor_stop(struct audit_anchor *a);

#endif
