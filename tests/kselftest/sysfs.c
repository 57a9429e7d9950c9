// SPDX-License-Identifier: GPL-2.0
/*
 * The sysfs ABI of /sys/class/rtslot/rtslot<N>: every writable attribute
 * takes its documented values and refuses anything else without changing;
 * the read-only ones list tasks, slots and counters.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "rtslot_test.h"

#define MAXV 8

FIXTURE(attr) {
	struct rt_config saved;
};

FIXTURE_VARIANT(attr) {
	const char *name;
	const char *good[MAXV];
	const char *bad[MAXV];
};

FIXTURE_VARIANT_ADD(attr, preempt_mode) {
	.name = "preempt_mode",
	.good = { "block", "instruction", "launch" },
	.bad = { "", "fast", "LAUNCH", "launch x", "1", "launchblock" },
};

FIXTURE_VARIANT_ADD(attr, policy) {
	.name = "policy",
	.good = { "edf", "fp", "table" },
	.bad = { "", "rr", "EDF", "2", "edf fp", "tabl" },
};

FIXTURE_VARIANT_ADD(attr, overrun_action) {
	.name = "overrun_action",
	.good = { "log", "throttle", "revoke" },
	.bad = { "", "kill", "Log", "0", "revoke!" },
};

FIXTURE_VARIANT_ADD(attr, preempt_latency_us) {
	.name = "preempt_latency_us",
	.good = { "0", "1000000", "250" },
	.bad = { "", "abc", "-1", "1000001", "12x", "99999999999999999999999",
		 "18446744073709552", "1.5" },
};

FIXTURE_VARIANT_ADD(attr, guard_us) {
	.name = "guard_us",
	.good = { "9999", "0", "500" },
	.bad = { "", "x", "-5", "10000", "4000000000", "0x10" },
};

FIXTURE_VARIANT_ADD(attr, switch_us) {
	.name = "switch_us",
	.good = { "9999", "0", "120" },
	.bad = { "", "y", "-1", "10000", "10001", " 5" },
};

FIXTURE_VARIANT_ADD(attr, frame_us) {
	.name = "frame_us",
	.good = { "100", "10000000", "20000" },
	.bad = { "", "0", "99", "10000001", "ten", "18446744073709551615" },
};

FIXTURE_VARIANT_ADD(attr, overrun_grace_us) {
	.name = "overrun_grace_us",
	.good = { "0", "1000000", "1000" },
	.bad = { "", "1000001", "-1", "q", "1e3" },
};

FIXTURE_VARIANT_ADD(attr, reclaim) {
	.name = "reclaim",
	.good = { "1", "0" },
	.bad = { "", "2", "-1", "yes", "on", "1 1", "0x1", "10" },
};

FIXTURE_VARIANT_ADD(attr, be_max_us) {
	.name = "be_max_us",
	.good = { "1", "2000", "10000000" },
	.bad = { "", "0", "10000001", "-1", "2ms", "18446744073709551615" },
};

FIXTURE_SETUP(attr)
{
	ASSERT_EQ(0, rt_setup(&self->saved));
}

FIXTURE_TEARDOWN(attr)
{
	EXPECT_EQ(0, rt_config_apply(&self->saved));
}

TEST_F(attr, rejects_garbage)
{
	char before[64], after[64];
	int i;

	ASSERT_EQ(0, rt_attr_read(variant->name, before, sizeof(before)));
	for (i = 0; i < MAXV && variant->bad[i]; i++) {
		TH_LOG("%s <- \"%s\"", variant->name, variant->bad[i]);
		EXPECT_EQ(-EINVAL, rt_attr_write(variant->name, variant->bad[i]));
		ASSERT_EQ(0, rt_attr_read(variant->name, after, sizeof(after)));
		EXPECT_STREQ(before, after);
	}
}

TEST_F(attr, accepts_documented_values)
{
	char line[64], got[64];
	int i;

	for (i = 0; i < MAXV && variant->good[i]; i++) {
		TH_LOG("%s <- \"%s\"", variant->name, variant->good[i]);
		EXPECT_EQ(0, rt_attr_write(variant->name, variant->good[i]));
		ASSERT_EQ(0, rt_attr_read(variant->name, got, sizeof(got)));
		EXPECT_STREQ(variant->good[i], got);
		/* What `echo` writes, with its newline, means the same. */
		snprintf(line, sizeof(line), "%s\n", variant->good[i]);
		EXPECT_EQ(0, rt_attr_write(variant->name, line));
		ASSERT_EQ(0, rt_attr_read(variant->name, got, sizeof(got)));
		EXPECT_STREQ(variant->good[i], got);
	}
}

FIXTURE(sysfs) {
	struct rt_config saved;
};

FIXTURE_SETUP(sysfs)
{
	ASSERT_EQ(0, rt_setup(&self->saved));
	ASSERT_EQ(0, rt_attr_write("overrun_action", "log"));
}

FIXTURE_TEARDOWN(sysfs)
{
	EXPECT_EQ(0, rt_config_apply(&self->saved));
}

TEST_F(sysfs, frame_guard_switch_checked_together)
{
	uint64_t v;

	ASSERT_EQ(0, rt_attr_write("guard_us", "5000"));
	EXPECT_EQ(-EINVAL, rt_attr_write("frame_us", "5000"));
	EXPECT_EQ(-EINVAL, rt_attr_write("frame_us", "4000"));
	ASSERT_EQ(0, rt_attr_u64("frame_us", &v));
	EXPECT_EQ(10000, v);
	ASSERT_EQ(0, rt_attr_write("guard_us", "0"));
	ASSERT_EQ(0, rt_attr_write("switch_us", "3000"));
	EXPECT_EQ(-EINVAL, rt_attr_write("frame_us", "3000"));
	EXPECT_EQ(0, rt_attr_write("frame_us", "3001"));
	EXPECT_EQ(-EINVAL, rt_attr_write("guard_us", "3001"));
	ASSERT_EQ(0, rt_attr_u64("guard_us", &v));
	EXPECT_EQ(0, v);
}

TEST_F(sysfs, frame_busy_while_table_runs)
{
	struct rtslot_slot slot = { .length_ns = MSEC(2) };
	uint64_t v;
	int fd = rt_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, rt_set_table(fd, &slot, 1));
	EXPECT_EQ(-EBUSY, rt_attr_write("frame_us", "20000"));
	ASSERT_EQ(0, rt_attr_u64("frame_us", &v));
	EXPECT_EQ(10000, v);
	close(fd);
	/* Once the table is gone, the frame may change again. */
	ASSERT_EQ(0, rt_clear_table());
	EXPECT_EQ(0, rt_attr_write("frame_us", "20000"));
}

TEST_F(sysfs, read_only_attributes)
{
	static const char *const ro[] = { "name", "tasks", "slots", "table_epoch_ns", "stats" };
	char path[128];
	size_t i;

	for (i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		snprintf(path, sizeof(path), RT_SYSFS "/%s", ro[i]);
		TH_LOG("%s", ro[i]);
		EXPECT_EQ(-1, open(path, O_WRONLY));
		EXPECT_EQ(EACCES, errno);
	}
}

TEST_F(sysfs, tasks_lists_each_task)
{
	struct rtslot_lease_request out;
	struct rt_task_row row;
	uint32_t a, b;
	int fa = rt_open_task("alpha", &a), fb = rt_open_task("beta", &b);

	ASSERT_LE(0, fa);
	ASSERT_LE(0, fb);
	ASSERT_EQ(0, rt_reserve(fb, MSEC(2), MSEC(30), MSEC(40), 17));
	EXPECT_EQ(2, rt_count_tasks(NULL));

	ASSERT_EQ(0, rt_task_row(a, &row));
	EXPECT_STREQ("alpha", row.name);
	EXPECT_EQ(getpid(), row.pid);
	EXPECT_STREQ("idle", row.state);
	EXPECT_EQ(0, row.runtime);
	ASSERT_EQ(0, rt_task_row(b, &row));
	EXPECT_STREQ("beta", row.name);
	EXPECT_EQ(17, row.prio);
	EXPECT_EQ(MSEC(2), row.runtime);
	EXPECT_EQ(MSEC(30), row.deadline);
	EXPECT_EQ(MSEC(40), row.period);

	ASSERT_EQ(0, rt_request(fa, MSEC(1), SEC(10), &out));
	ASSERT_EQ(0, rt_task_row(a, &row));
	EXPECT_STREQ("holding", row.state);
	EXPECT_EQ(1, row.requests);
	EXPECT_EQ(1, row.grants);
	ASSERT_EQ(0, rt_release(fa, 0, NULL));
	close(fa);
	EXPECT_EQ(-ENOENT, rt_task_row(a, &row));
	EXPECT_EQ(1, rt_count_tasks(NULL));
	close(fb);
}

TEST_F(sysfs, stats_count_requests_grants_releases)
{
	static const char *const keys[] = {
		"tasks", "holder", "utilization_ppm", "requests", "grants", "releases",
		"cancels", "misses", "overruns", "revokes", "reclaims", "table_switches",
		"wait_total_ns", "wait_max_ns",
	};
	uint64_t v, req0, gr0, rel0, req1, gr1, rel1, holder;
	struct rtslot_lease_request out;
	uint32_t id;
	size_t i;
	int fd = rt_open_task("stats", &id);

	ASSERT_LE(0, fd);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		TH_LOG("%s", keys[i]);
		EXPECT_EQ(0, rt_stat(keys[i], &v));
	}
	ASSERT_EQ(0, rt_stat("requests", &req0));
	ASSERT_EQ(0, rt_stat("grants", &gr0));
	ASSERT_EQ(0, rt_stat("releases", &rel0));
	ASSERT_EQ(0, rt_request(fd, MSEC(1), SEC(10), &out));
	ASSERT_EQ(0, rt_stat("holder", &holder));
	EXPECT_EQ(id, holder);
	ASSERT_EQ(0, rt_release(fd, 0, NULL));
	ASSERT_EQ(0, rt_stat("holder", &holder));
	EXPECT_EQ(0, holder);
	ASSERT_EQ(0, rt_stat("requests", &req1));
	ASSERT_EQ(0, rt_stat("grants", &gr1));
	ASSERT_EQ(0, rt_stat("releases", &rel1));
	EXPECT_EQ(req0 + 1, req1);
	EXPECT_EQ(gr0 + 1, gr1);
	EXPECT_EQ(rel0 + 1, rel1);
	ASSERT_EQ(0, rt_stat("tasks", &v));
	EXPECT_EQ(1, v);
	close(fd);
}

TEST_F(sysfs, slots_shows_the_table)
{
	struct rtslot_slot got[4];
	uint32_t a;
	int fd = rt_open_task("owner", &a);
	const struct rtslot_slot tab[3] = {
		{ .start_ns = 0, .length_ns = MSEC(3), .task_id = a },
		{ .start_ns = MSEC(4), .length_ns = MSEC(2), .task_id = RTSLOT_SLOT_SLACK },
		{ .start_ns = MSEC(7), .length_ns = MSEC(3), .task_id = a },
	};
	int i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, rt_set_table(fd, tab, 3));
	ASSERT_EQ(3, rt_slots_read(got, 4));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(tab[i].start_ns, got[i].start_ns);
		EXPECT_EQ(tab[i].length_ns, got[i].length_ns);
		EXPECT_EQ(tab[i].task_id, got[i].task_id);
	}
	close(fd);
}

TEST_HARNESS_MAIN
