// SPDX-License-Identifier: GPL-2.0
/*
 * Privileged ioctls need CAP_SYS_NICE (as SCHED_DEADLINE does) and the
 * configuration in sysfs is root's; leases themselves are anyone's.  Each
 * case drops privileges in a child and reports the first step that went
 * wrong as its exit status.
 */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "rtslot_test.h"

static int caps_keep_only(int keep, int drop)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	int i;

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	for (i = 0; i < 2; i++) {
		if (keep >= 0) {
			data[i].effective = 0;
			data[i].permitted = 0;
			data[i].inheritable = 0;
			if (keep / 32 == i) {
				data[i].effective = 1u << (keep % 32);
				data[i].permitted = 1u << (keep % 32);
			}
		}
		if (drop >= 0 && drop / 32 == i) {
			data[i].effective &= ~(1u << (drop % 32));
			data[i].permitted &= ~(1u << (drop % 32));
		}
	}
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

/* What an unprivileged task may and may not do; 0 when all as documented. */
static int check_unprivileged(void)
{
	struct rtslot_slot slot = { .length_ns = MSEC(1) };
	struct rtslot_lease_request req;
	struct rtslot_info info;
	struct rt_task_row row;
	uint32_t id;
	int fd = rt_open_task("unpriv", &id);

	if (fd < 0)
		return 10;
	if (rt_info(fd, &info))
		return 11;
	if (rt_reserve(fd, MSEC(1), MSEC(10), MSEC(10), 0) != -EPERM)
		return 12;
	/* Even clearing, or only a priority. */
	if (rt_reserve(fd, 0, 0, 0, 50) != -EPERM)
		return 13;
	slot.task_id = id;
	if (rt_set_table(fd, &slot, 1) != -EPERM)
		return 14;
	if (rt_set_table(fd, &slot, 0) != -EPERM)
		return 15;
	if (rt_task_row(id, &row) || row.runtime || row.prio)
		return 16;
	if (rt_slots_read(&slot, 1) != 0)
		return 17;
	if (rt_request(fd, SEC(1), SEC(10), &req) || rt_release(fd, 0, NULL))
		return 18;
	return 0;
}

static int child_no_sys_nice(void *arg, int idx)
{
	if (caps_keep_only(-1, CAP_SYS_NICE))
		return 1;
	return check_unprivileged();
}

static int child_only_sys_nice(void *arg, int idx)
{
	struct rtslot_slot slot = { .length_ns = MSEC(1) };
	uint32_t id;
	int fd;

	if (caps_keep_only(CAP_SYS_NICE, -1))
		return 1;
	fd = rt_open_task("nice", &id);
	if (fd < 0)
		return 2;
	if (rt_reserve(fd, MSEC(1), MSEC(10), MSEC(10), 3))
		return 3;
	slot.task_id = id;
	if (rt_set_table(fd, &slot, 1))
		return 4;
	return 0;
}

static int child_nobody(void *arg, int idx)
{
	char before[32], after[32];
	int ret;

	if (rt_attr_read("guard_us", before, sizeof(before)))
		return 1;
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		return 2;
	ret = check_unprivileged();
	if (ret)
		return ret;
	if (rt_attr_write("guard_us", "1000") != -EACCES)
		return 3;
	if (rt_attr_write("frame_us", "20000") != -EACCES)
		return 4;
	if (rt_attr_read("guard_us", after, sizeof(after)) || strcmp(before, after))
		return 5;
	return 0;
}

FIXTURE(priv) {
	struct rt_config saved;
};

FIXTURE_SETUP(priv)
{
	ASSERT_EQ(0, rt_setup(&self->saved));
	ASSERT_EQ(0, rt_attr_write("overrun_action", "log"));
}

FIXTURE_TEARDOWN(priv)
{
	EXPECT_EQ(0, rt_config_apply(&self->saved));
}

TEST_F_TIMEOUT(priv, without_cap_sys_nice_eperm, 120)
{
	EXPECT_EQ(0, rt_reap(rt_spawn(child_no_sys_nice, NULL, 0), RT_SETTLE));
}

TEST_F_TIMEOUT(priv, cap_sys_nice_alone_suffices, 120)
{
	EXPECT_EQ(0, rt_reap(rt_spawn(child_only_sys_nice, NULL, 0), RT_SETTLE));
}

TEST_F_TIMEOUT(priv, nobody_eperm_and_no_sysfs_writes, 120)
{
	EXPECT_EQ(0, rt_reap(rt_spawn(child_nobody, NULL, 0), RT_SETTLE));
}

TEST_F_TIMEOUT(priv, root_may, 120)
{
	struct rtslot_slot slot = { .length_ns = MSEC(1) };
	uint32_t id;
	int fd = rt_open_task("root", &id);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, rt_reserve(fd, MSEC(1), MSEC(10), MSEC(10), 0));
	slot.task_id = id;
	EXPECT_EQ(0, rt_set_table(fd, &slot, 1));
	close(fd);
}

TEST_HARNESS_MAIN
