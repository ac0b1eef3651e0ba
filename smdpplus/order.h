/*
 * Profile and download order lifecycle of the SM-DP+ (SGP.22 "Profile Download and
 * Installation", ES2+ state model):
 *
 *   Available -> Allocated (DownloadOrder without EID) or Linked (with EID)
 *   Allocated/Linked -> Confirmed (ConfirmOrder, releaseFlag false) or Released (true)
 *   Confirmed -> Released (ReleaseProfile)
 *   Released/Downloaded -> Downloaded (GetBoundProfilePackage; Downloaded again on a retry)
 *   Downloaded -> Installed or Error (ProfileInstallationResult)
 *   Released/Downloaded -> Error (attempt limits, expiry, a final CancelSession reason)
 *   Allocated/Linked/Confirmed/Released/Error -> Available or Unavailable (CancelOrder)
 *   Downloaded -> Unavailable (CancelOrder: the BPP went out, the profile may be installed)
 *
 * A profile row carries the state; the order row that belongs to it carries the same state
 * while it is the profile's current order, and keeps the state in which it ended (Installed,
 * Error, or the Available/Unavailable of a CancelOrder) afterwards. Both change through
 * order_transition only, so every change is checked and logged.
 */
#ifndef SMDPPLUS_ORDER_H
#define SMDPPLUS_ORDER_H

#include <stdbool.h>

enum order_state {
	ORDER_AVAILABLE = 0, /* in the inventory, free for a download order */
	ORDER_ALLOCATED,     /* reserved by DownloadOrder, no EID yet */
	ORDER_LINKED,        /* reserved by DownloadOrder for one EID */
	ORDER_CONFIRMED,     /* matchingId (and confirmation code) set, not released */
	ORDER_RELEASED,      /* ready for download */
	ORDER_DOWNLOADED,    /* a Bound Profile Package was delivered */
	ORDER_INSTALLED,     /* the eUICC reported a successful installation */
	ORDER_ERROR,         /* failed for good: attempts exceeded, expired, installation error */
	ORDER_UNAVAILABLE,   /* withdrawn by the operator, never reused */
	ORDER_STATE_COUNT
};

/* SGP.22 name of a state ("Available", ...), also its text in the database. */
const char *order_state_name(enum order_state state);

/* Parses a state name (exact case). Returns 0 and sets *out, or -1 for an unknown name. */
int order_state_from_name(const char *name, enum order_state *out);

/* Whether the lifecycle allows from -> to. */
bool order_transition_allowed(enum order_state from, enum order_state to);

/* Moves *state to `to` when the lifecycle allows it and logs "old -> new" with the ICCID and
 * the reason (a short phrase such as "ES2+ ConfirmOrder"). Returns 0, or -1 (and logs the
 * rejected transition) when it does not allow it; *state is then unchanged. */
int order_transition(enum order_state *state, enum order_state to, const char *iccid,
		     const char *reason);

/* Whether an order in this state is still open (reserved for a download, not finished). */
bool order_state_is_open(enum order_state state);

#endif
