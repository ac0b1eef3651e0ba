/*
 * RSP session lifecycle of the SM-DP+ (SGP.22 ES9+ "Common Mutual Authentication" and
 * "Profile Download"). One session is one transactionId:
 *
 *   Initiated      InitiateAuthentication succeeded (serverChallenge stored)
 *   Authenticated  AuthenticateClient succeeded (eUICC verified, order attached)
 *   Bound          a Bound Profile Package delivered; a GetBoundProfilePackage retry stays here
 *   Completed      the ProfileInstallationResult arrived
 *   Cancelled      CancelSession, or an attempt limit that ended the order
 *
 *   Initiated -> Authenticated -> Bound -> Completed, and every open state -> Cancelled.
 *
 * A session also ends when its expiry time passes; it is then treated as unknown.
 */
#ifndef SMDPPLUS_SESSION_H
#define SMDPPLUS_SESSION_H

#include <stdbool.h>

enum session_state {
	SESSION_INITIATED = 0,
	SESSION_AUTHENTICATED,
	SESSION_BOUND,
	SESSION_COMPLETED,
	SESSION_CANCELLED,
	SESSION_STATE_COUNT
};

/* Name of a state ("Initiated", ...), also its text in the database. */
const char *session_state_name(enum session_state state);

/* Parses a state name (exact case). Returns 0 and sets *out, or -1 for an unknown name. */
int session_state_from_name(const char *name, enum session_state *out);

bool session_transition_allowed(enum session_state from, enum session_state to);

/* Moves *state to `to` when allowed and logs "old -> new" under the transactionId (hex) and
 * the reason. Returns 0, or -1 (logged, *state unchanged) for a transition not allowed. */
int session_transition(enum session_state *state, enum session_state to,
		       const char *transaction_id, const char *reason);

/* Whether a session in this state still accepts ES9+ requests. */
bool session_state_is_open(enum session_state state);

#endif
