// SPDX-License-Identifier: GPL-2.0
/*
 * Slot tables: a task is granted only inside its own slots, slack and gaps
 * go to anyone, no grant straddles its slot's end (the guard), an owner
 * that finishes early leaves the rest as slack, and tables change only at
 * frame boundaries.  Slot bounds come from the table read back from sysfs
 * and the epoch from the rtslot_table_switch event, in CLOCK_MONOTONIC.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "rtslot_test.h"

struct tab_ctx {
	struct rt_config saved;
	int fd;				/* task A */
	uint32_t a;
	int other;			/* task B: owns slots, never asks */
	uint32_t b;
	const struct rtslot_lease_page *page;
	struct rt_group *g;
	/* The running table. */
	uint64_t epoch, frame;
	struct rtslot_slot slot[RTSLOT_MAX_SLOTS];
	int nslots;
};

static void tab_setup(struct __test_metadata *_metadata, struct tab_ctx *self)
{
	ASSERT_EQ(0, rt_setup(&self->saved));
	ASSERT_EQ(0, rt_attr_write("policy", "table"));
	ASSERT_EQ(0, rt_attr_write("overrun_action", "log"));
	self->fd = rt_open_task("A", &self->a);
	ASSERT_LE(0, self->fd);
	self->other = rt_open_task("B", &self->b);
	ASSERT_LE(0, self->other);
	self->page = rt_map_page(self->fd);
	ASSERT_NE(NULL, self->page);
	self->g = rt_shared(sizeof(*self->g));
	ASSERT_NE(NULL, self->g);
}

static void tab_teardown(struct __test_metadata *_metadata, struct tab_ctx *self)
{
	close(self->fd);
	close(self->other);
	rt_trace_end();
	EXPECT_EQ(0, rt_config_apply(&self->saved));
}

FIXTURE(table) {
	struct tab_ctx c;
};

FIXTURE_SETUP(table)
{
	tab_setup(_metadata, &self->c);
}

FIXTURE_TEARDOWN(table)
{
	tab_teardown(_metadata, &self->c);
}

/* The guard cases, once per way of getting a 10 ms guard. */
FIXTURE(guard) {
	struct tab_ctx c;
};

FIXTURE_VARIANT(guard) {
	const char *guard_us, *preempt_mode, *latency_us;
};

FIXTURE_VARIANT_ADD(guard, guard_us) {
	.guard_us = "10000", .preempt_mode = "launch", .latency_us = "50000",
};

FIXTURE_VARIANT_ADD(guard, instruction_latency) {
	.guard_us = "4000", .preempt_mode = "instruction", .latency_us = "6000",
};

FIXTURE_SETUP(guard)
{
	tab_setup(_metadata, &self->c);
}

FIXTURE_TEARDOWN(guard)
{
	tab_teardown(_metadata, &self->c);
}

/* Install a table on an idle device and learn where its frames lie. */
static void start_table(struct __test_metadata *_metadata, struct tab_ctx *self,
			uint64_t frame, const struct rtslot_slot *slots, int n)
{
	uint64_t before, after, v;
	const char *ev;
	char *buf;
	int i;

	ASSERT_EQ(0, rt_attr_set_u64("frame_us", frame / 1000));
	ASSERT_EQ(0, rt_trace_begin());
	before = rt_now();
	ASSERT_EQ(0, rt_set_table(self->fd, slots, n));
	after = rt_now();
	buf = rt_trace_read();
	ASSERT_NE(NULL, buf);
	ev = rt_trace_find(buf, "rtslot_table_switch", 0);
	ASSERT_NE(NULL, ev);
	ASSERT_EQ(0, rt_field_u64(ev, "epoch_ns", &self->epoch));
	ASSERT_EQ(0, rt_field_u64(ev, "frame_ns", &v));
	EXPECT_EQ(frame, v);
	ASSERT_EQ(0, rt_field_u64(ev, "nslots", &v));
	EXPECT_EQ(n, v);
	free(buf);
	/* With no table running, the new one starts when it is set. */
	EXPECT_LE(before, self->epoch);
	EXPECT_GE(after, self->epoch);

	self->frame = frame;
	self->nslots = rt_slots_read(self->slot, RTSLOT_MAX_SLOTS);
	ASSERT_EQ(n, self->nslots);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(slots[i].start_ns, self->slot[i].start_ns);
		EXPECT_EQ(slots[i].length_ns, self->slot[i].length_ns);
		EXPECT_EQ(slots[i].task_id, self->slot[i].task_id);
	}
}

struct region {
	int idx;			/* -1 for a gap */
	uint32_t owner;
	uint64_t start, end;
};

/* The slot or gap of the table that contains time t. */
static struct region region_at(struct tab_ctx *self, uint64_t t)
{
	uint64_t base = self->epoch + (t - self->epoch) / self->frame * self->frame;
	uint64_t off = t - base, prev_end = 0;
	struct region r = { .idx = -1 };
	int i;

	for (i = 0; i < self->nslots; i++) {
		const struct rtslot_slot *s = &self->slot[i];

		if (off < s->start_ns) {
			r.start = base + prev_end;
			r.end = base + s->start_ns;
			return r;
		}
		if (off < s->start_ns + s->length_ns) {
			r.idx = i;
			r.owner = s->task_id;
			r.start = base + s->start_ns;
			r.end = r.start + s->length_ns;
			return r;
		}
		prev_end = s->start_ns + s->length_ns;
	}
	r.start = base + prev_end;
	r.end = base + self->frame;
	return r;
}

/* Sleep until @phase into a frame (the next one when that has passed). */
static uint64_t wait_phase(struct tab_ctx *self, uint64_t phase)
{
	uint64_t now = rt_now();
	uint64_t base = self->epoch + (now - self->epoch) / self->frame * self->frame;
	uint64_t at = base + phase;

	if (at < now)
		at += self->frame;
	rt_sleep(at - now);
	return rt_now();
}

/* One request by task A at @phase: granted ns, and the lease end. */
static void request_at(struct __test_metadata *_metadata, struct tab_ctx *self,
		       uint64_t phase, uint64_t est, uint64_t *granted, uint64_t *end)
{
	struct rtslot_lease_request out;
	struct rtslot_lease_page snap;
	uint64_t asked = wait_phase(self, phase);

	ASSERT_EQ(0, rt_request(self->fd, est, SEC(10), &out));
	/* Woken by the grant at the slot boundary, not by the timeout. */
	ASSERT_GT(asked + SEC(10), rt_now());
	rt_page_read(self->page, &snap);
	ASSERT_EQ(0, rt_release(self->fd, 0, NULL));
	*granted = snap.granted_ns;
	*end = out.lease_end_ns;
}

TEST_F_TIMEOUT(table, owner_only_in_own_slots, 120)
{
	struct tab_ctx *t = &self->c;
	const struct rtslot_slot tab[] = {
		{ .start_ns = 0, .length_ns = MSEC(100), .task_id = t->a },
		{ .start_ns = MSEC(100), .length_ns = MSEC(100), .task_id = t->b },
	};
	uint64_t granted, end;
	struct region r;
	int i;

	start_table(_metadata, t, MSEC(200), tab, 2);
	/* Asked inside B's slot half of the time: those must wait for A's. */
	for (i = 0; i < 10; i++) {
		request_at(_metadata, t, MSEC(i * 23 % 200), MSEC(10), &granted, &end);
		r = region_at(t, granted);
		TH_LOG("round %d: slot %d, %llu ns into it", i, r.idx,
		       (unsigned long long)(granted - r.start));
		EXPECT_EQ(0, r.idx);
		EXPECT_EQ(t->a, r.owner);
		EXPECT_EQ(r.end, end);
		EXPECT_LE(granted + MSEC(10), end);
	}
}

TEST_F_TIMEOUT(table, slack_and_gaps_go_to_anyone, 120)
{
	struct tab_ctx *t = &self->c;
	/* B owns the first slot and never asks; A has none. */
	const struct rtslot_slot tab[] = {
		{ .start_ns = 0, .length_ns = MSEC(80), .task_id = t->b },
		{ .start_ns = MSEC(100), .length_ns = MSEC(60), .task_id = RTSLOT_SLOT_SLACK },
	};
	uint64_t granted, end;
	struct region r;
	int i, in_slack = 0;

	start_table(_metadata, t, MSEC(200), tab, 2);
	for (i = 0; i < 10; i++) {
		request_at(_metadata, t, MSEC(i * 20), MSEC(10), &granted, &end);
		r = region_at(t, granted);
		TH_LOG("round %d: slot %d", i, r.idx);
		EXPECT_NE(0, r.idx);
		EXPECT_EQ(0, r.owner);
		/* Slack leases are exactly as long as the work asked for. */
		EXPECT_EQ(granted + MSEC(10), end);
		EXPECT_LE(end, r.end);
		in_slack += r.idx == 1;
	}
	/* Phases 100..150 ms land in the slack slot proper at least once. */
	EXPECT_LT(0, in_slack);
}

TEST_F_TIMEOUT(guard, never_straddles_slot_end, 120)
{
	struct tab_ctx *t = &self->c;
	const struct rtslot_slot tab[] = {
		{ .start_ns = 0, .length_ns = MSEC(100), .task_id = t->a },
		{ .start_ns = MSEC(100), .length_ns = MSEC(100), .task_id = t->b },
	};
	struct rtslot_lease_request out;
	struct rtslot_lease_page snap;
	uint64_t granted, end;
	struct region r;
	int i;

	start_table(_metadata, t, MSEC(200), tab, 2);
	ASSERT_EQ(0, rt_attr_write("guard_us", variant->guard_us));
	ASSERT_EQ(0, rt_attr_write("preempt_latency_us", variant->latency_us));
	ASSERT_EQ(0, rt_attr_write("preempt_mode", variant->preempt_mode));
	rt_page_read(t->page, &snap);
	ASSERT_EQ(MSEC(10), snap.guard_ns);

	/* Phases 0..175 ms: late in A's slot 30 ms of work no longer fits. */
	for (i = 0; i < 8; i++) {
		request_at(_metadata, t, MSEC(i * 25), MSEC(30), &granted, &end);
		r = region_at(t, granted);
		TH_LOG("round %d: granted %llu ns into slot %d", i,
		       (unsigned long long)(granted - r.start), r.idx);
		EXPECT_EQ(0, r.idx);
		EXPECT_EQ(r.end, end);
		EXPECT_LE(granted + MSEC(30) + MSEC(10), end);
	}
	/* 95 ms fits in the 100 ms slot, but not with the guard: never granted. */
	EXPECT_EQ(-ETIME, rt_request(t->fd, MSEC(95), MSEC(600), &out));
}

TEST_F_TIMEOUT(table, early_release_leaves_slack, 120)
{
	struct tab_ctx *t = &self->c;
	const struct rtslot_slot tab[] = {
		{ .start_ns = 0, .length_ns = MSEC(600), .task_id = t->a },
		{ .start_ns = MSEC(600), .length_ns = MSEC(400), .task_id = t->b },
	};
	struct rt_waiter *c = &t->g->w[0];
	struct rtslot_lease_request out;
	struct rtslot_lease_page snap;
	uint64_t r0, r1, released;
	struct region r;
	pid_t pid;

	start_table(_metadata, t, SEC(1), tab, 2);
	ASSERT_EQ(0, rt_stat("reclaims", &r0));
	/* C has no slot and there is no slack: it can only wait. */
	c->est = MSEC(20);
	c->timeout = SEC(20);
	pid = rt_start_waiter(t->g, 0);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, rt_wait_task_state(c->id, "waiting", RT_SETTLE));

	/* A takes its slot with plenty left, and gives it back at once. */
	ASSERT_EQ(0, rt_request(t->fd, MSEC(300), SEC(10), &out));
	rt_page_read(t->page, &snap);
	ASSERT_EQ(0, rt_release(t->fd, 0, NULL));
	released = rt_now();
	ASSERT_EQ(0, rt_reap(pid, SEC(30)));
	ASSERT_EQ(0, c->err);
	EXPECT_TRUE(rt_woken_in_time(c));

	r = region_at(t, c->granted_ns);
	EXPECT_EQ(0, r.idx);
	EXPECT_EQ(out.lease_end_ns, r.end);
	EXPECT_LE(snap.granted_ns, c->granted_ns);
	EXPECT_GE(released, c->granted_ns);
	EXPECT_EQ(c->granted_ns + MSEC(20), c->lease_end_ns);
	EXPECT_LE(c->lease_end_ns, out.lease_end_ns);
	ASSERT_EQ(0, rt_stat("reclaims", &r1));
	EXPECT_EQ(r0 + 1, r1);
}

TEST_F_TIMEOUT(table, departed_owner_slots_become_slack, 60)
{
	struct tab_ctx *t = &self->c;
	const struct rtslot_slot tab[] = {
		{ .start_ns = 0, .length_ns = MSEC(100), .task_id = t->a },
		{ .start_ns = MSEC(100), .length_ns = MSEC(100), .task_id = t->b },
	};
	struct rt_waiter *c = &t->g->w[0];
	pid_t pid;

	start_table(_metadata, t, MSEC(200), tab, 2);
	c->est = MSEC(10);
	c->timeout = SEC(20);
	pid = rt_start_waiter(t->g, 0);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, rt_wait_task_state(c->id, "waiting", RT_SETTLE));
	rt_sleep(MSEC(250));
	EXPECT_EQ(0, c->order);
	/* The mapping holds the file open too. */
	munmap((void *)t->page, getpagesize());
	close(t->fd);
	close(t->other);
	t->fd = t->other = -1;
	ASSERT_EQ(0, rt_reap(pid, SEC(30)));
	EXPECT_EQ(0, c->err);
	EXPECT_EQ(1, c->order);
	EXPECT_TRUE(rt_woken_in_time(c));
}

TEST_F_TIMEOUT(table, replaced_at_frame_boundary, 60)
{
	struct tab_ctx *t = &self->c;
	const struct rtslot_slot t1[] = {
		{ .start_ns = 0, .length_ns = MSEC(500), .task_id = t->a },
	};
	const struct rtslot_slot t2[] = {
		{ .start_ns = MSEC(500), .length_ns = MSEC(500), .task_id = t->a },
	};
	const struct rtslot_slot t3[] = {
		{ .start_ns = 0, .length_ns = MSEC(300), .task_id = t->b },
		{ .start_ns = MSEC(400), .length_ns = MSEC(300), .task_id = t->a },
	};
	struct rtslot_slot now[2];
	uint64_t before, after, epoch2, v, sw0, sw1, end;
	const char *ev;
	char *buf;
	int tries, n;

	start_table(_metadata, t, SEC(1), t1, 1);
	ASSERT_EQ(0, rt_stat("table_switches", &sw0));
	/* Two tables within one frame: only the last one is taken, once. */
	for (tries = 0; tries < 3; tries++) {
		before = wait_phase(t, MSEC(100));
		ASSERT_EQ(0, rt_set_table(t->fd, t2, 1));
		ASSERT_EQ(0, rt_set_table(t->fd, t3, 2));
		after = rt_now();
		if ((before - t->epoch) / SEC(1) == (after - t->epoch) / SEC(1))
			break;
	}
	ASSERT_GT(3, tries);
	/* Still the old table until the boundary. */
	n = rt_slots_read(now, 2);
	if (rt_now() < t->epoch + ((after - t->epoch) / SEC(1) + 1) * SEC(1)) {
		EXPECT_EQ(1, n);
		EXPECT_EQ(0, now[0].start_ns);
	}
	end = rt_now() + SEC(5);
	while (rt_slots_read(now, 2) != 2 && rt_now() < end)
		rt_sleep(MSEC(10));
	ASSERT_EQ(2, rt_slots_read(now, 2));
	EXPECT_EQ(t3[1].start_ns, now[1].start_ns);

	buf = rt_trace_read();
	ASSERT_NE(NULL, buf);
	ev = rt_trace_find(buf, "rtslot_table_switch", 0);
	ASSERT_NE(NULL, ev);
	ev = rt_trace_find(ev, "rtslot_table_switch", 0);
	ASSERT_NE(NULL, ev);
	ASSERT_EQ(0, rt_field_u64(ev, "epoch_ns", &epoch2));
	ASSERT_EQ(0, rt_field_u64(ev, "nslots", &v));
	EXPECT_EQ(2, v);
	EXPECT_EQ(NULL, rt_trace_find(ev, "rtslot_table_switch", 0));
	free(buf);
	EXPECT_EQ(0, (epoch2 - t->epoch) % SEC(1));
	EXPECT_LT(after, epoch2);
	EXPECT_GE(after + SEC(1), epoch2);
	ASSERT_EQ(0, rt_stat("table_switches", &sw1));
	EXPECT_EQ(sw0 + 1, sw1);
}

TEST_HARNESS_MAIN
