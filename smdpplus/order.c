/*
 * Profile and download order lifecycle (see order.h for the diagram).
 */
#include <string.h>

#include "common/log.h"
#include "smdpplus/order.h"

static const char *const state_names[ORDER_STATE_COUNT] = {
	[ORDER_AVAILABLE] = "Available",
	[ORDER_ALLOCATED] = "Allocated",
	[ORDER_LINKED] = "Linked",
	[ORDER_CONFIRMED] = "Confirmed",
	[ORDER_RELEASED] = "Released",
	[ORDER_DOWNLOADED] = "Downloaded",
	[ORDER_INSTALLED] = "Installed",
	[ORDER_ERROR] = "Error",
	[ORDER_UNAVAILABLE] = "Unavailable",
};

#define BIT(s) (1u << (s))

/* allowed[from] is the set of states reachable from `from` in one step. */
static const unsigned int allowed[ORDER_STATE_COUNT] = {
	/* DownloadOrder reserves the profile; an administrator may withdraw it. */
	[ORDER_AVAILABLE] = BIT(ORDER_ALLOCATED) | BIT(ORDER_LINKED) | BIT(ORDER_UNAVAILABLE),
	/* ConfirmOrder, or CancelOrder back to the inventory. */
	[ORDER_ALLOCATED] = BIT(ORDER_CONFIRMED) | BIT(ORDER_RELEASED) | BIT(ORDER_AVAILABLE) |
			    BIT(ORDER_UNAVAILABLE),
	[ORDER_LINKED] = BIT(ORDER_CONFIRMED) | BIT(ORDER_RELEASED) | BIT(ORDER_AVAILABLE) |
			 BIT(ORDER_UNAVAILABLE),
	/* ReleaseProfile, or CancelOrder. */
	[ORDER_CONFIRMED] = BIT(ORDER_RELEASED) | BIT(ORDER_AVAILABLE) | BIT(ORDER_UNAVAILABLE),
	/* GetBoundProfilePackage; attempt limits, expiry or a final CancelSession; CancelOrder. */
	[ORDER_RELEASED] = BIT(ORDER_DOWNLOADED) | BIT(ORDER_ERROR) | BIT(ORDER_AVAILABLE) |
			   BIT(ORDER_UNAVAILABLE),
	/* A retried download stays Downloaded; the installation result ends the order. The BPP
	 * went out, so the profile may be on an eUICC: CancelOrder withdraws it (Unavailable)
	 * and never puts it back into the inventory. */
	[ORDER_DOWNLOADED] = BIT(ORDER_DOWNLOADED) | BIT(ORDER_INSTALLED) | BIT(ORDER_ERROR) |
			     BIT(ORDER_UNAVAILABLE),
	/* The profile is on an eUICC: nothing on the SM-DP+ side changes it any more. */
	[ORDER_INSTALLED] = 0,
	/* The operator may put a failed profile back into the inventory or withdraw it;
	 * ES2+ CancelOrder also refuses Available when a BPP was delivered. */
	[ORDER_ERROR] = BIT(ORDER_AVAILABLE) | BIT(ORDER_UNAVAILABLE),
	[ORDER_UNAVAILABLE] = 0,
};

const char *order_state_name(enum order_state state)
{
	if ((unsigned int)state >= ORDER_STATE_COUNT)
		return "invalid";
	return state_names[state];
}

int order_state_from_name(const char *name, enum order_state *out)
{
	if (!name)
		return -1;
	for (unsigned int i = 0; i < ORDER_STATE_COUNT; i++) {
		if (strcmp(name, state_names[i]) == 0) {
			*out = (enum order_state)i;
			return 0;
		}
	}
	return -1;
}

bool order_transition_allowed(enum order_state from, enum order_state to)
{
	if ((unsigned int)from >= ORDER_STATE_COUNT || (unsigned int)to >= ORDER_STATE_COUNT)
		return false;
	return (allowed[from] & BIT(to)) != 0;
}

int order_transition(enum order_state *state, enum order_state to, const char *iccid,
		     const char *reason)
{
	struct log_ctx ctx = { .subject = iccid };

	if (!order_transition_allowed(*state, to)) {
		LOG_WARN("order", &ctx, "profile state %s -> %s rejected (%s)",
			 order_state_name(*state), order_state_name(to), reason ? reason : "-");
		return -1;
	}
	LOG_INFO("order", &ctx, "profile state %s -> %s (%s)", order_state_name(*state),
		 order_state_name(to), reason ? reason : "-");
	*state = to;
	return 0;
}

bool order_state_is_open(enum order_state state)
{
	switch (state) {
	case ORDER_ALLOCATED:
	case ORDER_LINKED:
	case ORDER_CONFIRMED:
	case ORDER_RELEASED:
	case ORDER_DOWNLOADED:
		return true;
	default:
		return false;
	}
}
