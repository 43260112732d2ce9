/*
 * sweeper.h: the thread that deletes ended rows (core/retention.h says which) every
 * sweep_interval seconds, in batches of SWEEPER_BATCH rows, a transaction each, so
 * that the writer is never held for long: sessions, challenges, SSO and email tokens, trusted
 * devices and delivered messages expired_rows_kept after they ended, idempotency records past
 * their 24 hours and rate counters of past windows. Without it those tables grow with every
 * login and verification for ever. expired_rows_kept = 0 turns it off.
 */
#ifndef TF_SERVICE_SWEEPER_H
#define TF_SERVICE_SWEEPER_H
#include "service/service.h"

/* A batch is small enough that deleting it with its indexes holds the SQLite writer well within
 * verify's p99 budget; the pause between batches leaves the writer to requests most of the time
 * while a run still deletes thousands of rows a second. */
#define SWEEPER_BATCH 100
#define SWEEPER_PAUSE_MS 10 /* between two batches of one run: requests have the writer */

struct periodic;

/* Starts the thread (its first run one interval after the start); periodic_stop() stops it
 * between two batches. NULL when it cannot be started. */
struct periodic *sweeper_start(struct tf_service *svc);

#endif
