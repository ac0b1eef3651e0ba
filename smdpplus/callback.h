/*
 * ES2+ HandleDownloadProgressInfo: the SM-DP+ reports to the operator how a download order
 * progresses, at the SGP.22 notification points
 *   1  eligibility and retry-limit check (AuthenticateClient)
 *   2  confirmation failure (too many wrong confirmation codes)
 *   3  BPP download (GetBoundProfilePackage)
 *   4  BPP installation (ProfileInstallationResult)
 * and when a CancelSession ends the order.
 *
 * A call is queued in the database inside the transaction of the event (operator_callbacks),
 * and a background worker of any SM-DP+ process sends it, so an ES9+ request never waits on an
 * operator and a restart loses no call. The worker retries a failed call every
 * operator_callback_retry up to operator_callback_attempts times, logging each failure; a 200
 * or 204 answer counts as delivered. The same worker deletes expired RSP sessions.
 */
#ifndef SMDPPLUS_CALLBACK_H
#define SMDPPLUS_CALLBACK_H

#include <stddef.h>
#include <stdint.h>

#include "common/db.h"
#include "common/status.h"
#include "smdpplus/smdp.h"
#include "smdpplus/store.h"

enum callback_point {
	CALLBACK_POINT_ELIGIBILITY = 1,
	CALLBACK_POINT_CONFIRMATION_FAILURE = 2,
	CALLBACK_POINT_BPP_DOWNLOAD = 3,
	CALLBACK_POINT_BPP_INSTALLATION = 4,
};

/* Queues a call for the order's operator when it has a callback URL (does nothing otherwise).
 * outcome RSP_OK reports Executed-Success, any other status Failed with its code pair.
 * result_data (may be NULL) is sent base64-encoded as resultData. */
int callback_queue(struct db_conn *conn, const struct smdp *smdp, const struct store_order *order,
		   const char *eid, enum callback_point point, enum rsp_status outcome,
		   const uint8_t *result_data, size_t result_len);

struct callback_worker;

/* Starts the worker thread. */
int callback_worker_start(const struct smdp *smdp, struct callback_worker **out);

/* Stops the worker (waits for a call in progress) and frees it; accepts NULL. */
void callback_worker_stop(struct callback_worker *worker);

#endif
