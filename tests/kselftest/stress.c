// SPDX-License-Identifier: GPL-2.0
/*
 * Many processes, many requests: every request is granted (no lost wakeup,
 * no hang, all bounded by timeouts), one holder at a time, and the device's
 * counters add up.  Also revocations and SIGKILLs in the middle of it.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "rtslot_test.h"

#define NPROC		64
#define NREQ		100

struct stress {
	int go, stop;
	int holders;		/* processes that think they hold a lease */
	int overlaps;		/* times two did at once (no revokes, no kills) */
	uint64_t granted;
	uint64_t enolck;	/* releases refused after a revoke */
	uint64_t revoked_on_purpose;
	bool use_prio;
	bool overstay;		/* hold every fifth lease past its end */
	int nreq;		/* 0: until stop */
	uint64_t est;
	int done[NPROC];
};

static int wait_flag(const int *flag)
{
	uint64_t end = rt_now() + RT_SETTLE * 4;

	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE)) {
		if (rt_now() > end)
			return -ETIMEDOUT;
		rt_sleep(MSEC(1));
	}
	return 0;
}

/* Wait for the device to take our lease back after we overstayed it. */
static int overstay(const struct rtslot_lease_page *page)
{
	struct rtslot_lease_page snap;
	uint64_t end = rt_now() + RT_SETTLE;

	do {
		rt_sleep(MSEC(1));
		rt_page_read(page, &snap);
		if (rt_now() > end)
			return -ETIMEDOUT;
	} while (snap.state == RTSLOT_LEASE_HELD);
	return 0;
}

static int stress_child(void *arg, int idx)
{
	struct stress *s = arg;
	const struct rtslot_lease_page *page;
	struct rtslot_lease_request out;
	uint64_t asked;
	int fd, i, ret;

	fd = rt_open_task("stress", NULL);
	if (fd < 0)
		return 1;
	page = rt_map_page(fd);
	if (!page)
		return 2;
	if (s->use_prio && rt_reserve(fd, 0, 0, 0, idx % 8))
		return 3;
	if (wait_flag(&s->go))
		return 4;
	for (i = 0; s->nreq ? i < s->nreq : !__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE); i++) {
		asked = rt_now();
		ret = rt_request(fd, s->est, SEC(120), &out);
		if (ret) {
			fprintf(stderr, "# child %d request %d: %s\n", idx, i, strerror(-ret));
			return 5;
		}
		/* Granted, yet woken only by the timeout: a lost wakeup. */
		if (rt_now() >= asked + SEC(120))
			return 8;
		if (__atomic_add_fetch(&s->holders, 1, __ATOMIC_SEQ_CST) > 1)
			__atomic_add_fetch(&s->overlaps, 1, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&s->granted, 1, __ATOMIC_SEQ_CST);
		__atomic_sub_fetch(&s->holders, 1, __ATOMIC_SEQ_CST);
		if (s->overstay && i % 5 == 4) {
			if (overstay(page))
				return 6;
			__atomic_add_fetch(&s->revoked_on_purpose, 1, __ATOMIC_SEQ_CST);
		}
		ret = rt_release(fd, 0, NULL);
		if (ret == -ENOLCK)
			__atomic_add_fetch(&s->enolck, 1, __ATOMIC_SEQ_CST);
		else if (ret)
			return 7;
	}
	s->done[idx] = i;
	return 0;
}

FIXTURE(stress) {
	struct rt_config saved;
	struct stress *s;
	pid_t pid[NPROC];
	uint64_t req0, gr0, rel0, rev0;
};

FIXTURE_VARIANT(stress) {
	const char *policy;
	bool prio;
	bool table;
};

FIXTURE_VARIANT_ADD(stress, edf_best_effort) {
	.policy = "edf",
};

FIXTURE_VARIANT_ADD(stress, fp_priorities) {
	.policy = "fp", .prio = true,
};

/* Two slack slots and gaps: grants wait for slot boundaries too. */
FIXTURE_VARIANT_ADD(stress, table_slack) {
	.policy = "table", .table = true,
};

FIXTURE_SETUP(stress)
{
	static const struct rtslot_slot slack[] = {
		{ .start_ns = 0, .length_ns = MSEC(8) },
		{ .start_ns = MSEC(10), .length_ns = MSEC(8) },
	};
	int fd;

	ASSERT_EQ(0, rt_setup(&self->saved));
	ASSERT_EQ(0, rt_attr_write("policy", variant->policy));
	ASSERT_EQ(0, rt_attr_write("overrun_action", "log"));
	ASSERT_EQ(0, rt_attr_write("frame_us", "20000"));
	if (variant->table) {
		fd = rt_open();
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, rt_set_table(fd, slack, 2));
		close(fd);
	}
	self->s = rt_shared(sizeof(*self->s));
	ASSERT_NE(NULL, self->s);
	self->s->use_prio = variant->prio;
	self->s->est = USEC(500);
	ASSERT_EQ(0, rt_stat("requests", &self->req0));
	ASSERT_EQ(0, rt_stat("grants", &self->gr0));
	ASSERT_EQ(0, rt_stat("releases", &self->rel0));
	ASSERT_EQ(0, rt_stat("revokes", &self->rev0));
}

FIXTURE_TEARDOWN(stress)
{
	EXPECT_EQ(0, rt_config_apply(&self->saved));
}

/* Start @n children, let them go together, and reap them all. */
static void run(struct __test_metadata *_metadata, FIXTURE_DATA(stress) *self, int n,
		uint64_t run_for)
{
	int i;

	for (i = 0; i < n; i++) {
		self->pid[i] = rt_spawn(stress_child, self->s, i);
		ASSERT_LT(0, self->pid[i]);
	}
	ASSERT_EQ(0, rt_wait_tasks(NULL, n, RT_SETTLE * 2));
	__atomic_store_n(&self->s->go, 1, __ATOMIC_RELEASE);
	if (run_for) {
		rt_sleep(run_for);
		__atomic_store_n(&self->s->stop, 1, __ATOMIC_RELEASE);
	}
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, rt_reap(self->pid[i], SEC(400)));
	EXPECT_EQ(0, rt_wait_tasks(NULL, 0, RT_SETTLE));
}

static uint64_t delta(const char *key, uint64_t before)
{
	uint64_t v = 0;

	rt_stat(key, &v);
	return v - before;
}

TEST_F_TIMEOUT(stress, many_processes_every_request_granted, 600)
{
	uint64_t total = NPROC * NREQ, holder;
	int i;

	self->s->nreq = NREQ;
	run(_metadata, self, NPROC, 0);
	for (i = 0; i < NPROC; i++)
		EXPECT_EQ(NREQ, self->s->done[i]);
	EXPECT_EQ(0, self->s->overlaps);
	EXPECT_EQ(total, self->s->granted);
	EXPECT_EQ(total, delta("requests", self->req0));
	EXPECT_EQ(total, delta("grants", self->gr0));
	EXPECT_EQ(total, delta("releases", self->rel0));
	EXPECT_EQ(0, self->s->enolck);
	ASSERT_EQ(0, rt_stat("holder", &holder));
	EXPECT_EQ(0, holder);
}

TEST_F_TIMEOUT(stress, revokes_match_refused_releases, 600)
{
	uint64_t total = 16 * NREQ;

	ASSERT_EQ(0, rt_attr_write("overrun_action", "revoke"));
	ASSERT_EQ(0, rt_attr_write("overrun_grace_us", "0"));
	self->s->nreq = NREQ;
	self->s->overstay = true;
	run(_metadata, self, 16, 0);
	EXPECT_EQ(total, self->s->granted);
	EXPECT_EQ(total, delta("grants", self->gr0));
	/* Every revoke shows up as exactly one refused release, and back. */
	EXPECT_LE(self->s->revoked_on_purpose, self->s->enolck);
	EXPECT_EQ(self->s->enolck, delta("revokes", self->rev0));
	EXPECT_EQ(total - self->s->enolck, delta("releases", self->rel0));
}

TEST_F_TIMEOUT(stress, sigkill_in_the_middle, 600)
{
	int i, n = 16;

	self->s->nreq = 0;
	for (i = 0; i < n; i++) {
		self->pid[i] = rt_spawn(stress_child, self->s, i);
		ASSERT_LT(0, self->pid[i]);
	}
	ASSERT_EQ(0, rt_wait_tasks(NULL, n, RT_SETTLE * 2));
	__atomic_store_n(&self->s->go, 1, __ATOMIC_RELEASE);
	/* Kill half of them wherever they are: holding, queued, or between. */
	rt_sleep(MSEC(300));
	for (i = 0; i < n; i += 2) {
		ASSERT_EQ(0, kill(self->pid[i], SIGKILL));
		rt_sleep(MSEC(7));
	}
	for (i = 0; i < n; i += 2)
		EXPECT_EQ(128 + SIGKILL, rt_reap(self->pid[i], RT_SETTLE));
	/* The rest keep being granted, then stop cleanly. */
	rt_sleep(MSEC(300));
	__atomic_store_n(&self->s->stop, 1, __ATOMIC_RELEASE);
	for (i = 1; i < n; i += 2) {
		EXPECT_EQ(0, rt_reap(self->pid[i], SEC(300)));
		EXPECT_LT(0, self->s->done[i]);
	}
	EXPECT_EQ(0, rt_wait_tasks(NULL, 0, RT_SETTLE));
}

TEST_HARNESS_MAIN
