// SPDX-License-Identifier: GPL-2.0
/*
 * The table epoch that RTSLOT_IOC_GET_INFO and sysfs table_epoch_ns
 * publish: 0 without a table, the moment a table took over, fixed while it
 * runs and the phase the grants follow, the frame boundary a staged table
 * takes over at, and callers of the first published struct size unharmed.
 * The rtslot_table_switch event, emitted at the switch itself, is the
 * independent witness.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "rtslot_test.h"

#define FRAME	MSEC(200)

FIXTURE(epoch) {
	struct rt_config saved;
	int fd;				/* task A: owns the slots */
	uint32_t a;
	int bare;			/* sets the tables, as rtslotd does */
	const struct rtslot_lease_page *page;
};

FIXTURE_SETUP(epoch)
{
	ASSERT_EQ(0, rt_setup(&self->saved));
	ASSERT_EQ(0, rt_attr_write("policy", "table"));
	/* A slow guest must not see its leases revoked under it. */
	ASSERT_EQ(0, rt_attr_write("overrun_action", "log"));
	ASSERT_EQ(0, rt_attr_set_u64("frame_us", FRAME / 1000));
	self->fd = rt_open_task("A", &self->a);
	ASSERT_LE(0, self->fd);
	self->bare = rt_open();
	ASSERT_LE(0, self->bare);
	self->page = rt_map_page(self->fd);
	ASSERT_NE(NULL, self->page);
	ASSERT_EQ(0, rt_trace_begin());
}

FIXTURE_TEARDOWN(epoch)
{
	munmap((void *)self->page, getpagesize());
	close(self->fd);
	close(self->bare);
	rt_trace_end();
	EXPECT_EQ(0, rt_config_apply(&self->saved));
}

/* The first frame boundary of the table of epoch @e after time @t. */
static uint64_t boundary_after(uint64_t e, uint64_t t)
{
	return e + ((t - e) / FRAME + 1) * FRAME;
}

/*
 * GET_INFO, and sysfs must say the same.  Only a staged table can move
 * the epoch, so without one the two reads cannot straddle a switch.
 */
static void info_read(struct __test_metadata *_metadata, FIXTURE_DATA(epoch) *self,
		      struct rtslot_info *info)
{
	uint64_t v;

	ASSERT_EQ(0, rt_info(self->bare, info));
	ASSERT_EQ(RTSLOT_INFO_SIZE_VER1, info->size);
	EXPECT_EQ(0, info->__pad);
	if (info->pending_epoch_ns)
		return;
	ASSERT_EQ(0, rt_attr_u64("table_epoch_ns", &v));
	EXPECT_EQ(info->table_epoch_ns, v);
}

/* Poll until no table is staged; the staged switch is due within a frame. */
static void wait_switched(struct __test_metadata *_metadata, FIXTURE_DATA(epoch) *self,
			  struct rtslot_info *info)
{
	uint64_t end = rt_now() + RT_SETTLE;

	do {
		rt_sleep(MSEC(5));
		info_read(_metadata, self, info);
	} while (info->pending_epoch_ns && rt_now() < end);
	ASSERT_EQ(0, info->pending_epoch_ns);
}

/* The epoch_ns of the @nth (from 1) rtslot_table_switch event so far. */
static int traced_epoch(int nth, uint64_t *epoch)
{
	char *buf = rt_trace_read();
	const char *ev = buf;
	int ret = -ENOENT, i;

	if (!buf)
		return -EIO;
	/* Each search starts past the event the previous one found. */
	for (i = 0; i < nth && ev; i++)
		ev = rt_trace_find(ev, "rtslot_table_switch", 0);
	if (ev)
		ret = rt_field_u64(ev, "epoch_ns", epoch);
	free(buf);
	return ret;
}

/* Install @slots on the idle device; its epoch comes back in *e. */
static void start_table(struct __test_metadata *_metadata, FIXTURE_DATA(epoch) *self,
			const struct rtslot_slot *slots, int n, uint64_t *e)
{
	struct rtslot_info info;
	uint64_t before, after, traced;

	info_read(_metadata, self, &info);
	ASSERT_EQ(0, info.nslots);
	before = rt_now();
	ASSERT_EQ(0, rt_set_table(self->bare, slots, n));
	after = rt_now();
	info_read(_metadata, self, &info);
	EXPECT_EQ(n, info.nslots);
	/* With no table running, the new one takes over inside the call. */
	EXPECT_EQ(0, info.pending_epoch_ns);
	EXPECT_EQ(0, info.pending_nslots);
	EXPECT_LE(before, info.table_epoch_ns);
	EXPECT_GE(after, info.table_epoch_ns);
	ASSERT_EQ(0, traced_epoch(1, &traced));
	EXPECT_EQ(traced, info.table_epoch_ns);
	*e = info.table_epoch_ns;
}

TEST_F(epoch, zero_without_table)
{
	struct rtslot_info info;
	char buf[32];

	info_read(_metadata, self, &info);
	EXPECT_EQ(0, info.nslots);
	EXPECT_EQ(0, info.table_epoch_ns);
	EXPECT_EQ(0, info.pending_epoch_ns);
	EXPECT_EQ(0, info.pending_nslots);
	ASSERT_EQ(0, rt_attr_read("table_epoch_ns", buf, sizeof(buf)));
	EXPECT_STREQ("0", buf);
}

TEST_F_TIMEOUT(epoch, equals_switch_time_and_stays, 60)
{
	const struct rtslot_slot tab[] = {
		{ .start_ns = 0, .length_ns = MSEC(100), .task_id = self->a },
	};
	struct rtslot_lease_request out;
	struct rtslot_lease_page snap;
	struct rtslot_info info;
	uint64_t e, granted;
	int i;

	start_table(_metadata, self, tab, 1, &e);
	for (i = 0; i < 4; i++) {
		rt_sleep(FRAME * 3 / 2);
		info_read(_metadata, self, &info);
		EXPECT_EQ(e, info.table_epoch_ns);
		EXPECT_EQ(1, info.nslots);
		EXPECT_EQ(0, info.pending_epoch_ns);
	}
	/* Frames went by: the epoch is where frame 0 began, not the last one. */
	EXPECT_LE(e + 6 * FRAME, rt_now());

	/* The grants follow it: A's lease ends exactly at its slot's end. */
	ASSERT_EQ(0, rt_request(self->fd, MSEC(10), SEC(10), &out));
	rt_page_read(self->page, &snap);
	ASSERT_EQ(0, rt_release(self->fd, 0, NULL));
	granted = snap.granted_ns;
	ASSERT_LE(e, granted);
	EXPECT_GE(MSEC(100) - MSEC(10), (granted - e) % FRAME);
	EXPECT_EQ(granted - (granted - e) % FRAME + MSEC(100), out.lease_end_ns);
}

TEST_F_TIMEOUT(epoch, staged_table_takes_over_at_boundary, 60)
{
	const struct rtslot_slot t1[] = {
		{ .start_ns = 0, .length_ns = MSEC(100), .task_id = self->a },
	};
	const struct rtslot_slot t2[] = {
		{ .start_ns = MSEC(100), .length_ns = MSEC(100), .task_id = self->a },
	};
	const struct rtslot_slot t3[] = {
		{ .start_ns = 0, .length_ns = MSEC(50), .task_id = self->a },
		{ .start_ns = MSEC(100), .length_ns = MSEC(50), .task_id = self->a },
	};
	struct rtslot_info staged, replaced, info;
	uint64_t e, before, after, traced, now;
	int tries;

	start_table(_metadata, self, t1, 1, &e);
	/* Both calls inside one frame, so exactly one boundary is expected. */
	for (tries = 0; tries < 3; tries++) {
		now = rt_now();
		rt_sleep(boundary_after(e, now) + MSEC(20) - now);
		before = rt_now();
		ASSERT_EQ(0, rt_set_table(self->bare, t2, 1));
		ASSERT_EQ(0, rt_info(self->bare, &staged));
		ASSERT_EQ(0, rt_set_table(self->bare, t3, 2));
		ASSERT_EQ(0, rt_info(self->bare, &replaced));
		after = rt_now();
		if (boundary_after(e, before) == boundary_after(e, after))
			break;
	}
	ASSERT_GT(3, tries);

	/* Until then the old table runs, with its epoch. */
	EXPECT_EQ(e, staged.table_epoch_ns);
	EXPECT_EQ(1, staged.nslots);
	EXPECT_EQ(boundary_after(e, before), staged.pending_epoch_ns);
	EXPECT_EQ(1, staged.pending_nslots);
	/* A table staged again before the boundary keeps the boundary. */
	EXPECT_EQ(e, replaced.table_epoch_ns);
	EXPECT_EQ(staged.pending_epoch_ns, replaced.pending_epoch_ns);
	EXPECT_EQ(2, replaced.pending_nslots);

	wait_switched(_metadata, self, &info);
	EXPECT_EQ(staged.pending_epoch_ns, info.table_epoch_ns);
	EXPECT_EQ(2, info.nslots);
	EXPECT_LE(info.table_epoch_ns, rt_now());
	ASSERT_EQ(0, traced_epoch(2, &traced));
	EXPECT_EQ(traced, info.table_epoch_ns);
}

TEST_F_TIMEOUT(epoch, zero_once_removed, 60)
{
	const struct rtslot_slot tab[] = {
		{ .start_ns = 0, .length_ns = MSEC(100), .task_id = self->a },
	};
	struct rtslot_info info;
	uint64_t e, before, after;

	start_table(_metadata, self, tab, 1, &e);
	before = rt_now();
	ASSERT_EQ(0, rt_set_table(self->bare, NULL, 0));
	ASSERT_EQ(0, rt_info(self->bare, &info));
	after = rt_now();
	if (info.pending_epoch_ns) {
		EXPECT_EQ(e, info.table_epoch_ns);
		EXPECT_EQ(0, info.pending_nslots);
		EXPECT_LE(boundary_after(e, before), info.pending_epoch_ns);
		EXPECT_GE(boundary_after(e, after), info.pending_epoch_ns);
	}
	wait_switched(_metadata, self, &info);
	/* The core still knows when the empty table began: not an epoch. */
	EXPECT_EQ(0, info.nslots);
	EXPECT_EQ(0, info.table_epoch_ns);
	EXPECT_EQ(0, info.pending_nslots);
}

TEST_F(epoch, old_size_callers)
{
	const struct rtslot_slot tab[] = {
		{ .start_ns = 0, .length_ns = MSEC(100), .task_id = self->a },
	};
	union {
		struct rtslot_info info;
		unsigned char raw[256];
	} u;
	struct rtslot_info full;
	uint64_t e;
	size_t i, bad;

	start_table(_metadata, self, tab, 1, &e);
	info_read(_metadata, self, &full);

	/* A caller built before the epoch existed: nothing past its struct. */
	memset(&u, 0xa5, sizeof(u));
	u.info.size = RTSLOT_INFO_SIZE_VER0;
	ASSERT_EQ(0, rt_ioctl(self->bare, RTSLOT_IOC_GET_INFO, &u));
	EXPECT_EQ(RTSLOT_INFO_SIZE_VER0, u.info.size);
	EXPECT_EQ(RTSLOT_ABI_VERSION, u.info.abi_version);
	EXPECT_STREQ(full.name, u.info.name);
	EXPECT_EQ(full.ntasks, u.info.ntasks);
	EXPECT_EQ(1, u.info.nslots);
	EXPECT_EQ(FRAME, u.info.frame_ns);
	EXPECT_EQ(full.preempt_latency_ns, u.info.preempt_latency_ns);
	for (i = RTSLOT_INFO_SIZE_VER0, bad = 0; i < sizeof(u); i++)
		bad += u.raw[i] != 0xa5;
	EXPECT_EQ(0, bad);

	/* One that knows the epoch but not the pending table gets just that. */
	memset(&u, 0xa5, sizeof(u));
	u.info.size = RTSLOT_INFO_SIZE_VER0 + sizeof(u.info.table_epoch_ns);
	ASSERT_EQ(0, rt_ioctl(self->bare, RTSLOT_IOC_GET_INFO, &u));
	EXPECT_EQ(RTSLOT_INFO_SIZE_VER0 + sizeof(u.info.table_epoch_ns), u.info.size);
	EXPECT_EQ(e, u.info.table_epoch_ns);
	for (i = u.info.size, bad = 0; i < sizeof(u); i++)
		bad += u.raw[i] != 0xa5;
	EXPECT_EQ(0, bad);

	/* A newer, larger caller learns how much this kernel filled in. */
	memset(&u, 0, sizeof(u));
	u.info.size = sizeof(u);
	ASSERT_EQ(0, rt_ioctl(self->bare, RTSLOT_IOC_GET_INFO, &u));
	EXPECT_EQ(RTSLOT_INFO_SIZE_VER1, u.info.size);
	EXPECT_EQ(e, u.info.table_epoch_ns);
}

TEST_HARNESS_MAIN
