// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the slot core (kmod/slotcore.c, the file the module
 * builds): grant rule, orders, tables, budgets, overruns, misses.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "rtslot/slotcore.h"
#include "kselftest_harness.h"

#define US(x)	((rs_u64)(x) * 1000ULL)
#define MS(x)	((rs_u64)(x) * 1000000ULL)
#define NTASK	8
#define NEV	256

enum ev_kind { EV_GRANT, EV_REVOKE, EV_MISS, EV_OVERRUN, EV_SWITCH, EV_YIELD };

struct ev {
	enum ev_kind kind;
	rs_u32 id;
	rs_u64 now;
	rs_u64 val;
};

/* The device and what its callbacks saw; the callbacks find it from d. */
struct bench {
	struct rs_dev d;
	struct rs_task t[NTASK];
	struct ev ev[NEV];
	int nev;
	int rule_broken;	/* a grant that broke now + est + guard <= end */
};

static struct bench *of(struct rs_dev *d)
{
	return (struct bench *)((char *)d - offsetof(struct bench, d));
}

static void record(struct rs_dev *d, enum ev_kind k, rs_u32 id, rs_u64 now, rs_u64 val)
{
	struct bench *b = of(d);

	if (b->nev < NEV)
		b->ev[b->nev++] = (struct ev){ k, id, now, val };
}

static void on_grant(struct rs_dev *d, struct rs_task *t, rs_u64 now, rs_u64 wait)
{
	if (now + t->est + rs_guard(d) > t->lease_end)
		of(d)->rule_broken = 1;
	record(d, EV_GRANT, t->id, now, t->lease_end);
}

static void on_revoke(struct rs_dev *d, struct rs_task *t, rs_u64 now)
{
	record(d, EV_REVOKE, t->id, now, 0);
}

static void on_miss(struct rs_dev *d, struct rs_task *t, rs_u64 dl, rs_u64 now)
{
	record(d, EV_MISS, t->id, now, dl);
}

static void on_overrun(struct rs_dev *d, struct rs_task *t, rs_u64 over,
		       rs_u32 action, rs_u64 now)
{
	record(d, EV_OVERRUN, t->id, now, over);
}

static void on_switch(struct rs_dev *d, const struct rs_table *tab, rs_u64 epoch)
{
	record(d, EV_SWITCH, tab->nslots, epoch, 0);
}

static void on_yield(struct rs_dev *d, struct rs_task *t, rs_u64 now)
{
	record(d, EV_YIELD, t->id, now, 0);
}

static const struct rs_ops ops = {
	.yield = on_yield,
	.granted = on_grant,
	.revoked = on_revoke,
	.missed = on_miss,
	.overrun = on_overrun,
	.table_switched = on_switch,
};

static int count(struct bench *b, enum ev_kind k)
{
	int i, n = 0;

	for (i = 0; i < b->nev; i++)
		n += b->ev[i].kind == k;
	return n;
}

/* The n-th grant's task id, or 0. */
static rs_u32 nth_grant(struct bench *b, int n)
{
	int i;

	for (i = 0; i < b->nev; i++)
		if (b->ev[i].kind == EV_GRANT && n-- == 0)
			return b->ev[i].id;
	return 0;
}

/* The lease end of the n-th grant. */
static rs_u64 grant_end(struct bench *b, int n)
{
	int i;

	for (i = 0; i < b->nev; i++)
		if (b->ev[i].kind == EV_GRANT && n-- == 0)
			return b->ev[i].val;
	return 0;
}

static void setup_bench(struct bench *b, int ntasks)
{
	int i;

	memset(b, 0, sizeof(*b));
	rs_dev_init(&b->d, &ops);
	for (i = 0; i < ntasks; i++)
		rs_task_attach(&b->d, &b->t[i], 0);
}

static void set_table(struct bench *b, rs_u64 now, int n, const struct rs_slot *s)
{
	struct rs_table *tab = calloc(1, sizeof(*tab));

	tab->nslots = n;
	memcpy(tab->slot, s, n * sizeof(*s));
	if (rs_set_table(&b->d, tab, now))
		abort();
	free(tab);
}

FIXTURE(core) {
	struct bench *b;
	struct rs_dev *d;
	struct rs_task *a, *x, *c;
};

FIXTURE_SETUP(core)
{
	self->b = calloc(1, sizeof(*self->b));
	setup_bench(self->b, 3);
	self->d = &self->b->d;
	self->a = &self->b->t[0];
	self->x = &self->b->t[1];
	self->c = &self->b->t[2];
}

FIXTURE_TEARDOWN(core)
{
	free(self->b);
}

TEST_F(core, defaults_and_ids)
{
	EXPECT_EQ(RS_POLICY_TABLE, rs_config_get(self->d, RS_PARAM_POLICY));
	EXPECT_EQ(MS(10), rs_config_get(self->d, RS_PARAM_FRAME));
	EXPECT_EQ(0, rs_guard(self->d));
	EXPECT_EQ(3, self->d->ntasks);
	EXPECT_NE(self->a->id, self->x->id);
	EXPECT_NE(0, self->a->id);
	EXPECT_EQ(self->x, rs_task_find(self->d, self->x->id));
	EXPECT_EQ(NULL, rs_task_find(self->d, 0));
	EXPECT_EQ(NULL, rs_task_find(self->d, 999));
}

TEST_F(core, config_is_validated)
{
	struct rs_dev *d = self->d;

	EXPECT_EQ(-RS_EINVAL, rs_config_set(d, RS_PARAM_PREEMPT_MODE, 3, 0));
	EXPECT_EQ(-RS_EINVAL, rs_config_set(d, RS_PARAM_POLICY, 3, 0));
	EXPECT_EQ(-RS_EINVAL, rs_config_set(d, RS_PARAM_OVERRUN_ACTION, 3, 0));
	EXPECT_EQ(-RS_EINVAL, rs_config_set(d, RS_PARAM_FRAME, US(99), 0));
	EXPECT_EQ(-RS_EINVAL, rs_config_set(d, RS_PARAM_FRAME, RS_FRAME_MAX_NS + 1, 0));
	EXPECT_EQ(-RS_EINVAL, rs_config_set(d, RS_PARAM_GUARD, MS(10), 0));
	EXPECT_EQ(-RS_EINVAL, rs_config_set(d, RS_PARAM_SWITCH, MS(10), 0));
	EXPECT_EQ(-RS_EINVAL, rs_config_set(d, RS_PARAM_PREEMPT_LATENCY,
					    RS_LATENCY_MAX_NS + 1, 0));
	EXPECT_EQ(-RS_EINVAL, rs_config_set(d, RS_PARAM_COUNT, 0, 0));
	/* Nothing changed. */
	EXPECT_EQ(MS(10), rs_config_get(d, RS_PARAM_FRAME));
	EXPECT_EQ(0, rs_config_get(d, RS_PARAM_GUARD));

	EXPECT_EQ(0, rs_config_set(d, RS_PARAM_GUARD, US(100), 0));
	EXPECT_EQ(0, rs_config_set(d, RS_PARAM_PREEMPT_LATENCY, US(50), 0));
	EXPECT_EQ(US(100), rs_guard(d));
	EXPECT_EQ(0, rs_config_set(d, RS_PARAM_PREEMPT_MODE, RS_PREEMPT_INSTRUCTION, 0));
	EXPECT_EQ(US(150), rs_guard(d));
	/* A frame no longer than the guard is refused. */
	EXPECT_EQ(-RS_EINVAL, rs_config_set(d, RS_PARAM_FRAME, US(100), 0));
	EXPECT_EQ(0, rs_config_set(d, RS_PARAM_FRAME, MS(20), 0));
}

TEST_F(core, frame_is_fixed_while_a_table_runs)
{
	struct rs_slot s[] = { { 0, MS(2), self->a->id, 0 } };

	set_table(self->b, 0, 1, s);
	EXPECT_EQ(-RS_EBUSY, rs_config_set(self->d, RS_PARAM_FRAME, MS(20), 0));
}

TEST_F(core, request_errors)
{
	rs_u64 held;

	EXPECT_EQ(-RS_EINVAL, rs_request(self->d, self->a, 0, 0));
	EXPECT_EQ(-RS_E2BIG, rs_request(self->d, self->a, RS_PERIOD_MAX_NS + 1, 0));
	EXPECT_EQ(-RS_ENOLCK, rs_release(self->d, self->a, 0, 0, &held));
	ASSERT_EQ(0, rs_request(self->d, self->a, US(10), 0));
	EXPECT_EQ(RS_TASK_HOLDING, self->a->state);
	EXPECT_EQ(-RS_EBUSY, rs_request(self->d, self->a, US(10), 0));
	ASSERT_EQ(0, rs_set_reservation(self->d, self->x, MS(1), MS(5), MS(10), 0, 0));
	EXPECT_EQ(-RS_E2BIG, rs_request(self->d, self->x, MS(2), 0));
}

TEST_F(core, best_effort_lease_is_as_long_as_asked)
{
	rs_u64 held = 0;

	ASSERT_EQ(0, rs_config_set(self->d, RS_PARAM_GUARD, US(20), 0));
	ASSERT_EQ(0, rs_request(self->d, self->a, US(300), US(1000)));
	EXPECT_EQ(US(1320), self->a->lease_end);
	EXPECT_EQ(self->a, self->d->holder);
	EXPECT_EQ(0, rs_release(self->d, self->a, US(250), US(1250), &held));
	EXPECT_EQ(US(250), held);
	EXPECT_EQ(NULL, self->d->holder);
	EXPECT_EQ(RS_TASK_IDLE, self->a->state);
	EXPECT_EQ(0, self->b->rule_broken);
}

TEST_F(core, edf_grants_earliest_deadline_first)
{
	struct rs_dev *d = self->d;
	struct rs_task *be = &self->b->t[3];

	rs_task_attach(d, be, 0);
	ASSERT_EQ(0, rs_config_set(d, RS_PARAM_POLICY, RS_POLICY_EDF, 0));
	ASSERT_EQ(0, rs_set_reservation(d, self->x, MS(1), MS(50), MS(100), 90, 0));
	ASSERT_EQ(0, rs_set_reservation(d, self->c, MS(1), MS(20), MS(100), 10, 0));
	/* be (best effort, asked first) holds; the others queue behind it. */
	ASSERT_EQ(0, rs_request(d, be, US(100), 0));
	ASSERT_EQ(0, rs_request(d, self->a, US(100), US(1)));
	ASSERT_EQ(0, rs_request(d, self->x, US(100), US(2)));
	ASSERT_EQ(0, rs_request(d, self->c, US(100), US(3)));
	ASSERT_EQ(be->id, nth_grant(self->b, 0));
	ASSERT_EQ(0, rs_release(d, be, 0, US(50), NULL));
	EXPECT_EQ(self->c->id, nth_grant(self->b, 1));
	ASSERT_EQ(0, rs_release(d, self->c, 0, US(60), NULL));
	EXPECT_EQ(self->x->id, nth_grant(self->b, 2));
	ASSERT_EQ(0, rs_release(d, self->x, 0, US(70), NULL));
	EXPECT_EQ(self->a->id, nth_grant(self->b, 3));
	/* A reserved task may keep the lease for its whole remaining budget. */
	EXPECT_EQ(US(60) + MS(1), grant_end(self->b, 2));
	/* Best effort: exactly the work asked for. */
	EXPECT_EQ(US(170), grant_end(self->b, 3));
	EXPECT_EQ(0, self->b->rule_broken);
}

TEST_F(core, fp_grants_highest_priority_first)
{
	struct rs_dev *d = self->d;
	struct rs_task *be = &self->b->t[3];

	rs_task_attach(d, be, 0);
	ASSERT_EQ(0, rs_config_set(d, RS_PARAM_POLICY, RS_POLICY_FP, 0));
	ASSERT_EQ(0, rs_set_reservation(d, self->a, MS(1), MS(5), MS(100), 10, 0));
	ASSERT_EQ(0, rs_set_reservation(d, self->x, MS(1), MS(50), MS(100), 90, 0));
	ASSERT_EQ(0, rs_set_reservation(d, self->c, 0, 0, 0, 50, 0));
	ASSERT_EQ(0, rs_request(d, be, US(100), 0));
	ASSERT_EQ(0, rs_request(d, self->a, US(100), US(1)));
	ASSERT_EQ(0, rs_request(d, self->c, US(100), US(2)));
	ASSERT_EQ(0, rs_request(d, self->x, US(100), US(3)));
	ASSERT_EQ(0, rs_release(d, be, 0, US(50), NULL));
	ASSERT_EQ(0, rs_release(d, self->x, 0, US(60), NULL));
	ASSERT_EQ(0, rs_release(d, self->c, 0, US(70), NULL));
	EXPECT_EQ(self->x->id, nth_grant(self->b, 1));
	EXPECT_EQ(self->c->id, nth_grant(self->b, 2));
	EXPECT_EQ(self->a->id, nth_grant(self->b, 3));
}

TEST_F(core, reservation_is_validated)
{
	struct rs_dev *d = self->d;

	EXPECT_EQ(-RS_EINVAL, rs_set_reservation(d, self->a, MS(2), MS(1), MS(10), 0, 0));
	EXPECT_EQ(-RS_EINVAL, rs_set_reservation(d, self->a, MS(1), MS(11), MS(10), 0, 0));
	EXPECT_EQ(-RS_EINVAL, rs_set_reservation(d, self->a, 999, MS(1), MS(10), 0, 0));
	EXPECT_EQ(-RS_EINVAL, rs_set_reservation(d, self->a, MS(1), MS(1),
						 RS_PERIOD_MAX_NS + 1, 0, 0));
	EXPECT_EQ(-RS_EINVAL, rs_set_reservation(d, self->a, 0, 0, 0, -1, 0));
	EXPECT_EQ(-RS_EINVAL, rs_set_reservation(d, self->a, 0, 0, 0, RS_PRIO_MAX + 1, 0));
	EXPECT_EQ(0, self->a->runtime);

	ASSERT_EQ(0, rs_set_reservation(d, self->a, MS(6), MS(10), MS(10), 0, 0));
	EXPECT_EQ(600000, rs_utilization_ppm(d));
	EXPECT_EQ(-RS_EBUSY, rs_set_reservation(d, self->x, MS(5), MS(10), MS(10), 0, 0));
	EXPECT_EQ(0, rs_set_reservation(d, self->x, MS(4), MS(10), MS(10), 0, 0));
	/* Replacing its own reservation does not count it twice. */
	EXPECT_EQ(0, rs_set_reservation(d, self->a, MS(6), MS(10), MS(10), 5, 0));
	EXPECT_EQ(0, rs_set_reservation(d, self->a, 0, 0, 0, 5, 0));
	EXPECT_EQ(400000, rs_utilization_ppm(d));
}

/* Shares that do not divide a million still fill the device exactly. */
TEST_F(core, exactly_full_fits)
{
	struct rs_dev *d = self->d;

	ASSERT_EQ(0, rs_set_reservation(d, self->a, MS(1), MS(3), MS(3), 0, 0));
	ASSERT_EQ(0, rs_set_reservation(d, self->x, MS(1), MS(3), MS(3), 0, 0));
	EXPECT_EQ(0, rs_set_reservation(d, self->c, MS(1), MS(3), MS(3), 0, 0));
	EXPECT_EQ(999999, rs_utilization_ppm(d));
	EXPECT_EQ(-RS_EBUSY, rs_set_reservation(d, self->c, MS(1) + US(3), MS(3), MS(3), 0, 0));
}

TEST_F(core, budget_exhaustion_waits_for_the_next_period)
{
	struct rs_dev *d = self->d;
	rs_u64 t0 = MS(100);

	ASSERT_EQ(0, rs_config_set(d, RS_PARAM_POLICY, RS_POLICY_EDF, 0));
	ASSERT_EQ(0, rs_set_reservation(d, self->a, MS(2), MS(10), MS(10), 0, 0));
	ASSERT_EQ(0, rs_request(d, self->a, MS(1), t0));
	EXPECT_EQ(t0 + MS(2), self->a->lease_end);
	ASSERT_EQ(0, rs_release(d, self->a, 0, t0 + US(1500), NULL));
	EXPECT_EQ(US(500), self->a->budget);
	ASSERT_EQ(0, rs_request(d, self->a, MS(1), t0 + MS(3)));
	EXPECT_EQ(RS_TASK_WAITING, self->a->state);
	EXPECT_EQ(t0 + MS(10), rs_next_event(d, t0 + MS(3)));
	rs_tick(d, t0 + MS(10) - 1);
	EXPECT_EQ(RS_TASK_WAITING, self->a->state);
	rs_tick(d, t0 + MS(10));
	EXPECT_EQ(RS_TASK_HOLDING, self->a->state);
	EXPECT_EQ(t0 + MS(12), self->a->lease_end);
	/* Granted at its deadline, done after it: one miss, at release. */
	EXPECT_EQ(0, count(self->b, EV_MISS));
	ASSERT_EQ(0, rs_release(d, self->a, 0, t0 + MS(11), NULL));
	EXPECT_EQ(1, count(self->b, EV_MISS));
}

/*
 * A periodic job whose request comes a little early (wake-up jitter) must
 * not inherit a nearly spent period: the CBS rule starts a fresh one.
 */
TEST_F(core, an_early_request_gets_a_fresh_period)
{
	struct rs_dev *d = self->d;

	ASSERT_EQ(0, rs_config_set(d, RS_PARAM_POLICY, RS_POLICY_EDF, 0));
	ASSERT_EQ(0, rs_set_reservation(d, self->a, MS(2), MS(10), MS(10), 0, 0));
	ASSERT_EQ(0, rs_request(d, self->a, US(1500), MS(100)));
	ASSERT_EQ(0, rs_release(d, self->a, 0, MS(100) + US(1200), NULL));
	EXPECT_EQ(US(800), self->a->budget);
	/* 0.8 ms left for 0.1 ms to the deadline: more than 2/10 allows. */
	ASSERT_EQ(0, rs_request(d, self->a, US(1500), MS(110) - US(100)));
	EXPECT_EQ(RS_TASK_HOLDING, self->a->state);
	EXPECT_EQ(MS(120) - US(100), self->a->job_deadline);
	ASSERT_EQ(0, rs_release(d, self->a, 0, MS(111), NULL));
	EXPECT_EQ(0, count(self->b, EV_MISS));

	/* Early in a period the budget left is kept: no free refill. */
	ASSERT_EQ(0, rs_request(d, self->a, US(100), MS(112)));
	EXPECT_EQ(MS(120) - US(100), self->a->job_deadline);
	EXPECT_EQ(MS(2) - US(1100), self->a->budget);
}

TEST_F(core, deadline_miss_is_reported_once_per_period)
{
	struct rs_dev *d = self->d;

	ASSERT_EQ(0, rs_config_set(d, RS_PARAM_POLICY, RS_POLICY_EDF, 0));
	ASSERT_EQ(0, rs_set_reservation(d, self->a, MS(1), MS(5), MS(100), 0, 0));
	ASSERT_EQ(0, rs_request(d, self->x, MS(6), 0));
	ASSERT_EQ(0, rs_request(d, self->a, US(100), US(10)));
	EXPECT_EQ(0, count(self->b, EV_MISS));
	ASSERT_EQ(0, rs_release(d, self->x, 0, MS(6), NULL));
	EXPECT_EQ(1, count(self->b, EV_MISS));
	EXPECT_EQ(US(10) + MS(5), self->b->ev[self->b->nev - 1].val);
	ASSERT_EQ(0, rs_release(d, self->a, 0, MS(7), NULL));
	EXPECT_EQ(1, count(self->b, EV_MISS));
	EXPECT_EQ(1, self->a->stats.misses);
	EXPECT_EQ(0, self->x->stats.misses);
}

TEST_F(core, table_owner_runs_only_in_its_slots)
{
	struct rs_dev *d = self->d;
	struct rs_slot s[] = {
		{ 0, MS(4), self->a->id, 0 },
		{ MS(5), MS(3), 0, 0 },
		{ MS(8), MS(2), self->x->id, 0 },
	};
	rs_u64 t0 = MS(1000);

	set_table(self->b, t0, 3, s);
	EXPECT_EQ(1, count(self->b, EV_SWITCH));
	/* x asks inside a's slot: nothing until the gap after it. */
	ASSERT_EQ(0, rs_request(d, self->x, US(500), t0 + US(500)));
	EXPECT_EQ(RS_TASK_WAITING, self->x->state);
	EXPECT_EQ(t0 + MS(4), rs_next_event(d, t0 + US(500)));
	rs_tick(d, t0 + MS(4));
	ASSERT_EQ(RS_TASK_HOLDING, self->x->state);
	EXPECT_EQ(t0 + US(4500), self->x->lease_end);
	ASSERT_EQ(0, rs_release(d, self->x, 0, t0 + US(4400), NULL));

	/* a is the owner: its lease runs to the slot's end, next frame. */
	ASSERT_EQ(0, rs_request(d, self->a, MS(3), t0 + MS(9)));
	EXPECT_EQ(RS_TASK_WAITING, self->a->state);
	rs_tick(d, t0 + MS(10));
	ASSERT_EQ(RS_TASK_HOLDING, self->a->state);
	EXPECT_EQ(t0 + MS(14), self->a->lease_end);
	EXPECT_EQ(0, self->b->rule_broken);
}

TEST_F(core, slack_slot_goes_to_the_earliest_deadline)
{
	struct rs_dev *d = self->d;
	struct rs_slot s[] = { { 0, MS(10), 0, 0 } };

	ASSERT_EQ(0, rs_set_reservation(d, self->c, MS(1), MS(3), MS(100), 0, 0));
	set_table(self->b, 0, 1, s);
	ASSERT_EQ(0, rs_request(d, self->a, US(100), US(10)));
	ASSERT_EQ(0, rs_request(d, self->x, US(100), US(11)));
	ASSERT_EQ(0, rs_request(d, self->c, US(100), US(12)));
	ASSERT_EQ(0, rs_release(d, self->a, 0, US(50), NULL));
	EXPECT_EQ(self->c->id, nth_grant(self->b, 1));
	EXPECT_EQ(US(150), self->c->lease_end);
}

TEST_F(core, owner_release_reclaims_the_rest_of_its_slot)
{
	struct rs_dev *d = self->d;
	struct rs_slot s[] = {
		{ 0, MS(4), self->a->id, 0 },
		{ MS(4), MS(6), self->x->id, 0 },
	};

	set_table(self->b, 0, 2, s);
	ASSERT_EQ(0, rs_request(d, self->a, MS(1), US(100)));
	ASSERT_EQ(RS_TASK_HOLDING, self->a->state);
	ASSERT_EQ(0, rs_request(d, self->x, MS(1), US(200)));
	EXPECT_EQ(RS_TASK_WAITING, self->x->state);
	ASSERT_EQ(0, rs_release(d, self->a, 0, MS(1), NULL));
	EXPECT_EQ(1, d->stats.reclaims);
	ASSERT_EQ(RS_TASK_HOLDING, self->x->state);
	EXPECT_EQ(MS(2), self->x->lease_end);
	ASSERT_EQ(0, rs_release(d, self->x, 0, MS(2), NULL));
	/* The owner still comes first in its reclaimed slot. */
	ASSERT_EQ(0, rs_request(d, self->x, US(100), MS(2)));
	ASSERT_EQ(0, rs_release(d, self->x, 0, MS(2) + US(50), NULL));
	ASSERT_EQ(0, rs_request(d, self->a, US(100), MS(3)));
	EXPECT_EQ(MS(4), self->a->lease_end);
}

TEST_F(core, idle_owner_slot_is_not_lent)
{
	struct rs_slot s[] = { { 0, MS(5), self->a->id, 0 } };

	set_table(self->b, 0, 1, s);
	ASSERT_EQ(0, rs_request(self->d, self->x, US(100), US(10)));
	EXPECT_EQ(RS_TASK_WAITING, self->x->state);
	rs_tick(self->d, MS(5));
	EXPECT_EQ(RS_TASK_HOLDING, self->x->state);
}

TEST_F(core, guard_keeps_work_off_the_slot_end)
{
	struct rs_dev *d = self->d;
	struct rs_slot s[] = {
		{ 0, MS(4), self->a->id, 0 },
		{ MS(4), MS(6), self->x->id, 0 },
	};

	ASSERT_EQ(0, rs_config_set(d, RS_PARAM_GUARD, US(500), 0));
	set_table(self->b, 0, 2, s);
	/* 0.5 + 3.2 + 0.5 > 4: it must wait for the slot of the next frame. */
	ASSERT_EQ(0, rs_request(d, self->a, US(3200), US(500)));
	EXPECT_EQ(RS_TASK_WAITING, self->a->state);
	rs_tick(d, MS(4));
	EXPECT_EQ(RS_TASK_WAITING, self->a->state);
	rs_tick(d, MS(10));
	EXPECT_EQ(RS_TASK_HOLDING, self->a->state);
	EXPECT_EQ(MS(14), self->a->lease_end);
	EXPECT_EQ(0, self->b->rule_broken);
	/* Work that fits no slot of the frame could never be granted. */
	ASSERT_EQ(0, rs_release(d, self->a, 0, MS(11), NULL));
	EXPECT_EQ(-RS_E2BIG, rs_request(d, self->a, MS(10), MS(11)));
}

TEST_F(core, switch_cost_counts_only_between_tasks)
{
	struct rs_dev *d = self->d;

	ASSERT_EQ(0, rs_config_set(d, RS_PARAM_SWITCH, US(40), 0));
	ASSERT_EQ(0, rs_request(d, self->a, US(100), 0));
	EXPECT_EQ(US(100), self->a->lease_end);
	ASSERT_EQ(0, rs_release(d, self->a, 0, US(100), NULL));
	ASSERT_EQ(0, rs_request(d, self->a, US(100), US(100)));
	EXPECT_EQ(US(200), self->a->lease_end);
	ASSERT_EQ(0, rs_release(d, self->a, 0, US(200), NULL));
	ASSERT_EQ(0, rs_request(d, self->x, US(100), US(200)));
	EXPECT_EQ(US(340), self->x->lease_end);
}

TEST_F(core, new_table_waits_for_the_frame_boundary)
{
	struct rs_dev *d = self->d;
	struct rs_slot one[] = { { 0, MS(2), self->a->id, 0 } };
	struct rs_slot two[] = { { 0, MS(2), self->x->id, 0 } };
	struct rs_table empty = { 0 };

	set_table(self->b, MS(1), 1, one);
	EXPECT_EQ(MS(1), d->epoch);
	set_table(self->b, MS(5), 1, two);
	EXPECT_EQ(1, d->has_pending);
	EXPECT_EQ(MS(11), rs_next_event(d, MS(5)));
	rs_tick(d, MS(11) - 1);
	EXPECT_EQ(self->a->id, d->table.slot[0].owner);
	rs_tick(d, MS(11));
	EXPECT_EQ(self->x->id, d->table.slot[0].owner);
	EXPECT_EQ(2, count(self->b, EV_SWITCH));
	ASSERT_EQ(0, rs_set_table(d, &empty, MS(12)));
	rs_tick(d, MS(21));
	EXPECT_EQ(0, d->table.nslots);
	EXPECT_EQ(0, rs_config_set(d, RS_PARAM_FRAME, MS(20), MS(21)));
}

TEST_F(core, table_is_validated)
{
	struct rs_table *tab = calloc(1, sizeof(*tab));
	struct rs_dev *d = self->d;

	tab->nslots = 2;
	tab->slot[0] = (struct rs_slot){ MS(2), MS(2), self->a->id, 0 };
	tab->slot[1] = (struct rs_slot){ MS(1), MS(1), self->x->id, 0 };
	EXPECT_EQ(-RS_EINVAL, rs_table_check(d, tab));	/* unsorted */
	tab->slot[1] = (struct rs_slot){ MS(3), MS(1), self->x->id, 0 };
	EXPECT_EQ(-RS_EINVAL, rs_table_check(d, tab));	/* overlap */
	tab->slot[1] = (struct rs_slot){ MS(4), MS(7), self->x->id, 0 };
	EXPECT_EQ(-RS_EINVAL, rs_table_check(d, tab));	/* past the frame */
	tab->slot[1] = (struct rs_slot){ MS(4), 0, self->x->id, 0 };
	EXPECT_EQ(-RS_EINVAL, rs_table_check(d, tab));	/* empty slot */
	tab->slot[1] = (struct rs_slot){ MS(4), MS(1), self->x->id, 1 };
	EXPECT_EQ(-RS_EINVAL, rs_table_check(d, tab));	/* flags */
	tab->slot[1] = (struct rs_slot){ MS(4), MS(1), 4242, 0 };
	EXPECT_EQ(-RS_ENOENT, rs_table_check(d, tab));
	tab->slot[1] = (struct rs_slot){ MS(4), RS_TIME_MAX - MS(1), self->x->id, 0 };
	EXPECT_EQ(-RS_EINVAL, rs_table_check(d, tab));	/* wraps */
	tab->slot[1] = (struct rs_slot){ MS(4), MS(6), self->x->id, 0 };
	EXPECT_EQ(0, rs_table_check(d, tab));
	tab->frame = MS(20);
	EXPECT_EQ(-RS_EINVAL, rs_table_check(d, tab));
	tab->frame = 0;
	tab->nslots = RS_MAX_SLOTS + 1;
	EXPECT_EQ(-RS_EINVAL, rs_set_table(d, tab, 0));
	EXPECT_EQ(0, d->has_pending);
	free(tab);
}

TEST_F(core, overrun_revoke_hands_the_device_on)
{
	struct rs_dev *d = self->d;

	ASSERT_EQ(0, rs_config_set(d, RS_PARAM_POLICY, RS_POLICY_EDF, 0));
	ASSERT_EQ(0, rs_request(d, self->a, MS(1), 0));
	ASSERT_EQ(0, rs_request(d, self->x, MS(1), US(10)));
	EXPECT_EQ(MS(2) + 1, rs_next_event(d, US(10)));
	rs_tick(d, MS(2));
	EXPECT_EQ(0, count(self->b, EV_OVERRUN));
	rs_tick(d, MS(2) + 1);
	EXPECT_EQ(1, count(self->b, EV_OVERRUN));
	EXPECT_EQ(1, count(self->b, EV_REVOKE));
	EXPECT_EQ(RS_TASK_HOLDING, self->x->state);
	EXPECT_EQ(-RS_ENOLCK, rs_release(d, self->a, 0, MS(3), NULL));
}

TEST_F(core, overrun_log_keeps_the_lease_and_reports_once)
{
	struct rs_dev *d = self->d;

	ASSERT_EQ(0, rs_config_set(d, RS_PARAM_OVERRUN_ACTION, RS_OVERRUN_LOG, 0));
	ASSERT_EQ(0, rs_config_set(d, RS_PARAM_POLICY, RS_POLICY_EDF, 0));
	ASSERT_EQ(0, rs_request(d, self->a, MS(1), 0));
	ASSERT_EQ(0, rs_request(d, self->x, MS(1), 0));
	rs_tick(d, MS(3));
	rs_tick(d, MS(4));
	EXPECT_EQ(1, count(self->b, EV_OVERRUN));
	EXPECT_EQ(0, count(self->b, EV_REVOKE));
	EXPECT_EQ(RS_TASK_WAITING, self->x->state);
	EXPECT_EQ(RS_TIME_MAX, rs_next_event(d, MS(4)));
	EXPECT_EQ(0, rs_release(d, self->a, 0, MS(5), NULL));
	EXPECT_EQ(RS_TASK_HOLDING, self->x->state);
}

TEST_F(core, overrun_throttle_empties_the_budget)
{
	struct rs_dev *d = self->d;

	ASSERT_EQ(0, rs_config_set(d, RS_PARAM_OVERRUN_ACTION, RS_OVERRUN_THROTTLE, 0));
	ASSERT_EQ(0, rs_config_set(d, RS_PARAM_POLICY, RS_POLICY_EDF, 0));
	ASSERT_EQ(0, rs_set_reservation(d, self->a, MS(3), MS(10), MS(10), 0, 0));
	ASSERT_EQ(0, rs_request(d, self->a, MS(1), 0));
	EXPECT_EQ(MS(3), self->a->lease_end);
	rs_tick(d, MS(5));
	EXPECT_EQ(1, count(self->b, EV_REVOKE));
	EXPECT_EQ(0, self->a->budget);
	ASSERT_EQ(0, rs_request(d, self->a, MS(1), MS(6)));
	EXPECT_EQ(RS_TASK_WAITING, self->a->state);
	rs_tick(d, MS(10));
	EXPECT_EQ(RS_TASK_HOLDING, self->a->state);
}

/*
 * Reclaim: the phase-lock it exists for.  A job delayed once makes the
 * server period start mid-job; each later job then finds too little
 * budget left for a kernel and, without reclaim, waits for a refill.
 */
TEST_F(core, reclaim_serves_a_spent_reservation_as_best_effort)
{
	struct rs_dev *d = self->d;

	ASSERT_EQ(-RS_EINVAL, rs_config_set(d, RS_PARAM_RECLAIM, 2, 0));
	ASSERT_EQ(0, rs_config_set(d, RS_PARAM_POLICY, RS_POLICY_EDF, 0));
	ASSERT_EQ(0, rs_set_reservation(d, self->a, MS(5), MS(16), MS(33), 10, 0));
	ASSERT_EQ(0, rs_request(d, self->a, MS(1), MS(100)));
	ASSERT_EQ(0, rs_release(d, self->a, 0, MS(104) + US(500), NULL));
	EXPECT_EQ(US(500), self->a->budget);
	/* The next job, in the same period: 0.5 ms left for a 1 ms kernel. */
	ASSERT_EQ(0, rs_request(d, self->a, MS(1), MS(110)));
	EXPECT_EQ(RS_TASK_WAITING, self->a->state);
	ASSERT_EQ(0, rs_config_set(d, RS_PARAM_RECLAIM, 1, MS(111)));
	EXPECT_EQ(1, rs_config_get(d, RS_PARAM_RECLAIM));
	EXPECT_EQ(RS_TASK_HOLDING, self->a->state);
	/* As long as the work asked for, not the budget. */
	EXPECT_EQ(MS(112), self->a->lease_end);
	ASSERT_EQ(0, rs_release(d, self->a, 0, MS(112), NULL));
	EXPECT_EQ(0, self->a->budget);
}

TEST_F(core, reclaim_comes_after_budgets_and_before_best_effort)
{
	struct rs_dev *d = self->d;

	ASSERT_EQ(0, rs_config_set(d, RS_PARAM_POLICY, RS_POLICY_EDF, 0));
	ASSERT_EQ(0, rs_config_set(d, RS_PARAM_RECLAIM, 1, 0));
	ASSERT_EQ(0, rs_set_reservation(d, self->a, MS(2), MS(10), MS(10), 0, 0));
	ASSERT_EQ(0, rs_set_reservation(d, self->x, MS(2), MS(50), MS(50), 0, 0));
	/* a spends its budget, then asks again while c (best effort) holds. */
	ASSERT_EQ(0, rs_request(d, self->a, MS(1), 0));
	ASSERT_EQ(0, rs_release(d, self->a, 0, MS(2), NULL));
	ASSERT_EQ(0, rs_request(d, self->c, MS(1), MS(2)));
	EXPECT_EQ(RS_TASK_HOLDING, self->c->state);
	ASSERT_EQ(0, rs_request(d, self->a, MS(1), MS(3)));
	/* Ahead of best effort: the holder is asked to give way. */
	EXPECT_EQ(1, self->c->yield);
	ASSERT_EQ(0, rs_request(d, self->x, MS(1), MS(3)));
	/* x has a budget: served first although a's deadline is earlier. */
	ASSERT_EQ(0, rs_release(d, self->c, 0, MS(3) + US(100), NULL));
	EXPECT_EQ(RS_TASK_HOLDING, self->x->state);
	EXPECT_EQ(RS_TASK_WAITING, self->a->state);
	ASSERT_EQ(0, rs_request(d, self->c, MS(1), MS(3) + US(200)));
	/* A budgeted holder never gives way to reclaimed time. */
	EXPECT_EQ(0, self->x->yield);
	ASSERT_EQ(0, rs_release(d, self->x, 0, MS(4), NULL));
	EXPECT_EQ(RS_TASK_HOLDING, self->a->state);
	EXPECT_EQ(1, self->a->background);
	/* A budgeted waiter takes the device back from reclaimed time. */
	ASSERT_EQ(0, rs_request(d, self->x, MS(1), MS(4) + US(100)));
	EXPECT_EQ(1, self->a->yield);
}

TEST_F(core, reclaim_never_serves_a_throttled_task)
{
	struct rs_dev *d = self->d;

	ASSERT_EQ(0, rs_config_set(d, RS_PARAM_OVERRUN_ACTION, RS_OVERRUN_THROTTLE, 0));
	ASSERT_EQ(0, rs_config_set(d, RS_PARAM_POLICY, RS_POLICY_EDF, 0));
	ASSERT_EQ(0, rs_config_set(d, RS_PARAM_RECLAIM, 1, 0));
	ASSERT_EQ(0, rs_set_reservation(d, self->a, MS(3), MS(10), MS(10), 0, 0));
	ASSERT_EQ(0, rs_request(d, self->a, MS(1), 0));
	rs_tick(d, MS(5));
	EXPECT_EQ(1, count(self->b, EV_REVOKE));
	ASSERT_EQ(0, rs_request(d, self->a, MS(1), MS(6)));
	EXPECT_EQ(RS_TASK_WAITING, self->a->state);
	rs_tick(d, MS(10));
	EXPECT_EQ(RS_TASK_HOLDING, self->a->state);
	EXPECT_EQ(0, self->a->background);
}

TEST_F(core, lease_bounds_are_validated)
{
	struct rs_dev *d = self->d;

	EXPECT_EQ(RS_LEASE_MAX_MAX_NS, rs_config_get(d, RS_PARAM_BE_MAX));
	EXPECT_EQ(-RS_EINVAL, rs_config_set(d, RS_PARAM_BE_MAX, 0, 0));
	EXPECT_EQ(-RS_EINVAL, rs_config_set(d, RS_PARAM_BE_MAX, RS_LEASE_MAX_MIN_NS - 1, 0));
	EXPECT_EQ(-RS_EINVAL, rs_config_set(d, RS_PARAM_BE_MAX, RS_LEASE_MAX_MAX_NS + 1, 0));
	EXPECT_EQ(RS_LEASE_MAX_MAX_NS, rs_config_get(d, RS_PARAM_BE_MAX));
	EXPECT_EQ(0, rs_config_set(d, RS_PARAM_BE_MAX, MS(2), 0));
	EXPECT_EQ(MS(2), rs_config_get(d, RS_PARAM_BE_MAX));

	EXPECT_EQ(-RS_EINVAL, rs_set_lease_max(d, self->a, RS_LEASE_MAX_MIN_NS - 1, 0));
	EXPECT_EQ(-RS_EINVAL, rs_set_lease_max(d, self->a, RS_LEASE_MAX_MAX_NS + 1, 0));
	EXPECT_EQ(MS(2), rs_lease_bound(d, self->a));
	EXPECT_EQ(0, rs_set_lease_max(d, self->a, MS(18), 0));
	EXPECT_EQ(MS(18), rs_lease_bound(d, self->a));
	EXPECT_EQ(0, rs_set_lease_max(d, self->a, 0, 0));
	EXPECT_EQ(MS(2), rs_lease_bound(d, self->a));
	/* A reservation without a bound of its own has its budget alone. */
	ASSERT_EQ(0, rs_set_reservation(d, self->x, MS(5), MS(10), MS(10), 0, 0));
	EXPECT_EQ(RS_TIME_MAX, rs_lease_bound(d, self->x));
}

TEST_F(core, best_effort_work_past_its_bound_is_refused)
{
	struct rs_dev *d = self->d;

	ASSERT_EQ(0, rs_config_set(d, RS_PARAM_GUARD, US(20), 0));
	ASSERT_EQ(0, rs_config_set(d, RS_PARAM_BE_MAX, MS(2), 0));
	EXPECT_EQ(-RS_E2BIG, rs_request(d, self->a, MS(2) + 1, 0));
	EXPECT_EQ(RS_TASK_IDLE, self->a->state);
	/* Exactly the bound: a lease of the work and the guard, no longer. */
	ASSERT_EQ(0, rs_request(d, self->a, MS(2), 0));
	EXPECT_EQ(MS(2) + US(20), self->a->lease_end);
	/* A renewal past it is refused too, and the lease is kept. */
	EXPECT_EQ(-RS_E2BIG, rs_renew(d, self->a, MS(3), US(500)));
	EXPECT_EQ(RS_TASK_HOLDING, self->a->state);
	ASSERT_EQ(0, rs_release(d, self->a, 0, MS(1), NULL));
	/* The task's own bound comes before the device's, either way. */
	ASSERT_EQ(0, rs_set_lease_max(d, self->x, MS(18), MS(1)));
	ASSERT_EQ(0, rs_request(d, self->x, MS(18), MS(1)));
	EXPECT_EQ(MS(19) + US(20), self->x->lease_end);
	ASSERT_EQ(0, rs_release(d, self->x, 0, MS(19), NULL));
	ASSERT_EQ(0, rs_set_lease_max(d, self->c, US(500), MS(19)));
	EXPECT_EQ(-RS_E2BIG, rs_request(d, self->c, MS(1), MS(19)));
	EXPECT_EQ(0, self->b->rule_broken);
}

TEST_F(core, a_bounded_reservation_leases_no_more_than_its_bound)
{
	struct rs_dev *d = self->d;

	ASSERT_EQ(0, rs_config_set(d, RS_PARAM_POLICY, RS_POLICY_EDF, 0));
	ASSERT_EQ(0, rs_config_set(d, RS_PARAM_GUARD, US(20), 0));
	ASSERT_EQ(0, rs_set_reservation(d, self->a, MS(20), MS(50), MS(50), 0, 0));
	ASSERT_EQ(0, rs_set_lease_max(d, self->a, MS(6), 0));
	EXPECT_EQ(-RS_E2BIG, rs_request(d, self->a, MS(7), 0));
	ASSERT_EQ(0, rs_request(d, self->a, MS(4), 0));
	/* The bound's worth of work, not the 20 ms budget. */
	EXPECT_EQ(MS(6) + US(20), self->a->lease_end);
	ASSERT_EQ(0, rs_renew(d, self->a, MS(4), MS(5)));
	EXPECT_EQ(MS(11) + US(20), self->a->lease_end);
	/* Less budget than the bound: the budget ends the lease. */
	ASSERT_EQ(0, rs_renew(d, self->a, MS(4), MS(14)));
	EXPECT_EQ(MS(20), self->a->lease_end);
	EXPECT_EQ(0, self->b->rule_broken);
}

TEST_F(core, detach_frees_lease_wait_and_slots)
{
	struct rs_dev *d = self->d;
	struct rs_slot s[] = { { 0, MS(10), self->a->id, 0 } };

	set_table(self->b, 0, 1, s);
	ASSERT_EQ(0, rs_request(d, self->a, MS(1), 0));
	ASSERT_EQ(0, rs_request(d, self->x, MS(1), 0));
	ASSERT_EQ(0, rs_request(d, self->c, MS(1), 0));
	rs_task_detach(d, self->c, US(10));	/* a waiter leaves */
	EXPECT_EQ(2, d->ntasks);
	rs_task_detach(d, self->a, US(20));	/* the holder dies */
	EXPECT_EQ(1, d->ntasks);
	EXPECT_EQ(NULL, rs_task_find(d, s[0].owner));
	/* Its slot belongs to nobody now: the waiter gets it at once. */
	EXPECT_EQ(RS_TASK_HOLDING, self->x->state);
	EXPECT_EQ(self->x, d->holder);
	rs_task_detach(d, self->x, US(30));
	EXPECT_EQ(NULL, d->tasks);
	EXPECT_EQ(NULL, d->holder);
}

TEST_F(core, a_more_urgent_waiter_asks_the_holder_to_yield)
{
	struct rs_dev *d = self->d;

	ASSERT_EQ(0, rs_config_set(d, RS_PARAM_POLICY, RS_POLICY_EDF, 0));
	ASSERT_EQ(0, rs_set_reservation(d, self->x, MS(1), MS(5), MS(10), 0, 0));
	ASSERT_EQ(0, rs_set_reservation(d, self->c, MS(1), MS(8), MS(10), 0, 0));
	ASSERT_EQ(0, rs_request(d, self->c, US(100), 0));
	/* A best-effort waiter does not precede a reserved holder. */
	ASSERT_EQ(0, rs_request(d, self->a, US(100), US(10)));
	EXPECT_EQ(0, count(self->b, EV_YIELD));
	/* An earlier deadline does: once, and the lease end stays. */
	ASSERT_EQ(0, rs_request(d, self->x, US(100), US(20)));
	EXPECT_EQ(1, count(self->b, EV_YIELD));
	EXPECT_EQ(1, self->c->yield);
	EXPECT_EQ(MS(1), self->c->lease_end);
	rs_tick(d, US(30));
	EXPECT_EQ(1, count(self->b, EV_YIELD));
	/* Renewing hands the device to x; c queues again behind it. */
	ASSERT_EQ(0, rs_renew(d, self->c, US(100), US(100)));
	EXPECT_EQ(self->x, d->holder);
	EXPECT_EQ(RS_TASK_WAITING, self->c->state);
	EXPECT_EQ(0, self->x->yield);
}

TEST_F(core, renew_keeps_the_device_for_the_most_urgent)
{
	struct rs_dev *d = self->d;
	rs_u64 gen;

	ASSERT_EQ(0, rs_config_set(d, RS_PARAM_POLICY, RS_POLICY_EDF, 0));
	ASSERT_EQ(0, rs_set_reservation(d, self->x, MS(1), MS(5), MS(10), 0, 0));
	ASSERT_EQ(0, rs_request(d, self->x, US(100), 0));
	ASSERT_EQ(0, rs_request(d, self->a, US(100), US(10)));
	gen = self->x->generation;
	ASSERT_EQ(0, rs_renew(d, self->x, US(100), US(100)));
	EXPECT_EQ(self->x, d->holder);
	EXPECT_EQ(gen + 1, self->x->generation);
	EXPECT_EQ(US(100), self->x->stats.held_total);
	/* Errors leave the lease alone. */
	EXPECT_EQ(-RS_EINVAL, rs_renew(d, self->x, 0, US(150)));
	EXPECT_EQ(-RS_E2BIG, rs_renew(d, self->x, MS(2), US(150)));
	EXPECT_EQ(self->x, d->holder);
	/* A waiting task cannot renew; an idle one simply requests. */
	EXPECT_EQ(-RS_EBUSY, rs_renew(d, self->a, US(100), US(150)));
	ASSERT_EQ(0, rs_release(d, self->x, 0, US(200), NULL));
	ASSERT_EQ(0, rs_release(d, self->a, 0, US(300), NULL));
	EXPECT_EQ(0, rs_renew(d, self->c, US(100), US(400)));
	EXPECT_EQ(self->c, d->holder);
}

TEST_F(core, an_owner_in_its_slot_never_yields)
{
	struct rs_dev *d = self->d;
	struct rs_slot s[] = { { 0, MS(5), self->a->id, 0 } };

	ASSERT_EQ(0, rs_set_reservation(d, self->x, MS(1), MS(2), MS(10), 0, 0));
	set_table(self->b, 0, 1, s);
	ASSERT_EQ(0, rs_request(d, self->a, US(100), 0));
	ASSERT_EQ(0, rs_request(d, self->x, US(100), US(10)));
	EXPECT_EQ(0, count(self->b, EV_YIELD));
	/* In slack the owner of the slot comes first. */
	ASSERT_EQ(0, rs_release(d, self->a, 0, US(20), NULL));
	EXPECT_EQ(self->x, d->holder);
	ASSERT_EQ(0, rs_request(d, self->a, US(100), US(30)));
	EXPECT_EQ(1, count(self->b, EV_YIELD));
}

/*
 * Random operations on random tables and reservations: whatever happens,
 * one holder at most, every grant obeys the grant rule, no grant lands in
 * another task's un-reclaimed slot, and a free device never leaves a
 * waiter that fits behind.
 */
TEST(random_operations_keep_the_invariants)
{
	struct bench *b = calloc(1, sizeof(*b));
	unsigned int seed = 12345;
	rs_u64 now = MS(1);
	int round, step, grants = 0;

	for (round = 0; round < 200; round++) {
		struct rs_dev *d = &b->d;
		int i, pol = rand_r(&seed) % 3;

		setup_bench(b, NTASK);
		ASSERT_EQ(0, rs_config_set(d, RS_PARAM_GUARD, US(rand_r(&seed) % 300), now));
		ASSERT_EQ(0, rs_config_set(d, RS_PARAM_POLICY, pol, now));
		for (i = 0; i < NTASK / 2; i++)
			rs_set_reservation(d, &b->t[i], MS(1), MS(1 + rand_r(&seed) % 20),
					   MS(20), rand_r(&seed) % 100, now);
		if (pol == RS_POLICY_TABLE) {
			struct rs_slot s[4];
			rs_u64 at = 0;

			for (i = 0; i < 4; i++) {
				s[i].start = at + US(rand_r(&seed) % 500);
				s[i].len = MS(1) + US(rand_r(&seed) % 1000);
				s[i].owner = rand_r(&seed) % 3 ? b->t[rand_r(&seed) % NTASK].id : 0;
				s[i].flags = 0;
				at = s[i].start + s[i].len;
			}
			set_table(b, now, 4, s);
		}
		for (step = 0; step < 300; step++) {
			struct rs_task *t = &b->t[rand_r(&seed) % NTASK];
			rs_u64 next;
			int nholders = 0, nev = b->nev;

			now += US(rand_r(&seed) % 700);
			switch (t->state) {
			case RS_TASK_IDLE:
				rs_request(d, t, US(50 + rand_r(&seed) % 900), now);
				break;
			case RS_TASK_WAITING:
				if (rand_r(&seed) % 8 == 0)
					rs_cancel(d, t, now);
				break;
			default:
				if (rand_r(&seed) % 3)
					rs_release(d, t, 0, now, NULL);
				else
					rs_renew(d, t, US(50 + rand_r(&seed) % 900), now);
			}
			next = rs_next_event(d, now);
			if (next <= now + MS(3))
				rs_tick(d, next > now ? (now = next) : now);

			for (i = 0; i < NTASK; i++)
				nholders += b->t[i].state == RS_TASK_HOLDING;
			ASSERT_GE(1, nholders);
			ASSERT_EQ(0, b->rule_broken);
			for (i = nev; i < b->nev; i++) {
				struct rs_slot_at at;
				struct rs_task *o;

				if (b->ev[i].kind != EV_GRANT)
					continue;
				grants++;
				if (pol != RS_POLICY_TABLE)
					continue;
				ASSERT_EQ(0, rs_slot_at(d, b->ev[i].now, &at));
				o = rs_task_find(d, at.owner);
				if (o && o->id != b->ev[i].id)
					ASSERT_GT(d->reclaim_end, b->ev[i].now);
				ASSERT_GE(at.end, b->ev[i].val);
			}
			if (!d->holder && pol == RS_POLICY_EDF) {
				for (i = 0; i < NTASK; i++) {
					t = &b->t[i];
					if (t->state == RS_TASK_WAITING && !t->runtime)
						ASSERT_EQ(0, 1);
				}
			}
			if (b->nev > NEV - 16)
				b->nev = 0;
		}
	}
	/* The walk really exercised the grant path. */
	ASSERT_LT(1000, grants);
	free(b);
}

TEST_HARNESS_MAIN
