// SPDX-License-Identifier: GPL-2.0
/*
 * The rtslot:* tracepoints, read back from tracefs: each event appears, in
 * order, with fields that match what the ioctls returned.  Their formats
 * are ABI for the BPF probes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "rtslot_test.h"

FIXTURE(trace) {
	struct rt_config saved;
	char *buf;
};

FIXTURE_SETUP(trace)
{
	ASSERT_EQ(0, rt_setup(&self->saved));
	ASSERT_EQ(0, rt_attr_write("policy", "edf"));
	ASSERT_EQ(0, rt_attr_write("overrun_action", "log"));
	ASSERT_EQ(0, rt_trace_begin());
}

FIXTURE_TEARDOWN(trace)
{
	EXPECT_EQ(0, rt_trace_end());
	free(self->buf);
	EXPECT_EQ(0, rt_config_apply(&self->saved));
}

TEST_F_TIMEOUT(trace, task_and_lease_events, 120)
{
	struct rtslot_lease_request out;
	const char *join, *req, *grant, *rel, *leave;
	uint64_t held, v;
	char s[64];
	uint32_t id;
	int fd = rt_open_task("traced", &id);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, rt_request(fd, MSEC(3), SEC(10), &out));
	ASSERT_EQ(0, rt_release(fd, 777, &held));
	close(fd);

	self->buf = rt_trace_read();
	ASSERT_NE(NULL, self->buf);
	join = rt_trace_find(self->buf, "rtslot_task_join", id);
	ASSERT_NE(NULL, join);
	EXPECT_EQ(0, rt_field_u64(join, "dev", &v));
	EXPECT_EQ(0, v);
	EXPECT_EQ(0, rt_field_u64(join, "pid", &v));
	EXPECT_EQ(getpid(), v);
	EXPECT_EQ(0, rt_field_str(join, "name", s, sizeof(s)));
	EXPECT_STREQ("traced", s);

	req = rt_trace_find(join, "rtslot_lease_request", id);
	ASSERT_NE(NULL, req);
	EXPECT_EQ(0, rt_field_u64(req, "est_ns", &v));
	EXPECT_EQ(MSEC(3), v);
	EXPECT_EQ(0, rt_field_u64(req, "deadline_ns", &v));
	EXPECT_EQ(0, v);

	grant = rt_trace_find(req, "rtslot_lease_grant", id);
	ASSERT_NE(NULL, grant);
	EXPECT_EQ(0, rt_field_u64(grant, "generation", &v));
	EXPECT_EQ(out.generation, v);
	EXPECT_EQ(0, rt_field_u64(grant, "lease_end_ns", &v));
	EXPECT_EQ(out.lease_end_ns, v);
	EXPECT_EQ(0, rt_field_u64(grant, "wait_ns", &v));
	EXPECT_EQ(out.wait_ns, v);

	rel = rt_trace_find(grant, "rtslot_lease_release", id);
	ASSERT_NE(NULL, rel);
	EXPECT_EQ(0, rt_field_u64(rel, "generation", &v));
	EXPECT_EQ(out.generation, v);
	EXPECT_EQ(0, rt_field_u64(rel, "held_ns", &v));
	EXPECT_EQ(held, v);
	EXPECT_EQ(0, rt_field_u64(rel, "actual_ns", &v));
	EXPECT_EQ(777, v);

	leave = rt_trace_find(rel, "rtslot_task_leave", id);
	ASSERT_NE(NULL, leave);
	EXPECT_EQ(0, rt_field_str(leave, "state", s, sizeof(s)));
	EXPECT_STREQ("idle", s);
	EXPECT_EQ(0, rt_field_u64(leave, "grants", &v));
	EXPECT_EQ(1, v);
}

TEST_F_TIMEOUT(trace, cancel_events_carry_errno, 120)
{
	struct rtslot_lease_request out;
	const char *cancel;
	uint32_t id, hid;
	int64_t err;
	uint64_t v;
	int holder = rt_open_task("holder", &hid);
	int fd = rt_open_task("canceled", &id);

	ASSERT_LE(0, holder);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, rt_request(holder, SEC(5), SEC(10), &out));
	ASSERT_EQ(-ETIME, rt_request(fd, MSEC(1), MSEC(30), &out));

	self->buf = rt_trace_read();
	ASSERT_NE(NULL, self->buf);
	cancel = rt_trace_find(self->buf, "rtslot_lease_cancel", id);
	ASSERT_NE(NULL, cancel);
	EXPECT_EQ(0, rt_field_s64(cancel, "err", &err));
	EXPECT_EQ(-ETIME, err);
	EXPECT_EQ(0, rt_field_u64(cancel, "wait_ns", &v));
	EXPECT_LE(MSEC(30), v);
	/* The holder was never disturbed. */
	EXPECT_EQ(NULL, rt_trace_find(self->buf, "rtslot_lease_cancel", hid));
	close(fd);
	close(holder);
}

TEST_F_TIMEOUT(trace, deadline_miss_event, 120)
{
	struct rt_group *g = rt_shared(sizeof(*g));
	struct rtslot_lease_request out;
	uint64_t m0, m1, dl, now, v;
	const char *miss, *req;
	uint32_t hid;
	pid_t pid;
	int holder = rt_open_task("blocker", &hid);

	ASSERT_NE(NULL, g);
	ASSERT_LE(0, holder);
	ASSERT_EQ(0, rt_request(holder, SEC(5), SEC(10), &out));
	ASSERT_EQ(0, rt_stat("misses", &m0));
	/* A job with a 20 ms deadline, kept waiting well past it. */
	g->w[0].reserve = true;
	g->w[0].runtime = MSEC(5);
	g->w[0].deadline = MSEC(20);
	g->w[0].period = MSEC(500);
	g->w[0].est = MSEC(1);
	g->w[0].timeout = RT_SETTLE;
	pid = rt_start_waiter(g, 0);
	ASSERT_LT(0, pid);
	while (rt_now() < g->w[0].requested_ns + MSEC(60))
		rt_sleep(MSEC(5));
	ASSERT_EQ(0, rt_release(holder, 0, NULL));
	ASSERT_EQ(0, rt_reap(pid, RT_SETTLE));
	ASSERT_EQ(0, g->w[0].err);

	ASSERT_EQ(0, rt_stat("misses", &m1));
	EXPECT_EQ(m0 + 1, m1);
	self->buf = rt_trace_read();
	ASSERT_NE(NULL, self->buf);
	req = rt_trace_find(self->buf, "rtslot_lease_request", g->w[0].id);
	ASSERT_NE(NULL, req);
	ASSERT_EQ(0, rt_field_u64(req, "deadline_ns", &dl));
	EXPECT_LE(g->w[0].requested_ns + MSEC(20), dl);
	miss = rt_trace_find(req, "rtslot_deadline_miss", g->w[0].id);
	ASSERT_NE(NULL, miss);
	EXPECT_EQ(0, rt_field_u64(miss, "deadline_ns", &v));
	EXPECT_EQ(dl, v);
	EXPECT_EQ(0, rt_field_u64(miss, "now_ns", &now));
	EXPECT_LT(dl, now);
	EXPECT_EQ(g->w[0].granted_ns, now);
	close(holder);
}

TEST_F_TIMEOUT(trace, disabled_events_stay_silent, 120)
{
	struct rtslot_lease_request out;
	uint32_t id;
	int fd;

	ASSERT_EQ(0, rt_trace_end());
	fd = rt_open_task("quiet", &id);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, rt_request(fd, MSEC(1), SEC(10), &out));
	ASSERT_EQ(0, rt_release(fd, 0, NULL));
	close(fd);
	self->buf = rt_trace_read();
	ASSERT_NE(NULL, self->buf);
	EXPECT_EQ(NULL, rt_trace_find(self->buf, "rtslot_task_join", id));
	EXPECT_EQ(NULL, rt_trace_find(self->buf, "rtslot_lease_grant", id));
}

TEST_HARNESS_MAIN
