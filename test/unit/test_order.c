/*
 * Order/profile and RSP session state machines: names, every allowed and rejected transition,
 * and that a rejected transition leaves the state unchanged.
 */
#include "test/harness.h"

#include "common/log.h"
#include "smdpplus/order.h"
#include "smdpplus/session.h"

static void test_order_names_round_trip(void)
{
	for (unsigned int i = 0; i < ORDER_STATE_COUNT; i++) {
		enum order_state s = ORDER_STATE_COUNT;

		CHECK_INT(order_state_from_name(order_state_name((enum order_state)i), &s), 0);
		CHECK_INT(s, i);
	}
	CHECK_STR(order_state_name(ORDER_RELEASED), "Released");
	CHECK_STR(order_state_name((enum order_state)99), "invalid");
}

static void test_order_name_unknown(void)
{
	enum order_state s = ORDER_ERROR;

	CHECK_INT(order_state_from_name("released", &s), -1);
	CHECK_INT(order_state_from_name("", &s), -1);
	CHECK_INT(order_state_from_name(NULL, &s), -1);
	CHECK_INT(s, ORDER_ERROR);
}

/* The full table: expected[from] lists every state reachable in one step. */
static void test_order_transition_table(void)
{
	static const struct {
		enum order_state from;
		const enum order_state to[6];
		size_t n;
	} expected[] = {
		{ ORDER_AVAILABLE, { ORDER_ALLOCATED, ORDER_LINKED, ORDER_UNAVAILABLE }, 3 },
		{ ORDER_ALLOCATED, { ORDER_CONFIRMED, ORDER_RELEASED, ORDER_AVAILABLE,
				     ORDER_UNAVAILABLE }, 4 },
		{ ORDER_LINKED, { ORDER_CONFIRMED, ORDER_RELEASED, ORDER_AVAILABLE,
				  ORDER_UNAVAILABLE }, 4 },
		{ ORDER_CONFIRMED, { ORDER_RELEASED, ORDER_AVAILABLE, ORDER_UNAVAILABLE }, 3 },
		{ ORDER_RELEASED, { ORDER_DOWNLOADED, ORDER_ERROR, ORDER_AVAILABLE,
				    ORDER_UNAVAILABLE }, 4 },
		/* No way back to Available once a BPP went out. */
		{ ORDER_DOWNLOADED, { ORDER_DOWNLOADED, ORDER_INSTALLED, ORDER_ERROR,
				      ORDER_UNAVAILABLE }, 4 },
		{ ORDER_INSTALLED, { ORDER_INSTALLED }, 0 },
		{ ORDER_ERROR, { ORDER_AVAILABLE, ORDER_UNAVAILABLE }, 2 },
		{ ORDER_UNAVAILABLE, { ORDER_UNAVAILABLE }, 0 },
	};

	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		for (unsigned int to = 0; to < ORDER_STATE_COUNT; to++) {
			bool want = false;

			for (size_t k = 0; k < expected[i].n; k++)
				want = want || expected[i].to[k] == (enum order_state)to;
			if (order_transition_allowed(expected[i].from, (enum order_state)to) != want)
				CHECK(!"transition table differs");
		}
	}
	CHECK(!order_transition_allowed(ORDER_STATE_COUNT, ORDER_AVAILABLE));
	CHECK(!order_transition_allowed(ORDER_AVAILABLE, ORDER_STATE_COUNT));
}

static void test_order_transition_moves_state(void)
{
	enum order_state s = ORDER_AVAILABLE;

	CHECK_INT(order_transition(&s, ORDER_LINKED, "8949000000000000001", "test"), 0);
	CHECK_INT(s, ORDER_LINKED);
	CHECK_INT(order_transition(&s, ORDER_RELEASED, "8949000000000000001", "test"), 0);
	CHECK_INT(order_transition(&s, ORDER_DOWNLOADED, "8949000000000000001", "test"), 0);
	CHECK_INT(order_transition(&s, ORDER_INSTALLED, "8949000000000000001", "test"), 0);
	CHECK_INT(s, ORDER_INSTALLED);
}

static void test_order_transition_rejected(void)
{
	enum order_state s = ORDER_AVAILABLE;

	CHECK_INT(order_transition(&s, ORDER_RELEASED, NULL, NULL), -1);
	CHECK_INT(s, ORDER_AVAILABLE);
	s = ORDER_INSTALLED;
	CHECK_INT(order_transition(&s, ORDER_AVAILABLE, "8949000000000000001", "cancel"), -1);
	CHECK_INT(s, ORDER_INSTALLED);
	/* CancelOrder after the BPP went out withdraws the profile instead. */
	s = ORDER_DOWNLOADED;
	CHECK_INT(order_transition(&s, ORDER_AVAILABLE, "8949000000000000001", "cancel"), -1);
	CHECK_INT(s, ORDER_DOWNLOADED);
	CHECK_INT(order_transition(&s, ORDER_UNAVAILABLE, "8949000000000000001", "cancel"), 0);
	CHECK_INT(s, ORDER_UNAVAILABLE);
}

static void test_order_open_states(void)
{
	CHECK(!order_state_is_open(ORDER_AVAILABLE));
	CHECK(order_state_is_open(ORDER_ALLOCATED));
	CHECK(order_state_is_open(ORDER_RELEASED));
	CHECK(order_state_is_open(ORDER_DOWNLOADED));
	CHECK(!order_state_is_open(ORDER_INSTALLED));
	CHECK(!order_state_is_open(ORDER_ERROR));
	CHECK(!order_state_is_open(ORDER_UNAVAILABLE));
}

static void test_session_names_round_trip(void)
{
	for (unsigned int i = 0; i < SESSION_STATE_COUNT; i++) {
		enum session_state s = SESSION_STATE_COUNT;

		CHECK_INT(session_state_from_name(session_state_name((enum session_state)i), &s), 0);
		CHECK_INT(s, i);
	}
	CHECK_INT(session_state_from_name("bound", &(enum session_state){ 0 }), -1);
}

static void test_session_transitions(void)
{
	enum session_state s = SESSION_INITIATED;

	CHECK_INT(session_transition(&s, SESSION_BOUND, "00", "skip"), -1);
	CHECK_INT(s, SESSION_INITIATED);
	CHECK_INT(session_transition(&s, SESSION_AUTHENTICATED, "00", "t"), 0);
	CHECK_INT(session_transition(&s, SESSION_AUTHENTICATED, "00", "again"), -1);
	CHECK_INT(session_transition(&s, SESSION_BOUND, "00", "t"), 0);
	CHECK_INT(session_transition(&s, SESSION_BOUND, "00", "retry"), 0);
	CHECK_INT(session_transition(&s, SESSION_COMPLETED, "00", "t"), 0);
	CHECK_INT(session_transition(&s, SESSION_CANCELLED, "00", "late"), -1);
	CHECK_INT(s, SESSION_COMPLETED);
	CHECK(!session_state_is_open(SESSION_COMPLETED));
	CHECK(!session_state_is_open(SESSION_CANCELLED));
	CHECK(session_state_is_open(SESSION_INITIATED));
	for (unsigned int i = 0; i < SESSION_STATE_COUNT; i++)
		CHECK(session_transition_allowed((enum session_state)i, SESSION_CANCELLED) ==
		      session_state_is_open((enum session_state)i));
}

int main(void)
{
	test_program = "test_order";
	log_set_level(LOG_LEVEL_ERROR);
	RUN(test_order_names_round_trip);
	RUN(test_order_name_unknown);
	RUN(test_order_transition_table);
	RUN(test_order_transition_moves_state);
	RUN(test_order_transition_rejected);
	RUN(test_order_open_states);
	RUN(test_session_names_round_trip);
	RUN(test_session_transitions);
	return test_finish();
}
