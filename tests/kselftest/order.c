// SPDX-License-Identifier: GPL-2.0
/*
 * Grant order between processes: a holder keeps the device while children
 * queue, then lets go; the children number their grants through shared
 * memory.  EDF (also the table policy without a table), fixed priority,
 * and the budget of a reservation.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "rtslot_test.h"

struct order_ctx {
	struct rt_config saved;
	int fd;
	uint32_t id;
	struct rt_group *g;
};

static void order_setup(struct __test_metadata *_metadata, struct order_ctx *c,
			const char *policy)
{
	ASSERT_EQ(0, rt_setup(&c->saved));
	ASSERT_EQ(0, rt_attr_write("policy", policy));
	/* The holder holds past its lease on purpose. */
	ASSERT_EQ(0, rt_attr_write("overrun_action", "log"));
	c->fd = rt_open_task("holder", &c->id);
	ASSERT_LE(0, c->fd);
	c->g = rt_shared(sizeof(*c->g));
	ASSERT_NE(NULL, c->g);
}

static void order_teardown(struct __test_metadata *_metadata, struct order_ctx *c)
{
	close(c->fd);
	EXPECT_EQ(0, rt_config_apply(&c->saved));
}

static void waiter(struct rt_group *g, int i, int prio, uint64_t deadline)
{
	struct rt_waiter *w = &g->w[i];

	w->reserve = prio >= 0 || deadline;
	w->prio = prio < 0 ? 0 : prio;
	if (deadline) {
		w->runtime = MSEC(20);
		w->deadline = w->period = deadline;
	}
	w->est = MSEC(1);
	w->timeout = RT_SETTLE;
}

/*
 * The holder takes the device, waiters 0..n-1 queue one after the other,
 * the holder lets go, and every waiter must be granted.
 */
static void contend(struct __test_metadata *_metadata, struct order_ctx *c, int n)
{
	struct rtslot_lease_request out;
	pid_t pid[RT_MAX_WAITERS];
	int i;

	ASSERT_EQ(0, rt_request(c->fd, SEC(5), SEC(10), &out));
	for (i = 0; i < n; i++) {
		pid[i] = rt_start_waiter(c->g, i);
		ASSERT_LT(0, pid[i]);
	}
	ASSERT_EQ(0, rt_wait_tasks("waiting", n, RT_SETTLE));
	ASSERT_EQ(0, rt_release(c->fd, 0, NULL));
	for (i = 0; i < n; i++) {
		EXPECT_EQ(0, rt_reap(pid[i], RT_SETTLE));
		EXPECT_EQ(0, c->g->w[i].err);
		EXPECT_TRUE(rt_woken_in_time(&c->g->w[i]));
		EXPECT_EQ(0, c->g->w[i].release_err);
	}
}

FIXTURE(edf) {
	struct order_ctx c;
};

FIXTURE_VARIANT(edf) {
	const char *policy;
};

FIXTURE_VARIANT_ADD(edf, edf) {
	.policy = "edf",
};

/* Without a table the table policy is EDF over the reservations. */
FIXTURE_VARIANT_ADD(edf, table_without_table) {
	.policy = "table",
};

FIXTURE_SETUP(edf)
{
	order_setup(_metadata, &self->c, variant->policy);
}

FIXTURE_TEARDOWN(edf)
{
	order_teardown(_metadata, &self->c);
}

TEST_F_TIMEOUT(edf, earliest_deadline_first, 120)
{
	struct rt_group *g = self->c.g;
	int i;

	/* Queued latest deadline first, so arrival order is the wrong answer. */
	for (i = 0; i < 4; i++)
		waiter(g, i, -1, SEC(5 - i));
	contend(_metadata, &self->c, 4);
	for (i = 0; i < 4; i++) {
		if (i)
			ASSERT_GT(g->w[i - 1].requested_ns + SEC(1), g->w[i].requested_ns);
		EXPECT_EQ(4 - i, g->w[i].order);
	}
}

TEST_F_TIMEOUT(edf, reservations_before_best_effort, 120)
{
	struct rt_group *g = self->c.g;

	waiter(g, 0, -1, 0);
	waiter(g, 1, -1, SEC(4));
	waiter(g, 2, -1, 0);
	waiter(g, 3, -1, SEC(3));
	contend(_metadata, &self->c, 4);
	EXPECT_EQ(1, g->w[3].order);
	EXPECT_EQ(2, g->w[1].order);
	EXPECT_EQ(3, g->w[0].order);
	EXPECT_EQ(4, g->w[2].order);
}

TEST_F_TIMEOUT(edf, best_effort_first_come_first_served, 120)
{
	struct rt_group *g = self->c.g;
	int i;

	for (i = 0; i < 5; i++)
		waiter(g, i, -1, 0);
	contend(_metadata, &self->c, 5);
	for (i = 0; i < 5; i++)
		EXPECT_EQ(i + 1, g->w[i].order);
}

TEST_F_TIMEOUT(edf, budget_exhausted_waits_for_next_period, 120)
{
	struct rtslot_lease_request a, b;
	struct rtslot_lease_page snap;
	const struct rtslot_lease_page *page = rt_map_page(self->c.fd);
	uint64_t t0, g1, held, asked;

	ASSERT_NE(NULL, page);
	ASSERT_EQ(0, rt_reserve(self->c.fd, MSEC(30), SEC(2), SEC(2), 0));
	t0 = rt_now();
	ASSERT_EQ(0, rt_request(self->c.fd, MSEC(5), SEC(10), &a));
	rt_page_read(page, &snap);
	g1 = snap.granted_ns;
	/* The lease of a reserved task is the budget it has. */
	EXPECT_EQ(g1 + MSEC(30), a.lease_end_ns);
	while (rt_now() <= g1 + MSEC(40))
		rt_sleep(MSEC(5));
	ASSERT_EQ(0, rt_release(self->c.fd, 0, &held));
	ASSERT_LE(MSEC(30), held);

	asked = rt_now();
	ASSERT_EQ(0, rt_request(self->c.fd, MSEC(5), SEC(10), &b));
	/* Only meaningful when asked inside the first period. */
	ASSERT_GT(t0 + SEC(2), asked);
	rt_page_read(page, &snap);
	EXPECT_LE(t0 + SEC(2), snap.granted_ns);
	EXPECT_LT(0, b.wait_ns);
	EXPECT_EQ(snap.granted_ns + MSEC(30), b.lease_end_ns);
	EXPECT_EQ(0, rt_release(self->c.fd, 0, NULL));
}

TEST_F_TIMEOUT(edf, budget_left_is_granted_at_once, 120)
{
	struct rtslot_lease_request a, b;
	struct rtslot_lease_page snap;
	const struct rtslot_lease_page *page = rt_map_page(self->c.fd);
	uint64_t t0, held;

	ASSERT_NE(NULL, page);
	ASSERT_EQ(0, rt_reserve(self->c.fd, MSEC(200), SEC(2), SEC(2), 0));
	t0 = rt_now();
	ASSERT_EQ(0, rt_request(self->c.fd, MSEC(5), SEC(10), &a));
	/*
	 * Hold long enough that the CBS wake-up rule keeps the period: it
	 * starts a fresh one only when the budget left outruns the bandwidth
	 * until the deadline, that is when the next request comes more than
	 * ten times the held time after the grant, which a loaded guest could
	 * do after a release within microseconds.
	 */
	rt_sleep(MSEC(20));
	ASSERT_EQ(0, rt_release(self->c.fd, 0, &held));
	ASSERT_LE(MSEC(20), held);
	ASSERT_GT(MSEC(190), held);
	ASSERT_EQ(0, rt_request(self->c.fd, MSEC(5), SEC(10), &b));
	rt_page_read(page, &snap);
	ASSERT_GT(t0 + SEC(2), snap.granted_ns);
	/* Same period: what is left of the budget, to the nanosecond. */
	EXPECT_EQ(snap.granted_ns + MSEC(200) - held, b.lease_end_ns);
	EXPECT_EQ(a.generation + 1, b.generation);
	EXPECT_EQ(0, rt_release(self->c.fd, 0, NULL));
}

/*
 * With reclaim, a reservation whose budget is spent is served from time
 * nobody reserved: ahead of best effort, for as long as it asks.  (Without
 * it the task waits for its refill: budget_exhausted_waits_for_next_period.)
 */
TEST_F_TIMEOUT(edf, spent_budget_reclaims_ahead_of_best_effort, 120)
{
	struct rtslot_lease_request out;
	struct rt_group *g = self->c.g;
	struct rt_waiter *spent = &g->w[0], *be = &g->w[1];
	struct rt_task_row row;
	pid_t ps, pb;
	uint64_t end;

	ASSERT_EQ(0, rt_attr_write("reclaim", "1"));
	waiter(g, 0, -1, SEC(10));
	spent->runtime = MSEC(30);
	spent->spend = MSEC(40);
	waiter(g, 1, -1, 0);

	/* The spending child needs the device free: it goes first. */
	ps = rt_spawn(rt_waiter_main, g, 0);
	ASSERT_LT(0, ps);
	end = rt_now() + RT_SETTLE;
	while (!__atomic_load_n(&spent->ready, __ATOMIC_ACQUIRE)) {
		ASSERT_GT(end, rt_now());
		rt_sleep(MSEC(1));
	}
	ASSERT_EQ(0, rt_request(self->c.fd, SEC(5), SEC(10), &out));
	pb = rt_start_waiter(g, 1);
	ASSERT_LT(0, pb);
	__atomic_store_n(&g->go, 1, __ATOMIC_RELEASE);
	while (rt_task_row(spent->id, &row) || row.requests < 2) {
		ASSERT_GT(end, rt_now());
		rt_sleep(MSEC(1));
	}
	ASSERT_EQ(0, rt_wait_tasks("waiting", 2, RT_SETTLE));

	ASSERT_EQ(0, rt_release(self->c.fd, 0, NULL));
	EXPECT_EQ(0, rt_reap(ps, RT_SETTLE));
	EXPECT_EQ(0, rt_reap(pb, RT_SETTLE));
	EXPECT_TRUE(rt_woken_in_time(spent));
	EXPECT_TRUE(rt_woken_in_time(be));
	EXPECT_EQ(1, spent->order);
	EXPECT_EQ(2, be->order);
	/* Reclaimed time is lent for the work asked, not for a budget. */
	EXPECT_EQ(spent->granted_ns + spent->est, spent->lease_end_ns);
}

FIXTURE(fp) {
	struct order_ctx c;
};

FIXTURE_SETUP(fp)
{
	order_setup(_metadata, &self->c, "fp");
}

FIXTURE_TEARDOWN(fp)
{
	order_teardown(_metadata, &self->c);
}

TEST_F_TIMEOUT(fp, highest_priority_first, 120)
{
	struct rt_group *g = self->c.g;
	int i;

	for (i = 0; i < 4; i++)
		waiter(g, i, 10 * (i + 1), 0);
	contend(_metadata, &self->c, 4);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(4 - i, g->w[i].order);
}

TEST_F_TIMEOUT(fp, priority_beats_deadline, 120)
{
	struct rt_group *g = self->c.g;

	waiter(g, 0, 5, SEC(1));
	waiter(g, 1, 50, 0);
	waiter(g, 2, 20, SEC(5));
	contend(_metadata, &self->c, 3);
	EXPECT_EQ(1, g->w[1].order);
	EXPECT_EQ(2, g->w[2].order);
	EXPECT_EQ(3, g->w[0].order);
}

TEST_F_TIMEOUT(fp, equal_priority_earlier_deadline_then_fifo, 120)
{
	struct rt_group *g = self->c.g;

	waiter(g, 0, 30, 0);
	waiter(g, 1, 30, SEC(5));
	waiter(g, 2, 30, 0);
	waiter(g, 3, 30, SEC(2));
	contend(_metadata, &self->c, 4);
	EXPECT_EQ(1, g->w[3].order);
	EXPECT_EQ(2, g->w[1].order);
	EXPECT_EQ(3, g->w[0].order);
	EXPECT_EQ(4, g->w[2].order);
}

TEST_HARNESS_MAIN
