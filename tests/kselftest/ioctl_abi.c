// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl ABI of /dev/rtslot<N>: GET_INFO, task creation, and the errno of
 * every malformed call (include/uapi/rtslot.h documents each one).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "rtslot_test.h"

struct abi_cmd {
	const char *name;
	unsigned long cmd;
	uint32_t ver0;
};

static const struct abi_cmd abi_cmds[] = {
	{ "GET_INFO", RTSLOT_IOC_GET_INFO, RTSLOT_INFO_SIZE_VER0 },
	{ "TASK_CREATE", RTSLOT_IOC_TASK_CREATE, RTSLOT_TASK_CREATE_SIZE_VER0 },
	{ "SET_RESERVATION", RTSLOT_IOC_SET_RESERVATION, RTSLOT_RESERVATION_SIZE_VER0 },
	{ "SET_TABLE", RTSLOT_IOC_SET_TABLE, RTSLOT_TABLE_SIZE_VER0 },
	{ "LEASE_REQUEST", RTSLOT_IOC_LEASE_REQUEST, RTSLOT_LEASE_REQUEST_SIZE_VER0 },
	{ "LEASE_RELEASE", RTSLOT_IOC_LEASE_RELEASE, RTSLOT_LEASE_RELEASE_SIZE_VER0 },
	{ "LEASE_RENEW", RTSLOT_IOC_LEASE_RENEW, RTSLOT_LEASE_REQUEST_SIZE_VER0 },
	{ "TASK_INFO", RTSLOT_IOC_TASK_INFO, RTSLOT_TASK_INFO_SIZE_VER0 },
};
#define NCMDS (sizeof(abi_cmds) / sizeof(abi_cmds[0]))

/* An ioctl argument of any size: the size field, then zeroes. */
struct abi_buf {
	uint32_t size;
	unsigned char rest[8192];
};

FIXTURE(abi) {
	struct rt_config saved;
	int fd;			/* with a task */
	uint32_t id;
	int bare;		/* without one */
};

FIXTURE_SETUP(abi)
{
	ASSERT_EQ(0, rt_setup(&self->saved));
	/* A slow guest must not see its short leases revoked under it. */
	ASSERT_EQ(0, rt_attr_write("overrun_action", "log"));
	self->fd = rt_open_task("abi", &self->id);
	ASSERT_LE(0, self->fd);
	self->bare = rt_open();
	ASSERT_LE(0, self->bare);
}

FIXTURE_TEARDOWN(abi)
{
	close(self->fd);
	close(self->bare);
	EXPECT_EQ(0, rt_config_apply(&self->saved));
}

TEST_F(abi, get_info)
{
	struct rtslot_info info;
	char name[64];

	ASSERT_EQ(0, rt_info(self->bare, &info));
	EXPECT_EQ(RTSLOT_INFO_SIZE_VER1, info.size);
	EXPECT_EQ(RTSLOT_ABI_VERSION, info.abi_version);
	ASSERT_EQ(0, rt_attr_read("name", name, sizeof(name)));
	EXPECT_STREQ(name, info.name);
	EXPECT_EQ(0, info.index);
	EXPECT_EQ(RTSLOT_PREEMPT_LAUNCH, info.preempt_mode);
	EXPECT_EQ(RTSLOT_POLICY_TABLE, info.policy);
	EXPECT_EQ(RTSLOT_OVERRUN_LOG, info.overrun_action);
	EXPECT_EQ(1, info.ntasks);
	EXPECT_EQ(0, info.nslots);
	EXPECT_EQ(MSEC(10), info.frame_ns);
	EXPECT_EQ(0, info.guard_ns);
	EXPECT_EQ(0, info.table_epoch_ns);
	EXPECT_EQ(0, info.pending_epoch_ns);

	/* It reports the live configuration, not a copy from open time. */
	ASSERT_EQ(0, rt_attr_write("guard_us", "2000"));
	ASSERT_EQ(0, rt_attr_write("switch_us", "300"));
	ASSERT_EQ(0, rt_attr_write("policy", "fp"));
	ASSERT_EQ(0, rt_info(self->bare, &info));
	EXPECT_EQ(MSEC(2), info.guard_ns);
	EXPECT_EQ(USEC(300), info.switch_ns);
	EXPECT_EQ(RTSLOT_POLICY_FP, info.policy);
}

TEST_F(abi, create_twice_ebusy)
{
	uint32_t id = 0;

	EXPECT_NE(0, self->id);
	EXPECT_EQ(-EBUSY, rt_task_create(self->fd, "again", &id));
	EXPECT_EQ(0, id);
	EXPECT_EQ(1, rt_count_tasks(NULL));
}

TEST_F(abi, task_ids_unique)
{
	struct rtslot_info info;
	uint32_t ids[8];
	int fds[8], i, j;

	for (i = 0; i < 8; i++) {
		fds[i] = rt_open_task("many", &ids[i]);
		ASSERT_LE(0, fds[i]);
		EXPECT_NE(0, ids[i]);
		EXPECT_NE(self->id, ids[i]);
		for (j = 0; j < i; j++)
			EXPECT_NE(ids[j], ids[i]);
	}
	ASSERT_EQ(0, rt_info(self->bare, &info));
	EXPECT_EQ(9, info.ntasks);
	for (i = 0; i < 8; i++)
		close(fds[i]);
	ASSERT_EQ(0, rt_info(self->bare, &info));
	EXPECT_EQ(1, info.ntasks);
}

TEST_F(abi, create_bad_name_and_flags)
{
	struct rtslot_task_create tc = { .size = sizeof(tc) };
	struct rt_task_row row;
	uint32_t id;
	int fd;

	memset(tc.name, 'x', sizeof(tc.name));
	EXPECT_EQ(-EINVAL, rt_ioctl(self->bare, RTSLOT_IOC_TASK_CREATE, &tc));
	memset(tc.name, 0, sizeof(tc.name));
	tc.flags = 1;
	EXPECT_EQ(-EINVAL, rt_ioctl(self->bare, RTSLOT_IOC_TASK_CREATE, &tc));
	tc.flags = 0;
	tc.__pad = 1;
	EXPECT_EQ(-EINVAL, rt_ioctl(self->bare, RTSLOT_IOC_TASK_CREATE, &tc));
	EXPECT_EQ(1, rt_count_tasks(NULL));

	/* Names are shown in space-separated columns: blanks are replaced. */
	fd = rt_open_task("a b", &id);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, rt_task_row(id, &row));
	EXPECT_STREQ("a_b", row.name);
	EXPECT_EQ(getpid(), row.pid);
	close(fd);
}

TEST_F(abi, size_too_small_or_too_big)
{
	struct abi_buf *b = calloc(1, sizeof(*b));
	size_t i;

	ASSERT_NE(NULL, b);
	for (i = 0; i < NCMDS; i++) {
		uint32_t sizes[] = { 0, 4, abi_cmds[i].ver0 - 1, getpagesize() + 1 };
		size_t k;

		for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			memset(b, 0, sizeof(*b));
			b->size = sizes[k];
			TH_LOG("%s size %u", abi_cmds[i].name, sizes[k]);
			EXPECT_EQ(-EINVAL, rt_ioctl(self->fd, abi_cmds[i].cmd, b));
		}
	}
	EXPECT_EQ(0, rt_count_tasks("holding"));
	free(b);
}

/* The file says which task it carries and who made it, to whoever holds it. */
TEST_F(abi, task_info_names_the_task_and_its_creator)
{
	struct rtslot_task_info ti = { .size = sizeof(ti) };
	pid_t parent = getpid(), pid;
	int st;

	ASSERT_EQ(0, rt_ioctl(self->fd, RTSLOT_IOC_TASK_INFO, &ti));
	EXPECT_EQ(self->id, ti.task_id);
	EXPECT_EQ(parent, ti.pid);
	EXPECT_STREQ("abi", ti.name);
	memset(&ti, 0, sizeof(ti));
	ti.size = sizeof(ti);
	EXPECT_EQ(-ENOENT, rt_ioctl(self->bare, RTSLOT_IOC_TASK_INFO, &ti));
	ti.flags = 1;
	EXPECT_EQ(-EINVAL, rt_ioctl(self->fd, RTSLOT_IOC_TASK_INFO, &ti));
	/* Handed on (here by fork), the file still names its creator. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct rtslot_task_info c = { .size = sizeof(c) };

		_exit(rt_ioctl(self->fd, RTSLOT_IOC_TASK_INFO, &c) || c.pid != parent ||
		      c.task_id != self->id);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st));
}

TEST_F(abi, unknown_tail_e2big)
{
	struct abi_buf *b = calloc(1, sizeof(*b));
	size_t i;

	ASSERT_NE(NULL, b);
	/* GET_INFO reads nothing but the size: it has no tail to check. */
	for (i = 1; i < NCMDS; i++) {
		memset(b, 0, sizeof(*b));
		b->size = abi_cmds[i].ver0 + 16;
		b->rest[abi_cmds[i].ver0 + 8 - 4] = 1;
		TH_LOG("%s", abi_cmds[i].name);
		EXPECT_EQ(-E2BIG, rt_ioctl(self->bare, abi_cmds[i].cmd, b));
	}
	/* Nothing happened: the bare file still has no task. */
	EXPECT_EQ(1, rt_count_tasks(NULL));
	free(b);
}

TEST_F(abi, grown_struct_zero_tail_accepted)
{
	union {
		struct rtslot_task_create tc;
		struct rtslot_lease_request req;
		struct rtslot_lease_release rel;
		struct rtslot_info info;
		unsigned char raw[256];
	} u;

	memset(&u, 0, sizeof(u));
	u.info.size = 200;
	ASSERT_EQ(0, rt_ioctl(self->bare, RTSLOT_IOC_GET_INFO, &u));
	/* The size written back is how much the kernel filled in. */
	EXPECT_EQ(RTSLOT_INFO_SIZE_VER1, u.info.size);
	EXPECT_EQ(RTSLOT_ABI_VERSION, u.info.abi_version);

	memset(&u, 0, sizeof(u));
	u.tc.size = sizeof(u);
	strcpy(u.tc.name, "grown");
	ASSERT_EQ(0, rt_ioctl(self->bare, RTSLOT_IOC_TASK_CREATE, &u));
	EXPECT_EQ(RTSLOT_TASK_CREATE_SIZE_VER0, u.tc.size);
	EXPECT_NE(0, u.tc.task_id);

	memset(&u, 0, sizeof(u));
	u.req.size = sizeof(u);
	u.req.est_ns = MSEC(1);
	u.req.timeout_ns = SEC(10);
	ASSERT_EQ(0, rt_ioctl(self->bare, RTSLOT_IOC_LEASE_REQUEST, &u));
	EXPECT_EQ(RTSLOT_LEASE_REQUEST_SIZE_VER0, u.req.size);
	EXPECT_NE(0, u.req.lease_end_ns);

	memset(&u, 0, sizeof(u));
	u.rel.size = sizeof(u);
	ASSERT_EQ(0, rt_ioctl(self->bare, RTSLOT_IOC_LEASE_RELEASE, &u));
	EXPECT_EQ(RTSLOT_LEASE_RELEASE_SIZE_VER0, u.rel.size);
}

TEST_F(abi, unknown_command_enotty)
{
	struct abi_buf *b = calloc(1, sizeof(*b));

	ASSERT_NE(NULL, b);
	b->size = 64;
	EXPECT_EQ(-ENOTTY, rt_ioctl(self->fd, _IOWR(RTSLOT_IOC_MAGIC, 0x08, struct rtslot_info), b));
	EXPECT_EQ(-ENOTTY, rt_ioctl(self->fd, _IO(RTSLOT_IOC_MAGIC, 0x3f), b));
	EXPECT_EQ(-ENOTTY, rt_ioctl(self->fd, _IOR(RTSLOT_IOC_MAGIC + 1, 0x00, struct rtslot_info), b));
	EXPECT_EQ(-ENOTTY, rt_ioctl(self->fd, _IOR('T', 0x00, struct rtslot_info), b));
	/* Matched on type and number alone: the encoded size may grow. */
	b->size = sizeof(struct rtslot_info);
	EXPECT_EQ(0, rt_ioctl(self->fd, _IOC(_IOC_READ | _IOC_WRITE, RTSLOT_IOC_MAGIC, 0x00, 200), b));
	free(b);
}

TEST_F(abi, bad_pointer_efault)
{
	long page = getpagesize();
	unsigned char *map;
	uint32_t *edge;
	size_t i;

	/* One readable page and a hole after it: a struct that runs off its end. */
	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, munmap(map + page, page));
	edge = (uint32_t *)(map + page - 8);

	for (i = 0; i < NCMDS; i++) {
		TH_LOG("%s", abi_cmds[i].name);
		EXPECT_EQ(-EFAULT, rt_ioctl(self->fd, abi_cmds[i].cmd, NULL));
		EXPECT_EQ(-EFAULT, rt_ioctl(self->fd, abi_cmds[i].cmd, map + page));
		*edge = abi_cmds[i].ver0;
		EXPECT_EQ(-EFAULT, rt_ioctl(self->bare, abi_cmds[i].cmd, edge));
	}
	EXPECT_EQ(1, rt_count_tasks(NULL));
	EXPECT_EQ(0, rt_count_tasks("holding"));
	munmap(map, page);
}

TEST_F(abi, unknown_flags_einval)
{
	struct rtslot_reservation res = { .size = sizeof(res) };
	struct rtslot_lease_request req = { .size = sizeof(req), .est_ns = MSEC(1) };
	struct rtslot_lease_release rel = { .size = sizeof(rel) };
	struct rtslot_slot slot = { .length_ns = MSEC(1), .task_id = self->id };
	struct rtslot_table tab = {
		.size = sizeof(tab), .nslots = 1, .slots = (uintptr_t)&slot,
	};

	res.flags = 1;
	EXPECT_EQ(-EINVAL, rt_ioctl(self->fd, RTSLOT_IOC_SET_RESERVATION, &res));
	res.flags = 0;
	res.__pad = 1;
	EXPECT_EQ(-EINVAL, rt_ioctl(self->fd, RTSLOT_IOC_SET_RESERVATION, &res));
	tab.flags = 1;
	EXPECT_EQ(-EINVAL, rt_ioctl(self->fd, RTSLOT_IOC_SET_TABLE, &tab));
	tab.flags = 0;
	tab.__pad = 1;
	EXPECT_EQ(-EINVAL, rt_ioctl(self->fd, RTSLOT_IOC_SET_TABLE, &tab));
	tab.__pad = 0;
	slot.flags = 1;
	EXPECT_EQ(-EINVAL, rt_ioctl(self->fd, RTSLOT_IOC_SET_TABLE, &tab));
	req.flags = 1;
	EXPECT_EQ(-EINVAL, rt_ioctl(self->fd, RTSLOT_IOC_LEASE_REQUEST, &req));
	EXPECT_EQ(-EINVAL, rt_ioctl(self->fd, RTSLOT_IOC_LEASE_RENEW, &req));
	rel.flags = 1;
	EXPECT_EQ(-EINVAL, rt_ioctl(self->fd, RTSLOT_IOC_LEASE_RELEASE, &rel));

	/* None of them changed anything. */
	EXPECT_EQ(0, rt_count_tasks("waiting"));
	EXPECT_EQ(0, rt_count_tasks("holding"));
	EXPECT_EQ(0, rt_slots_read(&slot, 1));
}

TEST_F(abi, no_task_enoent)
{
	struct rtslot_lease_request req;

	EXPECT_EQ(-ENOENT, rt_reserve(self->bare, MSEC(1), MSEC(10), MSEC(10), 0));
	EXPECT_EQ(-ENOENT, rt_request(self->bare, MSEC(1), SEC(1), &req));
	EXPECT_EQ(-ENOENT, rt_renew(self->bare, MSEC(1), SEC(1), &req));
	EXPECT_EQ(-ENOENT, rt_release(self->bare, 0, NULL));
	errno = 0;
	EXPECT_EQ(NULL, rt_map_page(self->bare));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(abi, reservation_out_of_range_einval)
{
	static const struct { uint64_t rt, dl, per; int prio; } bad[] = {
		{ MSEC(2), MSEC(1), MSEC(10), 0 },		/* runtime > deadline */
		{ MSEC(1), MSEC(20), MSEC(10), 0 },		/* deadline > period */
		{ MSEC(1), MSEC(10), SEC(10) + 1, 0 },		/* period too long */
		{ 999, MSEC(10), MSEC(10), 0 },			/* runtime too short */
		{ 0, MSEC(10), MSEC(10), 0 },			/* half a reservation */
		{ MSEC(1), MSEC(10), MSEC(10), -1 },		/* priority */
		{ MSEC(1), MSEC(10), MSEC(10), RTSLOT_PRIO_MAX + 1 },
		{ 0, 0, 0, -5 },
	};
	struct rt_task_row row;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		TH_LOG("case %zu", i);
		EXPECT_EQ(-EINVAL, rt_reserve(self->fd, bad[i].rt, bad[i].dl, bad[i].per,
					      bad[i].prio));
	}
	ASSERT_EQ(0, rt_task_row(self->id, &row));
	EXPECT_EQ(0, row.runtime);
	EXPECT_EQ(0, row.prio);

	/* The limits themselves are fine. */
	EXPECT_EQ(0, rt_reserve(self->fd, RTSLOT_RUNTIME_MIN_NS, RTSLOT_PERIOD_MAX_NS,
				RTSLOT_PERIOD_MAX_NS, RTSLOT_PRIO_MAX));
	ASSERT_EQ(0, rt_task_row(self->id, &row));
	EXPECT_EQ(RTSLOT_RUNTIME_MIN_NS, row.runtime);
	EXPECT_EQ(RTSLOT_PRIO_MAX, row.prio);
	EXPECT_EQ(0, rt_reserve(self->fd, 0, 0, 0, 7));
	ASSERT_EQ(0, rt_task_row(self->id, &row));
	EXPECT_EQ(0, row.runtime);
	EXPECT_EQ(7, row.prio);
}

TEST_F(abi, reservation_overcommit_ebusy)
{
	struct rt_task_row row;
	uint64_t ppm;
	uint32_t id2;
	int fd2 = rt_open_task("second", &id2);

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, rt_reserve(self->fd, MSEC(6), MSEC(10), MSEC(10), 0));
	EXPECT_EQ(-EBUSY, rt_reserve(fd2, MSEC(5), MSEC(10), MSEC(10), 0));
	ASSERT_EQ(0, rt_task_row(id2, &row));
	EXPECT_EQ(0, row.runtime);
	EXPECT_EQ(0, rt_reserve(fd2, MSEC(4), MSEC(10), MSEC(10), 0));
	ASSERT_EQ(0, rt_stat("utilization_ppm", &ppm));
	EXPECT_EQ(1000000, ppm);
	/* A task's own share is replaced, not added to. */
	EXPECT_EQ(0, rt_reserve(fd2, MSEC(3), MSEC(10), MSEC(10), 0));
	close(fd2);
}

TEST_F(abi, table_bad_slots_einval)
{
	uint32_t me = self->id;
	const struct { struct rtslot_slot s[2]; uint32_t n; uint64_t frame; } bad[] = {
		{ { { MSEC(5), MSEC(1), me, 0 }, { 0, MSEC(1), me, 0 } }, 2, 0 },	/* unsorted */
		{ { { 0, MSEC(4), me, 0 }, { MSEC(3), MSEC(1), me, 0 } }, 2, 0 },	/* overlap */
		{ { { 0, 0, me, 0 } }, 1, 0 },						/* empty */
		{ { { MSEC(10), MSEC(1), me, 0 } }, 1, 0 },				/* past frame */
		{ { { MSEC(6), MSEC(5), me, 0 } }, 1, 0 },				/* ends past it */
		{ { { 0, MSEC(1), me, 0 } }, 1, MSEC(20) },				/* other frame */
		{ { { 0, MSEC(1), me, 0 } }, RTSLOT_MAX_SLOTS + 1, 0 },		/* too many */
	};
	struct rtslot_slot *many = calloc(RTSLOT_MAX_SLOTS + 1, sizeof(*many));
	struct rtslot_table tab = { .size = sizeof(tab) };
	uint64_t sw0, sw1;
	size_t i;

	ASSERT_NE(NULL, many);
	ASSERT_EQ(0, rt_stat("table_switches", &sw0));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tab.nslots = bad[i].n;
		tab.frame_ns = bad[i].frame;
		tab.slots = (uintptr_t)(bad[i].n > 2 ? many : bad[i].s);
		TH_LOG("case %zu", i);
		EXPECT_EQ(-EINVAL, rt_ioctl(self->fd, RTSLOT_IOC_SET_TABLE, &tab));
	}
	ASSERT_EQ(0, rt_stat("table_switches", &sw1));
	EXPECT_EQ(sw0, sw1);
	EXPECT_EQ(0, rt_slots_read(many, 1));
	free(many);
}

TEST_F(abi, table_unknown_owner_enoent)
{
	struct rtslot_slot slot = { .length_ns = MSEC(1), .task_id = 0xfffff };
	uint32_t gone;
	int fd = rt_open_task("gone", &gone);

	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(-ENOENT, rt_set_table(self->fd, &slot, 1));
	slot.task_id = gone;
	EXPECT_EQ(-ENOENT, rt_set_table(self->fd, &slot, 1));
	EXPECT_EQ(-EFAULT, rt_set_table(self->fd, NULL, 2));
	EXPECT_EQ(0, rt_slots_read(&slot, 1));
	/* A slack slot names nobody and is fine. */
	slot.task_id = RTSLOT_SLOT_SLACK;
	EXPECT_EQ(0, rt_set_table(self->fd, &slot, 1));
	EXPECT_EQ(1, rt_slots_read(&slot, 1));
}

TEST_F(abi, release_without_lease_enolck)
{
	struct rtslot_lease_request req;

	EXPECT_EQ(-ENOLCK, rt_release(self->fd, 0, NULL));
	ASSERT_EQ(0, rt_request(self->fd, MSEC(1), SEC(10), &req));
	EXPECT_EQ(0, rt_release(self->fd, 0, NULL));
	EXPECT_EQ(-ENOLCK, rt_release(self->fd, 0, NULL));
}

TEST_F(abi, request_while_holding_ebusy)
{
	struct rtslot_lease_request req, again;

	ASSERT_EQ(0, rt_request(self->fd, MSEC(1), SEC(10), &req));
	EXPECT_EQ(-EBUSY, rt_request(self->fd, MSEC(1), SEC(1), &again));
	EXPECT_EQ(0, rt_wait_task_state(self->id, "holding", 0));
	EXPECT_EQ(0, rt_release(self->fd, 0, NULL));
}

TEST_F(abi, request_bad_estimate)
{
	struct rtslot_slot slot = { .start_ns = 0, .length_ns = MSEC(5) };
	struct rtslot_lease_request req;

	EXPECT_EQ(-EINVAL, rt_request(self->fd, 0, SEC(1), &req));
	EXPECT_EQ(-E2BIG, rt_request(self->fd, RTSLOT_PERIOD_MAX_NS + 1, SEC(1), &req));
	/* Longer than the task's runtime: could never be granted. */
	ASSERT_EQ(0, rt_reserve(self->fd, MSEC(5), MSEC(50), MSEC(50), 0));
	EXPECT_EQ(-E2BIG, rt_request(self->fd, MSEC(5) + 1, SEC(1), &req));
	ASSERT_EQ(0, rt_reserve(self->fd, 0, 0, 0, 0));
	/* Longer than the frame while a table runs. */
	slot.task_id = self->id;
	ASSERT_EQ(0, rt_set_table(self->fd, &slot, 1));
	EXPECT_EQ(-E2BIG, rt_request(self->fd, MSEC(10) + 1, SEC(1), &req));
	EXPECT_EQ(0, rt_count_tasks("waiting"));
	EXPECT_EQ(0, rt_count_tasks("holding"));
}

TEST_F(abi, renew_without_lease_requests)
{
	const struct rtslot_lease_page *page = rt_map_page(self->fd);
	struct rtslot_lease_request a, b;
	struct rtslot_lease_page snap;

	ASSERT_NE(NULL, page);
	ASSERT_EQ(0, rt_renew(self->fd, MSEC(1), SEC(10), &a));
	EXPECT_EQ(1, a.generation);
	/* Renewing a held lease ends it and grants a new one. */
	ASSERT_EQ(0, rt_renew(self->fd, MSEC(1), SEC(10), &b));
	EXPECT_EQ(a.generation + 1, b.generation);
	rt_page_read(page, &snap);
	EXPECT_EQ(RTSLOT_LEASE_HELD, snap.state);
	EXPECT_EQ(b.lease_end_ns, snap.lease_end_ns);
	EXPECT_EQ(0, rt_release(self->fd, 0, NULL));
}

TEST_HARNESS_MAIN
