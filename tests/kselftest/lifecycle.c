// SPDX-License-Identifier: GPL-2.0
/*
 * Lifetimes: a process that dies (SIGKILL holding or waiting) or closes its
 * file frees everything and the next waiter is granted; the module stays
 * while a file or mapping is open; load and unload repeated, with module
 * parameters.  Needs the module file at $RTSLOT_KO (run-guest.sh --module).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "rtslot_test.h"

static const char *ko_path(void)
{
	const char *p = getenv("RTSLOT_KO");

	return p && *p ? p : RT_KO_DEFAULT;
}

static const char *ko_args(void)
{
	const char *a = getenv("RTSLOT_KO_ARGS");

	return a ? a : "";
}

static bool loaded(void)
{
	return access("/sys/module/rtslot", F_OK) == 0;
}

static int load(const char *args)
{
	int fd = open(ko_path(), O_RDONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, args, 0))
		ret = -errno;
	close(fd);
	return ret;
}

static int unload(void)
{
	return syscall(SYS_delete_module, "rtslot", O_NONBLOCK) ? -errno : 0;
}

/* Back to how the test found it: loaded with the boot's parameters. */
static int reload_default(void)
{
	if (loaded())
		return 0;
	return load(ko_args());
}

FIXTURE(life) {
	struct rt_config saved;
	struct rt_group *g;
	int *flag;
};

FIXTURE_SETUP(life)
{
	ASSERT_EQ(0, reload_default());
	ASSERT_EQ(0, rt_setup(&self->saved));
	ASSERT_EQ(0, rt_attr_write("policy", "edf"));
	ASSERT_EQ(0, rt_attr_write("overrun_action", "log"));
	self->g = rt_shared(sizeof(*self->g));
	ASSERT_NE(NULL, self->g);
	self->flag = rt_shared(sizeof(int));
	ASSERT_NE(NULL, self->flag);
}

FIXTURE_TEARDOWN(life)
{
	EXPECT_EQ(0, reload_default());
	EXPECT_EQ(0, rt_config_apply(&self->saved));
}

static int child_hold(void *arg, int idx)
{
	struct rtslot_lease_request out;
	int *flag = arg;
	int fd = rt_open_task("doomed", NULL);

	if (fd < 0 || rt_request(fd, SEC(5), SEC(10), &out))
		return 1;
	__atomic_store_n(flag, 1, __ATOMIC_RELEASE);
	for (;;)
		pause();
}

TEST_F_TIMEOUT(life, sigkill_while_holding, 120)
{
	struct rt_waiter *w = &self->g->w[0];
	uint64_t killed, holder, end = rt_now() + RT_SETTLE;
	pid_t h, pid;

	h = rt_spawn(child_hold, self->flag, 0);
	ASSERT_LT(0, h);
	while (!__atomic_load_n(self->flag, __ATOMIC_ACQUIRE) && rt_now() < end)
		rt_sleep(MSEC(1));
	ASSERT_EQ(1, *self->flag);
	w->est = MSEC(1);
	w->timeout = RT_SETTLE;
	pid = rt_start_waiter(self->g, 0);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, rt_wait_task_state(w->id, "waiting", RT_SETTLE));

	killed = rt_now();
	ASSERT_EQ(0, kill(h, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, rt_reap(h, RT_SETTLE));
	ASSERT_EQ(0, rt_reap(pid, RT_SETTLE));
	EXPECT_EQ(0, w->err);
	EXPECT_TRUE(rt_woken_in_time(w));
	EXPECT_EQ(1, w->order);
	EXPECT_LE(killed, w->granted_ns);
	EXPECT_EQ(0, w->release_err);
	EXPECT_EQ(0, rt_count_tasks(NULL));
	ASSERT_EQ(0, rt_stat("holder", &holder));
	EXPECT_EQ(0, holder);
}

TEST_F_TIMEOUT(life, sigkill_while_waiting, 120)
{
	struct rtslot_lease_request out;
	struct rt_task_row row;
	pid_t p0, p1;
	uint32_t id;
	int fd = rt_open_task("holder", &id);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, rt_request(fd, SEC(5), SEC(10), &out));
	self->g->w[0].est = self->g->w[1].est = MSEC(1);
	self->g->w[0].timeout = self->g->w[1].timeout = RT_SETTLE;
	/* First in line, then killed: the second must get it. */
	p0 = rt_start_waiter(self->g, 0);
	ASSERT_LT(0, p0);
	p1 = rt_start_waiter(self->g, 1);
	ASSERT_LT(0, p1);
	ASSERT_EQ(0, rt_wait_tasks("waiting", 2, RT_SETTLE));
	ASSERT_EQ(0, kill(p0, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, rt_reap(p0, RT_SETTLE));
	EXPECT_EQ(-ENOENT, rt_task_row(self->g->w[0].id, &row));
	EXPECT_EQ(1, rt_count_tasks("waiting"));

	ASSERT_EQ(0, rt_release(fd, 0, NULL));
	ASSERT_EQ(0, rt_reap(p1, RT_SETTLE));
	EXPECT_EQ(0, self->g->w[1].err);
	EXPECT_TRUE(rt_woken_in_time(&self->g->w[1]));
	EXPECT_EQ(1, self->g->w[1].order);
	EXPECT_EQ(0, self->g->w[0].order);
	close(fd);
}

TEST_F_TIMEOUT(life, close_releases_lease, 120)
{
	struct rtslot_lease_request out;
	uint64_t closed;
	pid_t pid;
	int fd = rt_open_task("closer", NULL);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, rt_request(fd, SEC(5), SEC(10), &out));
	self->g->w[0].est = MSEC(1);
	self->g->w[0].timeout = RT_SETTLE;
	pid = rt_start_waiter(self->g, 0);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, rt_wait_tasks("waiting", 1, RT_SETTLE));
	closed = rt_now();
	close(fd);
	ASSERT_EQ(0, rt_reap(pid, RT_SETTLE));
	EXPECT_EQ(0, self->g->w[0].err);
	EXPECT_TRUE(rt_woken_in_time(&self->g->w[0]));
	EXPECT_LE(closed, self->g->w[0].granted_ns);
}

TEST_F_TIMEOUT(life, rmmod_refused_while_open_or_mapped, 120)
{
	const struct rtslot_lease_page *page;
	struct rtslot_info info;
	int fd, ret;

	if (access(ko_path(), R_OK))
		SKIP(return, "no module file at %s", ko_path());
	fd = rt_open_task("pin", NULL);
	ASSERT_LE(0, fd);
	page = rt_map_page(fd);
	ASSERT_NE(NULL, page);

	ret = unload();
	EXPECT_TRUE(ret == -EWOULDBLOCK || ret == -EBUSY);
	EXPECT_TRUE(loaded());
	EXPECT_EQ(0, rt_info(fd, &info));
	/* The mapping alone still holds the file, and so the module. */
	close(fd);
	ret = unload();
	EXPECT_TRUE(ret == -EWOULDBLOCK || ret == -EBUSY);
	EXPECT_EQ(RTSLOT_ABI_VERSION, page->abi_version);

	ASSERT_EQ(0, munmap((void *)page, getpagesize()));
	ASSERT_EQ(0, unload());
	EXPECT_FALSE(loaded());
	EXPECT_EQ(-ENOENT, rt_open());
	EXPECT_NE(0, access(RT_SYSFS, F_OK));
	ASSERT_EQ(0, reload_default());
	fd = rt_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, rt_info(fd, &info));
	close(fd);
}

TEST_F_TIMEOUT(life, load_unload_repeated, 300)
{
	struct rtslot_lease_request out;
	struct rtslot_info info;
	int i, fd;

	if (access(ko_path(), R_OK))
		SKIP(return, "no module file at %s", ko_path());
	for (i = 0; i < 12; i++) {
		TH_LOG("round %d", i);
		if (loaded())
			ASSERT_EQ(0, unload());
		EXPECT_NE(0, access(RT_DEV, F_OK));
		ASSERT_EQ(0, load(ko_args()));
		/* Each load starts from scratch. */
		fd = rt_open_task("cycle", NULL);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, rt_info(fd, &info));
		EXPECT_EQ(1, info.ntasks);
		EXPECT_EQ(0, info.nslots);
		/* Long enough that the default overrun_action never revokes it. */
		ASSERT_EQ(0, rt_request(fd, SEC(1), SEC(10), &out));
		EXPECT_EQ(1, out.generation);
		EXPECT_EQ(0, rt_release(fd, 0, NULL));
		close(fd);
		EXPECT_EQ(0, unload());
		EXPECT_FALSE(loaded());
	}
	EXPECT_EQ(0, reload_default());
}

TEST_F_TIMEOUT(life, accels_parameter, 120)
{
	static const char *const names[] = { "gpu0", "dla0", "npu_1.x" };
	struct rtslot_info info;
	char path[64];
	int i, fd;

	if (access(ko_path(), R_OK))
		SKIP(return, "no module file at %s", ko_path());
	ASSERT_EQ(0, unload());
	/* Refused: empty, repeated, bad characters, too many names. */
	EXPECT_EQ(-EINVAL, load("accels="));
	EXPECT_EQ(-EINVAL, load("accels=gpu0,gpu0"));
	EXPECT_EQ(-EINVAL, load("accels=gpu/0"));
	EXPECT_EQ(-EINVAL, load("accels=a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q"));
	EXPECT_FALSE(loaded());

	ASSERT_EQ(0, load("accels=gpu0,dla0,npu_1.x"));
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/dev/rtslot%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, rt_info(fd, &info));
		EXPECT_EQ(i, info.index);
		EXPECT_STREQ(names[i], info.name);
		close(fd);
	}
	EXPECT_NE(0, access("/dev/rtslot3", F_OK));
	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, reload_default());
}

TEST_HARNESS_MAIN
