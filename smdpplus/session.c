/*
 * RSP session lifecycle (see session.h).
 */
#include <string.h>

#include "common/log.h"
#include "smdpplus/session.h"

static const char *const state_names[SESSION_STATE_COUNT] = {
	[SESSION_INITIATED] = "Initiated",
	[SESSION_AUTHENTICATED] = "Authenticated",
	[SESSION_BOUND] = "Bound",
	[SESSION_COMPLETED] = "Completed",
	[SESSION_CANCELLED] = "Cancelled",
};

#define BIT(s) (1u << (s))

static const unsigned int allowed[SESSION_STATE_COUNT] = {
	[SESSION_INITIATED] = BIT(SESSION_AUTHENTICATED) | BIT(SESSION_CANCELLED),
	[SESSION_AUTHENTICATED] = BIT(SESSION_BOUND) | BIT(SESSION_CANCELLED),
	/* Bound -> Bound: the LPA asked again for the same BPP (lost response). */
	[SESSION_BOUND] = BIT(SESSION_BOUND) | BIT(SESSION_COMPLETED) | BIT(SESSION_CANCELLED),
	[SESSION_COMPLETED] = 0,
	[SESSION_CANCELLED] = 0,
};

const char *session_state_name(enum session_state state)
{
	if ((unsigned int)state >= SESSION_STATE_COUNT)
		return "invalid";
	return state_names[state];
}

int session_state_from_name(const char *name, enum session_state *out)
{
	if (!name)
		return -1;
	for (unsigned int i = 0; i < SESSION_STATE_COUNT; i++) {
		if (strcmp(name, state_names[i]) == 0) {
			*out = (enum session_state)i;
			return 0;
		}
	}
	return -1;
}

bool session_transition_allowed(enum session_state from, enum session_state to)
{
	if ((unsigned int)from >= SESSION_STATE_COUNT || (unsigned int)to >= SESSION_STATE_COUNT)
		return false;
	return (allowed[from] & BIT(to)) != 0;
}

int session_transition(enum session_state *state, enum session_state to,
		       const char *transaction_id, const char *reason)
{
	struct log_ctx ctx = { .transaction_id = transaction_id };

	if (!session_transition_allowed(*state, to)) {
		LOG_WARN("session", &ctx, "session state %s -> %s rejected (%s)",
			 session_state_name(*state), session_state_name(to), reason ? reason : "-");
		return -1;
	}
	if (*state != to)
		LOG_INFO("session", &ctx, "session state %s -> %s (%s)", session_state_name(*state),
			 session_state_name(to), reason ? reason : "-");
	*state = to;
	return 0;
}

bool session_state_is_open(enum session_state state)
{
	return state == SESSION_INITIATED || state == SESSION_AUTHENTICATED ||
	       state == SESSION_BOUND;
}
