// SPDX-License-Identifier: GPL-2.0
/*
 * rtslotd's admission control, per policy: rejections with reasons a
 * person can act on, variant advice, slot tables and their phase, and
 * execution-time learning that re-admits a task when it drifts.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"
#include "rd_test.h"

#define MS	1000ULL		/* in us */

struct env {
	struct rdt d;
	struct rtslotc *c;
};

static int env_start_cfg(struct env *e, const char *policy, const char *extra)
{
	int err = rdt_start(&e->d, policy, extra);

	return err ?: rdt_connect(&e->d, &e->c);
}

static int env_start(struct env *e, const char *policy)
{
	return env_start_cfg(e, policy, RDT_KEEP_LEASES);
}

static int env_stop(struct env *e)
{
	int err;

	rtslotc_close(e->c);
	err = rdt_stop(&e->d);
	rdt_cleanup(&e->d);
	return err;
}

/* Register; 0 or the REJECTED errno, its reason in why. */
static int reg(struct env *e, struct rtslotc_params *p, struct rtslotc_task **t,
	       struct rtslotc_advice *adv, char *why)
{
	return rtslotc_register(e->c, p, t, adv, why, RSP_TEXT_LEN);
}

FIXTURE(edf) {
	struct env e;
};

FIXTURE_SETUP(edf)
{
	ASSERT_EQ(0, env_start(&self->e, "edf"));
}

FIXTURE_TEARDOWN(edf)
{
	EXPECT_EQ(0, env_stop(&self->e));
}

TEST_F(edf, overload_is_rejected_with_a_reason)
{
	struct rtslotc_task *a, *b;
	struct rtslotc_params p;
	struct rsp_stats s;
	char why[RSP_TEXT_LEN];

	rdt_params(&p, "a", 10 * MS, 6 * MS);
	ASSERT_EQ(0, reg(&self->e, &p, &a, NULL, why));
	rdt_params(&p, "b", 10 * MS, 6 * MS);
	ASSERT_EQ(-ENOSPC, reg(&self->e, &p, &b, NULL, why));
	EXPECT_NE(NULL, strstr(why, "120.0% of gpu0")) TH_LOG("%s", why);
	EXPECT_EQ(0, strncmp(why, "b: ", 3));
	ASSERT_EQ(0, rtslotc_stats(self->e.c, &s));
	EXPECT_EQ(1, s.tasks);
	EXPECT_EQ(1, s.admitted);
	EXPECT_EQ(1, s.rejections);
	/* Once a leaves, b fits. */
	ASSERT_EQ(0, rtslotc_unregister(a));
	ASSERT_EQ(0, reg(&self->e, &p, &b, NULL, why));
	ASSERT_EQ(0, rtslotc_unregister(b));
}

/* Non-preemptive blocking: a best-effort kernel longer than the slack is refused. */
TEST_F(edf, blocking_kernel_is_rejected)
{
	struct rtslotc_task *a, *b;
	struct rtslotc_params p;
	char why[RSP_TEXT_LEN];

	rdt_params(&p, "a", 1 * MS, 200);
	ASSERT_EQ(0, reg(&self->e, &p, &a, NULL, why));
	rdt_params(&p, "bulk", 100 * MS, 900);
	p.criticality = RSP_CRIT_BEST_EFFORT;
	ASSERT_EQ(-ENOSPC, reg(&self->e, &p, &b, NULL, why));
	EXPECT_NE(NULL, strstr(why, "a kernel of bulk blocking for 900 us")) TH_LOG("%s", why);
	/* With short kernels it is welcome, as best effort. */
	p.kernels = 9;
	ASSERT_EQ(0, reg(&self->e, &p, &b, NULL, why));
	ASSERT_EQ(0, rtslotc_unregister(b));
	ASSERT_EQ(0, rtslotc_unregister(a));
}

TEST_F(edf, bad_parameters_are_rejected)
{
	struct rtslotc_task *t[20];
	struct rtslotc_params p;
	struct rsp_stats s;
	char why[RSP_TEXT_LEN];
	int i;

	rdt_params(&p, "p0", 0, 100);
	EXPECT_EQ(-EINVAL, reg(&self->e, &p, &t[0], NULL, why));
	EXPECT_NE(NULL, strstr(why, "period_us")) TH_LOG("%s", why);
	rdt_params(&p, "late", 10 * MS, 100);
	p.deadline_us = 20 * MS;
	EXPECT_EQ(-EINVAL, reg(&self->e, &p, &t[0], NULL, why));
	EXPECT_NE(NULL, strstr(why, "deadline_us")) TH_LOG("%s", why);
	rdt_params(&p, "lost", 10 * MS, 100);
	strcpy(p.accel, "npu9");
	EXPECT_EQ(-ENODEV, reg(&self->e, &p, &t[0], NULL, why));
	EXPECT_NE(NULL, strstr(why, "npu9")) TH_LOG("%s", why);
	/* Sixteen tasks per client (the default), names unique per accelerator. */
	for (i = 0; i < 16; i++) {
		char name[16];

		snprintf(name, sizeof(name), "t%d", i);
		rdt_params(&p, name, 100 * MS, 10);
		ASSERT_EQ(0, reg(&self->e, &p, &t[i], NULL, why));
	}
	EXPECT_EQ(-EMFILE, reg(&self->e, &p, &t[16], NULL, why));
	ASSERT_EQ(0, rtslotc_unregister(t[15]));
	rdt_params(&p, "t0", 100 * MS, 10);
	EXPECT_EQ(-EEXIST, reg(&self->e, &p, &t[15], NULL, why));
	ASSERT_EQ(0, rtslotc_stats(self->e.c, &s));
	EXPECT_EQ(5, s.rejections);
	EXPECT_EQ(15, s.tasks);
	for (i = 0; i < 15; i++)
		ASSERT_EQ(0, rtslotc_unregister(t[i]));
}

/* The most accurate variant that keeps the set admitted. */
TEST_F(edf, variant_advice)
{
	struct rtslotc_task *a, *b;
	struct rtslotc_params p;
	struct rtslotc_advice adv;
	char why[RSP_TEXT_LEN];

	rdt_params(&p, "a", 10 * MS, 6 * MS);
	ASSERT_EQ(0, reg(&self->e, &p, &a, NULL, why));
	rdt_params(&p, "b", 10 * MS, 6 * MS);
	p.nvariants = 3;
	p.variant[0] = (struct rtslotc_variant){ "int8", 0.5, 0.80 };
	p.variant[1] = (struct rtslotc_variant){ "fp16", 1.0, 0.90 };
	p.variant[2] = (struct rtslotc_variant){ "int4", 0.3, 0.60 };
	ASSERT_EQ(0, reg(&self->e, &p, &b, &adv, why));
	EXPECT_EQ(RSP_ST_ADMITTED, adv.status);
	EXPECT_EQ(0, adv.variant);
	EXPECT_EQ(3 * MS, adv.wcet_us);
	ASSERT_EQ(0, rtslotc_unregister(b));
	/* Alone it runs the accurate one. */
	ASSERT_EQ(0, rtslotc_unregister(a));
	ASSERT_EQ(0, reg(&self->e, &p, &b, &adv, why));
	EXPECT_EQ(1, adv.variant);
	EXPECT_EQ(6 * MS, adv.wcet_us);
	ASSERT_EQ(0, rtslotc_unregister(b));
}

static int report(struct rtslotc_task *t, int n, uint32_t variant, uint64_t us,
		  struct rtslotc_advice *adv)
{
	int i, err = 0;

	for (i = 0; i < n && !err; i++)
		err = rtslotc_job_end(t, variant, us * 1000, adv);
	return err;
}

TEST_F(edf, learning_follows_the_measurements)
{
	struct rtslotc_advice adv;
	struct rtslotc_params p;
	struct rtslotc_task *t;
	struct rsp_stats s;
	char why[RSP_TEXT_LEN];

	rdt_params(&p, "net", 10 * MS, 1 * MS);
	ASSERT_EQ(0, reg(&self->e, &p, &t, &adv, why));
	/* Seven reports are too few (min_samples 8) to change anything. */
	ASSERT_EQ(0, report(t, 7, 0, 3 * MS, &adv));
	EXPECT_EQ(1 * MS, adv.wcet_us);
	/* The eighth: p99 of 3 ms plus the 20 % margin. */
	ASSERT_EQ(0, report(t, 1, 0, 3 * MS, &adv));
	EXPECT_EQ(3600, adv.wcet_us);
	EXPECT_EQ(RSP_ST_ADMITTED, adv.status);
	/* More of the same is no drift. */
	ASSERT_EQ(0, report(t, 10, 0, 3 * MS, &adv));
	ASSERT_EQ(0, rtslotc_stats(self->e.c, &s));
	EXPECT_EQ(1, s.replans);
	EXPECT_EQ(18, s.jobs);
	ASSERT_EQ(0, rtslotc_unregister(t));
}

TEST_F(edf, learning_downgrades_then_demotes)
{
	struct rtslotc_advice adv;
	struct rtslotc_params p;
	struct rtslotc_task *a, *b;
	struct rsp_stats s;
	char why[RSP_TEXT_LEN];

	rdt_params(&p, "a", 10 * MS, 5 * MS);
	ASSERT_EQ(0, reg(&self->e, &p, &a, NULL, why));
	rdt_params(&p, "b", 10 * MS, 2 * MS);
	p.nvariants = 2;
	p.variant[0] = (struct rtslotc_variant){ "full", 1.0, 0.9 };
	p.variant[1] = (struct rtslotc_variant){ "half", 0.5, 0.8 };
	ASSERT_EQ(0, reg(&self->e, &p, &b, &adv, why));
	EXPECT_EQ(0, adv.variant);
	/* 6 ms measured: 7.2 ms learned does not fit beside a; half of it does. */
	ASSERT_EQ(0, report(b, 8, 0, 6 * MS, &adv));
	EXPECT_EQ(RSP_ST_ADMITTED, adv.status);
	EXPECT_EQ(1, adv.variant);
	EXPECT_EQ(3600, adv.wcet_us);
	/* Even the half variant takes 6 ms: nothing fits, b runs best effort. */
	ASSERT_EQ(0, report(b, 1, 1, 6 * MS, &adv));
	EXPECT_EQ(RSP_ST_BEST_EFFORT, adv.status);
	EXPECT_NE(NULL, strstr(adv.reason, "learned")) TH_LOG("%s", adv.reason);
	ASSERT_EQ(0, rtslotc_stats(self->e.c, &s));
	EXPECT_EQ(1, s.admitted);
	EXPECT_EQ(2, s.replans);
	ASSERT_EQ(0, rtslotc_unregister(b));
	ASSERT_EQ(0, rtslotc_unregister(a));
}

TEST_F(edf, unknown_wcet_is_learned)
{
	struct rtslotc_advice adv;
	struct rtslotc_params p;
	struct rtslotc_task *t;
	struct rsp_stats s;
	char why[RSP_TEXT_LEN];

	rdt_params(&p, "new", 10 * MS, 0);
	p.max_kernel_us = 500;
	ASSERT_EQ(0, reg(&self->e, &p, &t, &adv, why));
	EXPECT_EQ(RSP_ST_LEARNING, adv.status);
	ASSERT_EQ(0, rtslotc_stats(self->e.c, &s));
	EXPECT_EQ(1, s.learning);
	ASSERT_EQ(0, report(t, 8, 0, 1 * MS, &adv));
	EXPECT_EQ(RSP_ST_ADMITTED, adv.status);
	EXPECT_EQ(1200, adv.wcet_us);
	ASSERT_EQ(0, rtslotc_stats(self->e.c, &s));
	EXPECT_EQ(0, s.learning);
	EXPECT_EQ(1, s.admitted);
	ASSERT_EQ(0, rtslotc_unregister(t));
}

/* Every change of advice moves its generation on by one, demotion included. */
TEST_F(edf, generation_moves_with_every_change)
{
	struct rtslotc_advice adv;
	struct rtslotc_params p;
	struct rtslotc_task *a, *b;
	char why[RSP_TEXT_LEN];
	uint64_t g0, g1;

	rdt_params(&p, "a", 10 * MS, 5 * MS);
	ASSERT_EQ(0, reg(&self->e, &p, &a, NULL, why));
	rdt_params(&p, "b", 10 * MS, 2 * MS);
	p.nvariants = 3;
	p.variant[0] = (struct rtslotc_variant){ "full", 1.0, 0.9 };
	p.variant[1] = (struct rtslotc_variant){ "quarter", 0.4, 0.7 };
	p.variant[2] = (struct rtslotc_variant){ "half", 0.5, 0.8 };
	ASSERT_EQ(0, reg(&self->e, &p, &b, &adv, why));
	ASSERT_EQ(0, rtslotc_job_begin(b, 0, &adv));
	g0 = adv.generation;
	ASSERT_EQ(0, report(b, 8, 0, 6 * MS, &adv));
	ASSERT_EQ(2, adv.variant);
	g1 = adv.generation;
	EXPECT_EQ(g0 + 1, g1);
	/* 14.4 ms learned: not even the quarter variant fits beside a. */
	ASSERT_EQ(0, report(b, 1, 2, 6 * MS, &adv));
	ASSERT_EQ(RSP_ST_BEST_EFFORT, adv.status);
	EXPECT_EQ(g1 + 1, adv.generation);
	ASSERT_EQ(0, rtslotc_unregister(b));
	ASSERT_EQ(0, rtslotc_unregister(a));
}

/* A best-effort task with many variants: the most accurate, a clean advice. */
TEST_F(edf, best_effort_variants_keep_the_advice_clean)
{
	struct rtslotc_advice adv;
	struct rtslotc_params p;
	struct rtslotc_task *t;
	char why[RSP_TEXT_LEN];

	rdt_params(&p, "bulk", 100 * MS, 1 * MS);
	p.criticality = RSP_CRIT_BEST_EFFORT;
	p.nvariants = 4;
	p.variant[0] = (struct rtslotc_variant){ "v0", 1.0, 0.9 };
	p.variant[1] = (struct rtslotc_variant){ "v1", 0.4, 0.1 };
	p.variant[2] = (struct rtslotc_variant){ "v2", 0.6, 0.5 };
	p.variant[3] = (struct rtslotc_variant){ "v3", 0.8, 0.7 };
	ASSERT_EQ(0, reg(&self->e, &p, &t, &adv, why));
	EXPECT_EQ(RSP_ST_BEST_EFFORT, adv.status);
	EXPECT_EQ(0, adv.variant);
	EXPECT_STREQ("", adv.reason);
	ASSERT_EQ(0, rtslotc_job_begin(t, 0, &adv));
	EXPECT_EQ(1, adv.generation);
	EXPECT_STREQ("", adv.reason);
	ASSERT_EQ(0, rtslotc_unregister(t));
}

/*
 * A duration so long that scaling it to variant 1.0 passes 2^64 must not
 * wrap round to a short one: the estimate saturates and the task cannot
 * be admitted on it.
 */
TEST_F(edf, absurd_durations_do_not_wrap)
{
	struct rtslotc_advice adv;
	struct rtslotc_params p;
	struct rtslotc_task *t;
	char why[RSP_TEXT_LEN];
	int i;

	rdt_params(&p, "wrap", 10 * MS, 1 * MS);
	p.nvariants = 2;
	p.variant[0] = (struct rtslotc_variant){ "full", 1.0, 0.9 };
	p.variant[1] = (struct rtslotc_variant){ "half", 0.5, 0.5 };
	ASSERT_EQ(0, reg(&self->e, &p, &t, &adv, why));
	ASSERT_EQ(RSP_ST_ADMITTED, adv.status);
	/* 2^63 + 1 ms at scale 0.5 is 2^64 + 2 ms at scale 1. */
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, rtslotc_job_end(t, 1, (1ULL << 63) + 1000ULL * 1000, &adv));
	EXPECT_EQ(RSP_ST_BEST_EFFORT, adv.status);
	/* Learned times stop at 10 s, the longest any registration may give. */
	EXPECT_EQ(10000 * MS, adv.wcet_us);
	ASSERT_EQ(0, rtslotc_unregister(t));
}

/* Periods that do not divide a million still fill the device to exactly 100 %. */
TEST_F(edf, exactly_full_is_admitted)
{
	struct rtslotc_task *t[3];
	struct rtslotc_params p;
	char why[RSP_TEXT_LEN];
	struct rsp_stats s;
	int i;

	for (i = 0; i < 3; i++) {
		char name[8];

		snprintf(name, sizeof(name), "third%d", i);
		rdt_params(&p, name, 3 * MS, 1 * MS);
		ASSERT_EQ(0, reg(&self->e, &p, &t[i], NULL, why)) TH_LOG("%s", why);
	}
	ASSERT_EQ(0, rtslotc_stats(self->e.c, &s));
	EXPECT_EQ(3, s.admitted);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, rtslotc_unregister(t[i]));
}

TEST_F(edf, late_jobs_are_counted)
{
	struct rtslotc_params p;
	struct rtslotc_task *t;
	struct rsp_stats s;
	char why[RSP_TEXT_LEN];
	uint64_t now = rdt_now();

	rdt_params(&p, "slow", 10 * MS, 1 * MS);
	ASSERT_EQ(0, reg(&self->e, &p, &t, NULL, why));
	ASSERT_EQ(0, rtslotc_job_begin(t, now - 20ULL * 1000 * 1000, NULL));
	ASSERT_EQ(0, rtslotc_job_end(t, 0, 0, NULL));
	ASSERT_EQ(0, rtslotc_job_begin(t, now + 1000ULL * 1000 * 1000, NULL));
	ASSERT_EQ(0, rtslotc_job_end(t, 0, 0, NULL));
	ASSERT_EQ(0, rtslotc_stats(self->e.c, &s));
	EXPECT_EQ(2, s.jobs);
	EXPECT_EQ(1, s.job_misses);
	ASSERT_EQ(0, rtslotc_unregister(t));
}

FIXTURE(fp) {
	struct env e;
};

FIXTURE_SETUP(fp)
{
	ASSERT_EQ(0, env_start(&self->e, "fp"));
}

FIXTURE_TEARDOWN(fp)
{
	EXPECT_EQ(0, env_stop(&self->e));
}

TEST_F(fp, response_time_past_the_deadline)
{
	struct rtslotc_task *hi, *lo;
	struct rtslotc_params p;
	char why[RSP_TEXT_LEN];

	rdt_params(&p, "hi", 10 * MS, 5 * MS);
	p.priority = 10;
	ASSERT_EQ(0, reg(&self->e, &p, &hi, NULL, why));
	rdt_params(&p, "lo", 10 * MS, 2 * MS);
	p.deadline_us = 6 * MS;
	p.priority = 1;
	ASSERT_EQ(-ENOSPC, reg(&self->e, &p, &lo, NULL, why));
	EXPECT_NE(NULL, strstr(why, "lo could respond after 7000 us, past its deadline of 6000 us"))
		TH_LOG("%s", why);
	/* EDF would take it (U = 0.7): the reason is fixed priority's. */
	p.deadline_us = 7 * MS;
	ASSERT_EQ(0, reg(&self->e, &p, &lo, NULL, why));
	ASSERT_EQ(0, rtslotc_unregister(lo));
	ASSERT_EQ(0, rtslotc_unregister(hi));
}

FIXTURE(slot) {
	struct env e;
};

FIXTURE_SETUP(slot)
{
	ASSERT_EQ(0, env_start(&self->e, "slot"));
}

FIXTURE_TEARDOWN(slot)
{
	EXPECT_EQ(0, env_stop(&self->e));
}

TEST_F(slot, planned_table_and_its_phase)
{
	struct rtslotc_advice adv;
	struct rtslotc_params p;
	struct rtslotc_task *a, *b, *c;
	char why[RSP_TEXT_LEN];
	uint64_t until, next, now;

	rdt_params(&p, "a", 10 * MS, 2 * MS);
	ASSERT_EQ(0, reg(&self->e, &p, &a, &adv, why));
	EXPECT_EQ(RSP_ST_ADMITTED, adv.status);
	rdt_params(&p, "b", 20 * MS, 5 * MS);
	ASSERT_EQ(0, reg(&self->e, &p, &b, &adv, why));
	/* The frame becomes the hyperperiod once the old table's frame ends. */
	until = rdt_now() + RDT_SETTLE_NS;
	do {
		ASSERT_EQ(0, rtslotc_job_begin(b, 0, &adv));
	} while (adv.frame_ns != 20ULL * 1000 * 1000 && rdt_now() < until);
	EXPECT_EQ(20ULL * 1000 * 1000, adv.frame_ns);
	EXPECT_NE(0, adv.epoch_ns);
	now = rdt_now();
	next = rtslotc_next_release(b, &adv, now);
	EXPECT_LE(now, next);
	EXPECT_EQ(0, (next - adv.epoch_ns) % (20ULL * 1000 * 1000));

	/* Each gets its slot. */
	ASSERT_EQ(0, rtslotc_lease_request(a, 1000 * 1000, RDT_SETTLE_NS));
	ASSERT_EQ(0, rtslotc_lease_release(a, 0, NULL));
	ASSERT_EQ(0, rtslotc_lease_request(b, 4000 * 1000, RDT_SETTLE_NS));
	ASSERT_EQ(0, rtslotc_lease_release(b, 0, NULL));

	/* 20 + 25 + 70 % cannot be planned. */
	rdt_params(&p, "c", 10 * MS, 7 * MS);
	ASSERT_EQ(-ENOSPC, reg(&self->e, &p, &c, NULL, why));
	EXPECT_NE(NULL, strstr(why, "c: ")) TH_LOG("%s", why);
	ASSERT_EQ(0, rtslotc_unregister(b));
	ASSERT_EQ(0, rtslotc_unregister(a));
}

TEST(fifo_admits_without_guarantee)
{
	struct rtslotc_advice adv;
	struct rtslotc_params p;
	struct rtslotc_task *a, *b;
	char why[RSP_TEXT_LEN];
	struct env e;

	ASSERT_EQ(0, env_start(&e, "fifo"));
	rdt_params(&p, "a", 10 * MS, 6 * MS);
	ASSERT_EQ(0, reg(&e, &p, &a, &adv, why));
	rdt_params(&p, "b", 10 * MS, 6 * MS);
	ASSERT_EQ(0, reg(&e, &p, &b, &adv, why));
	EXPECT_EQ(RSP_ST_BEST_EFFORT, adv.status);
	EXPECT_NE(NULL, strstr(adv.reason, "fifo guarantees no deadline"));
	ASSERT_EQ(0, rtslotc_lease_request(a, 1000, RDT_SETTLE_NS));
	ASSERT_EQ(0, rtslotc_lease_release(a, 0, NULL));
	ASSERT_EQ(0, rtslotc_unregister(b));
	ASSERT_EQ(0, rtslotc_unregister(a));
	EXPECT_EQ(0, env_stop(&e));
}

/* Tests that make their own daemon: the teardown stops it however they end. */
FIXTURE(own) {
	struct env e;
	int up;
};

FIXTURE_SETUP(own)
{
	self->up = 0;
}

FIXTURE_TEARDOWN(own)
{
	if (self->up)
		EXPECT_EQ(0, env_stop(&self->e));
}

/*
 * The estimate is the nearest rank, also where quantile x n is a whole
 * number that floating point misses (0.55 x 100 is 55.000000000000007).
 */
TEST_F(own, nearest_rank_quantile)
{
	struct rtslotc_advice adv;
	struct rtslotc_params p;
	struct rtslotc_task *t;
	char why[RSP_TEXT_LEN];

	ASSERT_EQ(0, env_start_cfg(&self->e, "edf", ", \"learning\": { \"quantile\": 0.55, "
				   "\"window\": 100, \"min_samples\": 100 }"));
	self->up = 1;
	rdt_params(&p, "rank", 10 * MS, 1 * MS);
	ASSERT_EQ(0, reg(&self->e, &p, &t, &adv, why));
	/* 55 of 100 at 1 ms: the 0.55 quantile is the 55th, 1 ms, plus 20 %. */
	ASSERT_EQ(0, report(t, 55, 0, 1 * MS, &adv));
	ASSERT_EQ(0, report(t, 45, 0, 2 * MS, &adv));
	EXPECT_EQ(1200, adv.wcet_us);
	ASSERT_EQ(0, rtslotc_unregister(t));
}

/* More than 256 admitted tasks still get priorities in 1..99. */
TEST_F(own, many_priorities)
{
	enum { N = 257 };
	static struct rtslotc_task *t[N];
	struct rtslotc_params p;
	char why[RSP_TEXT_LEN];
	struct rsp_stats s;
	int i, n;

	ASSERT_EQ(0, env_start_cfg(&self->e, "fp", ", \"max_tasks_per_client\": 300"));
	self->up = 1;
	for (n = 0; n < N; n++) {
		char name[16];

		snprintf(name, sizeof(name), "t%d", n);
		rdt_params(&p, name, 1000 * MS, 10);
		/* Two priorities among the first 256, a third for the last. */
		p.priority = n == N - 1 ? 3 : 1 + n % 2;
		if (reg(&self->e, &p, &t[n], NULL, why))
			break;
	}
	EXPECT_EQ(N, n) TH_LOG("%s", why);
	ASSERT_EQ(0, rtslotc_stats(self->e.c, &s));
	EXPECT_EQ(n, s.admitted);
	EXPECT_EQ(0, s.errors);
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, rtslotc_unregister(t[i]));
}

TEST_HARNESS_MAIN
