/*
 * revocations.h: the in-memory set of revoked, unexpired trusted devices, so that validating a
 * device cookie (the hottest path of the service) never reads or writes the database.
 * It stays correct across restarts and across nodes: it is loaded from the devices table at
 * start, a revocation made here is added at once, and a thread re-reads the revocations of
 * the last REVOCATIONS_OVERLAP_MS every REVOCATIONS_REFRESH_MS (those made by other nodes).
 * So a device revoked through another node is refused here within about REVOCATIONS_REFRESH_MS,
 * as long as the nodes' clocks agree within REVOCATIONS_OVERLAP_MS (README: several nodes).
 */
#ifndef TF_SERVICE_REVOCATIONS_H
#define TF_SERVICE_REVOCATIONS_H
#include <stdbool.h>
#include <stdint.h>

#include "service/service.h"

#define REVOCATIONS_REFRESH_MS 1000
#define REVOCATIONS_OVERLAP_MS 10000

struct revocations;

/* Loads every revoked, unexpired device and starts the refresh thread. */
enum tf_err revocations_start(struct tf_service *svc, struct revocations **out);
void revocations_stop(struct revocations *r);

void revocations_add(struct revocations *r, const char *device_id, int64_t expires_at);
bool revocations_contains(struct revocations *r, const char *device_id);
size_t revocations_count(struct revocations *r);

#endif
