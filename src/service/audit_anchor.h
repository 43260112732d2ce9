/*
 * audit_anchor.h: the log lines that record the audit chain's head. The chain shows any edit
 * or deletion inside it, but not the removal of its newest rows; a line "audit chain head"
 * with the head's seq and hash, written every audit_anchor_interval seconds when the head has
 * moved (and once at the stop), puts a witness of the tail in the log, which an operator ships
 * elsewhere. `twofold audit verify --head SEQ:HASH` then tells whether that row is still there.
 */
#ifndef TF_SERVICE_AUDIT_ANCHOR_H
#define TF_SERVICE_AUDIT_ANCHOR_H

#include "service/service.h"

struct audit_anchor;

/* Starts the thread (its first line one interval after the start); NULL when it cannot. */
struct audit_anchor *audit_anchor_start(struct tf_service *svc);
/* Stops the thread, then logs the head once more if it moved since the last line. */
void audit_anchor_stop(struct audit_anchor *a);

#endif
