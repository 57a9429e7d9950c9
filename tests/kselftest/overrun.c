// SPDX-License-Identifier: GPL-2.0
/*
 * A holder that keeps its lease past lease_end + overrun_grace: counted and
 * traced always; with revoke and throttle the lease is taken back and the
 * next waiter granted, and throttle also empties the budget.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "rtslot_test.h"

FIXTURE(overrun) {
	struct rt_config saved;
	int fd;
	uint32_t id;
	const struct rtslot_lease_page *page;
	struct rt_group *g;
	char *buf;
};

FIXTURE_VARIANT(overrun) {
	const char *action;
	bool revokes;
	bool reserved;		/* the holder has a reservation (budget) */
};

FIXTURE_VARIANT_ADD(overrun, log) {
	.action = "log",
};

FIXTURE_VARIANT_ADD(overrun, revoke) {
	.action = "revoke", .revokes = true,
};

FIXTURE_VARIANT_ADD(overrun, throttle) {
	.action = "throttle", .revokes = true, .reserved = true,
};

FIXTURE_SETUP(overrun)
{
	ASSERT_EQ(0, rt_setup(&self->saved));
	ASSERT_EQ(0, rt_attr_write("policy", "edf"));
	ASSERT_EQ(0, rt_attr_write("overrun_action", variant->action));
	ASSERT_EQ(0, rt_attr_write("overrun_grace_us", "2000"));
	self->fd = rt_open_task("overrunner", &self->id);
	ASSERT_LE(0, self->fd);
	self->page = rt_map_page(self->fd);
	ASSERT_NE(NULL, self->page);
	self->g = rt_shared(sizeof(*self->g));
	ASSERT_NE(NULL, self->g);
	ASSERT_EQ(0, rt_trace_begin());
}

FIXTURE_TEARDOWN(overrun)
{
	rt_trace_end();
	free(self->buf);
	close(self->fd);
	EXPECT_EQ(0, rt_config_apply(&self->saved));
}

TEST_F_TIMEOUT(overrun, detected_and_handled, 90)
{
	struct rt_waiter *w = &self->g->w[0];
	struct rtslot_lease_request out, again;
	struct rtslot_lease_page snap;
	uint64_t o0, o1, r0, r1, t0, over, end, asked, released;
	struct rt_task_row row;
	const char *ev;
	char action[16];
	pid_t pid;

	if (variant->reserved)
		ASSERT_EQ(0, rt_reserve(self->fd, MSEC(20), SEC(3), SEC(3), 0));
	ASSERT_EQ(0, rt_stat("overruns", &o0));
	ASSERT_EQ(0, rt_stat("revokes", &r0));
	t0 = rt_now();
	ASSERT_EQ(0, rt_request(self->fd, MSEC(20), SEC(10), &out));

	/*
	 * The waiter reads its page after the grant, and a lease of 1 ms (plus
	 * grace) could be revoked first.  It releases at once, so the longest
	 * lease there is costs nothing and no stall of the guest outlasts it.
	 */
	w->est = RTSLOT_PERIOD_MAX_NS;
	w->timeout = RT_SETTLE;
	pid = rt_start_waiter(self->g, 0);
	ASSERT_LT(0, pid);

	/* Hold on, past the end and the grace, until the device reacts. */
	end = rt_now() + RT_SETTLE;
	do {
		rt_sleep(MSEC(5));
		ASSERT_EQ(0, rt_stat("overruns", &o1));
	} while (o1 == o0 && rt_now() < end);
	ASSERT_EQ(o0 + 1, o1);
	ASSERT_EQ(0, rt_task_row(self->id, &row));
	EXPECT_EQ(1, row.overruns);

	if (variant->revokes) {
		/* Taken back: the waiter runs although we never released. */
		ASSERT_EQ(0, rt_reap(pid, RT_SETTLE));
		EXPECT_EQ(0, w->err);
		EXPECT_TRUE(rt_woken_in_time(w));
		EXPECT_LT(out.lease_end_ns + USEC(2000), w->granted_ns);
		rt_page_read(self->page, &snap);
		EXPECT_EQ(RTSLOT_LEASE_NONE, snap.state);
		EXPECT_EQ(0, snap.lease_end_ns);
		EXPECT_EQ(out.generation, snap.generation);
		EXPECT_EQ(-ENOLCK, rt_release(self->fd, 0, NULL));
	} else {
		/* Only counted: still ours, the waiter still waits. */
		rt_page_read(self->page, &snap);
		EXPECT_EQ(RTSLOT_LEASE_HELD, snap.state);
		EXPECT_EQ(0, w->order);
		EXPECT_EQ(0, rt_wait_task_state(w->id, "waiting", 0));
		released = rt_now();
		EXPECT_EQ(0, rt_release(self->fd, 0, NULL));
		ASSERT_EQ(0, rt_reap(pid, RT_SETTLE));
		EXPECT_EQ(0, w->err);
		EXPECT_TRUE(rt_woken_in_time(w));
		EXPECT_LE(released, w->granted_ns);
	}
	ASSERT_EQ(0, rt_stat("revokes", &r1));
	EXPECT_EQ(r0 + variant->revokes, r1);

	self->buf = rt_trace_read();
	ASSERT_NE(NULL, self->buf);
	ev = rt_trace_find(self->buf, "rtslot_overrun", self->id);
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(0, rt_field_str(ev, "action", action, sizeof(action)));
	EXPECT_STREQ(variant->action, action);
	EXPECT_EQ(0, rt_field_u64(ev, "over_ns", &over));
	EXPECT_LT(USEC(2000), over);
	/* Reported once per lease. */
	EXPECT_EQ(NULL, rt_trace_find(ev, "rtslot_overrun", self->id));

	/* Throttling empties the budget: the next grant waits for a new period. */
	if (variant->reserved) {
		asked = rt_now();
		ASSERT_GT(t0 + SEC(3), asked);
		ASSERT_EQ(0, rt_request(self->fd, MSEC(5), SEC(10), &again));
		rt_page_read(self->page, &snap);
		EXPECT_LE(t0 + SEC(3), snap.granted_ns);
		EXPECT_EQ(0, rt_release(self->fd, 0, NULL));
	} else {
		/* Without a budget nothing is owed: granted again at once. */
		ASSERT_EQ(0, rt_request(self->fd, MSEC(5), SEC(10), &again));
		EXPECT_EQ(out.generation + 1, again.generation);
		EXPECT_EQ(0, rt_release(self->fd, 0, NULL));
	}
}

TEST_HARNESS_MAIN
