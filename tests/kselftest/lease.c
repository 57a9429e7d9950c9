// SPDX-License-Identifier: GPL-2.0
/*
 * Leases seen from one task: the read-only lease page and its seqcount,
 * timeouts, signals, and the yield request a more urgent waiter raises.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "rtslot_test.h"

FIXTURE(lease) {
	struct rt_config saved;
	int fd;
	uint32_t id;
	const struct rtslot_lease_page *page;
	struct rt_group *g;
};

FIXTURE_SETUP(lease)
{
	ASSERT_EQ(0, rt_setup(&self->saved));
	ASSERT_EQ(0, rt_attr_write("policy", "edf"));
	/* Holders here hold on purpose: count overruns, take nothing back. */
	ASSERT_EQ(0, rt_attr_write("overrun_action", "log"));
	self->fd = rt_open_task("lease", &self->id);
	ASSERT_LE(0, self->fd);
	self->page = rt_map_page(self->fd);
	ASSERT_NE(NULL, self->page);
	self->g = rt_shared(sizeof(*self->g));
	ASSERT_NE(NULL, self->g);
}

FIXTURE_TEARDOWN(lease)
{
	close(self->fd);
	EXPECT_EQ(0, rt_config_apply(&self->saved));
}

TEST_F_TIMEOUT(lease, page_initial_contents, 120)
{
	struct rtslot_lease_page snap;

	rt_page_read(self->page, &snap);
	EXPECT_EQ(0, snap.seq & 1);
	EXPECT_EQ(RTSLOT_LEASE_NONE, snap.state);
	EXPECT_EQ(self->id, snap.task_id);
	EXPECT_EQ(RTSLOT_ABI_VERSION, snap.abi_version);
	EXPECT_EQ(0, snap.generation);
	EXPECT_EQ(0, snap.lease_end_ns);
	EXPECT_EQ(0, snap.granted_ns);
	EXPECT_EQ(0, snap.yield_requested);
}

TEST_F_TIMEOUT(lease, page_is_read_only, 120)
{
	long page = getpagesize();
	void *p;

	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EPERM, errno);
	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EPERM, errno);
	/* Nor can a read-only mapping be made writable later. */
	EXPECT_EQ(-1, mprotect((void *)self->page, page, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	/* One page at offset 0, nothing else. */
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, self->fd, page);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, 2 * page, PROT_READ, MAP_SHARED, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
}

TEST_F_TIMEOUT(lease, page_follows_each_grant, 120)
{
	struct rtslot_lease_page snap, prev;
	struct rtslot_lease_request out;
	uint64_t before, after;
	int i;

	rt_page_read(self->page, &prev);
	for (i = 1; i <= 5; i++) {
		before = rt_now();
		ASSERT_EQ(0, rt_request(self->fd, MSEC(2), SEC(10), &out));
		after = rt_now();
		rt_page_read(self->page, &snap);
		EXPECT_EQ(RTSLOT_LEASE_HELD, snap.state);
		EXPECT_EQ(i, snap.generation);
		EXPECT_EQ(out.generation, snap.generation);
		EXPECT_EQ(out.lease_end_ns, snap.lease_end_ns);
		EXPECT_LE(before, snap.granted_ns);
		EXPECT_GE(after, snap.granted_ns);
		/* Best effort: exactly as long as the work asked for. */
		EXPECT_EQ(snap.granted_ns + MSEC(2), snap.lease_end_ns);
		EXPECT_EQ(0, snap.seq & 1);
		EXPECT_LT(prev.seq, snap.seq);

		ASSERT_EQ(0, rt_release(self->fd, 0, NULL));
		rt_page_read(self->page, &prev);
		EXPECT_EQ(RTSLOT_LEASE_NONE, prev.state);
		EXPECT_EQ(0, prev.lease_end_ns);
		EXPECT_EQ(i, prev.generation);
		EXPECT_LT(snap.seq, prev.seq);
	}
}

TEST_F_TIMEOUT(lease, page_guard_follows_config, 120)
{
	struct rtslot_lease_page snap;
	struct rtslot_info info;

	ASSERT_EQ(0, rt_attr_write("guard_us", "1500"));
	rt_page_read(self->page, &snap);
	EXPECT_EQ(USEC(1500), snap.guard_ns);
	/* The preemption latency counts only where it applies. */
	ASSERT_EQ(0, rt_attr_write("preempt_latency_us", "700"));
	rt_page_read(self->page, &snap);
	EXPECT_EQ(USEC(1500), snap.guard_ns);
	ASSERT_EQ(0, rt_attr_write("preempt_mode", "instruction"));
	rt_page_read(self->page, &snap);
	EXPECT_EQ(USEC(2200), snap.guard_ns);
	ASSERT_EQ(0, rt_info(self->fd, &info));
	EXPECT_EQ(USEC(2200), info.guard_ns);
}

TEST_F_TIMEOUT(lease, mapping_keeps_task_until_unmapped, 120)
{
	struct rtslot_lease_page snap;
	struct rtslot_lease_request out;
	struct rt_task_row row;

	ASSERT_EQ(0, rt_request(self->fd, MSEC(2), SEC(10), &out));
	close(self->fd);
	self->fd = -1;
	/* The mapping holds the file: task and lease live on. */
	rt_page_read(self->page, &snap);
	EXPECT_EQ(self->id, snap.task_id);
	EXPECT_EQ(RTSLOT_LEASE_HELD, snap.state);
	EXPECT_EQ(out.generation, snap.generation);
	EXPECT_EQ(0, rt_task_row(self->id, &row));
	/* The last reference gone, so is the task with its lease. */
	ASSERT_EQ(0, munmap((void *)self->page, getpagesize()));
	EXPECT_EQ(-ENOENT, rt_task_row(self->id, &row));
	EXPECT_EQ(0, rt_count_tasks(NULL));
	EXPECT_EQ(0, rt_count_tasks("holding"));
}

TEST_F_TIMEOUT(lease, timeout_etime, 120)
{
	struct rtslot_lease_request out;
	struct rtslot_lease_page snap;
	uint64_t c0, c1;
	uint32_t id;
	int fd = rt_open_task("holder", &id);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, rt_request(fd, SEC(5), SEC(10), &out));
	ASSERT_EQ(0, rt_stat("cancels", &c0));
	EXPECT_EQ(-ETIME, rt_request(self->fd, MSEC(1), MSEC(50), &out));
	ASSERT_EQ(0, rt_stat("cancels", &c1));
	EXPECT_EQ(c0 + 1, c1);
	rt_page_read(self->page, &snap);
	EXPECT_EQ(RTSLOT_LEASE_NONE, snap.state);
	EXPECT_EQ(0, rt_wait_task_state(self->id, "idle", 0));

	/* Nothing of the withdrawn request is left: the next one is granted. */
	ASSERT_EQ(0, rt_release(fd, 0, NULL));
	ASSERT_EQ(0, rt_request(self->fd, MSEC(1), SEC(10), &out));
	EXPECT_EQ(1, out.generation);
	EXPECT_EQ(0, rt_release(self->fd, 0, NULL));
	close(fd);
}

static void on_signal(int sig)
{
}

/* Interrupted while queued, then queued again (to time out behind the holder). */
static int child_interrupted(void *arg, int idx)
{
	int *state = arg;
	struct sigaction sa = { .sa_handler = on_signal };
	struct rtslot_lease_request out;
	int fd, ret;

	sa.sa_flags = idx ? SA_RESTART : 0;
	if (sigaction(SIGUSR1, &sa, NULL))
		return 1;
	fd = rt_open_task("sig", NULL);
	if (fd < 0)
		return 2;
	ret = rt_request(fd, MSEC(1), 0, &out);
	if (ret != -EINTR)
		return 3;
	if (rt_request(fd, MSEC(1), MSEC(20), &out) != -ETIME)
		return 4;
	__atomic_store_n(state, 1, __ATOMIC_RELEASE);
	return 0;
}

TEST_F_TIMEOUT(lease, signal_eintr, 120)
{
	struct rtslot_lease_request out;
	int *state = rt_shared(sizeof(int));
	int restart;
	pid_t pid;

	ASSERT_NE(NULL, state);
	ASSERT_EQ(0, rt_request(self->fd, SEC(5), SEC(10), &out));
	/* Not restarted even under SA_RESTART: the timeout is relative. */
	for (restart = 0; restart <= 1; restart++) {
		pid = rt_spawn(child_interrupted, state, restart);
		ASSERT_LT(0, pid);
		ASSERT_EQ(0, rt_wait_tasks("waiting", 1, RT_SETTLE));
		ASSERT_EQ(0, kill(pid, SIGUSR1));
		EXPECT_EQ(0, rt_reap(pid, RT_SETTLE));
		EXPECT_EQ(1, *state);
		*state = 0;
	}
	EXPECT_EQ(0, rt_release(self->fd, 0, NULL));
}

TEST_F_TIMEOUT(lease, yield_requested_by_urgent_waiter, 120)
{
	struct rt_waiter *w = &self->g->w[0];
	struct rtslot_lease_request out, renewed;
	struct rtslot_lease_page snap;
	uint64_t end;
	pid_t pid;

	ASSERT_EQ(0, rt_request(self->fd, SEC(5), SEC(10), &out));
	rt_page_read(self->page, &snap);
	EXPECT_EQ(0, snap.yield_requested);

	/* A reserved waiter has a deadline; best effort has none. */
	w->reserve = true;
	w->runtime = MSEC(20);
	w->deadline = w->period = SEC(2);
	w->est = MSEC(1);
	w->timeout = RT_SETTLE;
	pid = rt_start_waiter(self->g, 0);
	ASSERT_LT(0, pid);
	end = rt_now() + RT_SETTLE;
	do {
		rt_page_read(self->page, &snap);
	} while (!snap.yield_requested && rt_now() < end);
	EXPECT_EQ(1, snap.yield_requested);
	EXPECT_EQ(RTSLOT_LEASE_HELD, snap.state);
	EXPECT_EQ(out.lease_end_ns, snap.lease_end_ns);

	/* Renewing gives way: the waiter runs first, then we get it back. */
	ASSERT_EQ(0, rt_renew(self->fd, MSEC(1), RT_SETTLE, &renewed));
	EXPECT_EQ(1, w->order);
	EXPECT_EQ(out.generation + 1, renewed.generation);
	rt_page_read(self->page, &snap);
	EXPECT_EQ(0, snap.yield_requested);
	EXPECT_EQ(0, rt_reap(pid, RT_SETTLE));
	EXPECT_EQ(0, w->err);
	EXPECT_TRUE(rt_woken_in_time(w));
	EXPECT_EQ(0, w->release_err);
	EXPECT_LE(w->released_ns, rt_now());
	EXPECT_EQ(0, rt_release(self->fd, 0, NULL));
}

TEST_F_TIMEOUT(lease, renew_keeps_device_without_rival, 120)
{
	struct rtslot_lease_request a, b;
	uint64_t held;

	ASSERT_EQ(0, rt_request(self->fd, MSEC(1), SEC(10), &a));
	ASSERT_EQ(0, rt_renew(self->fd, MSEC(1), SEC(10), &b));
	EXPECT_EQ(a.generation + 1, b.generation);
	EXPECT_EQ(0, b.wait_ns);
	ASSERT_EQ(0, rt_release(self->fd, 1234, &held));
	EXPECT_LT(0, held);
}

struct renewer {
	int fd;
	int rounds;		/* done so far */
	int held_seen;		/* snapshots of a held lease the reader took */
	int err;
	int done;
};

/* Renew until the reader has seen enough of it, at least 300 times. */
static void *renew_loop(void *arg)
{
	struct renewer *r = arg;
	struct rtslot_lease_request out;

	while (!r->err && r->rounds < 100000 &&
	       (r->rounds < 300 || __atomic_load_n(&r->held_seen, __ATOMIC_ACQUIRE) < 100)) {
		r->err = rt_renew(r->fd, MSEC(3), SEC(10), &out);
		r->rounds++;
	}
	if (!r->err)
		r->err = rt_release(r->fd, 0, NULL);
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* A reader racing the updates never sees a half-written lease. */
TEST_F_TIMEOUT(lease, page_snapshots_consistent, 120)
{
	struct renewer r = { .fd = self->fd };
	struct rtslot_lease_page snap;
	uint64_t last_gen = 0;
	pthread_t th;

	ASSERT_EQ(0, pthread_create(&th, NULL, renew_loop, &r));
	while (!__atomic_load_n(&r.done, __ATOMIC_ACQUIRE)) {
		rt_page_read(self->page, &snap);
		EXPECT_EQ(0, snap.seq & 1);
		EXPECT_LE(last_gen, snap.generation);
		last_gen = snap.generation;
		if (snap.state == RTSLOT_LEASE_HELD) {
			__atomic_add_fetch(&r.held_seen, 1, __ATOMIC_RELEASE);
			EXPECT_EQ(snap.granted_ns + MSEC(3), snap.lease_end_ns);
		} else {
			EXPECT_EQ(0, snap.lease_end_ns);
		}
		if (!_metadata->passed)
			break;
	}
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, r.err);
	EXPECT_LE(100, r.held_seen);
	rt_page_read(self->page, &snap);
	EXPECT_EQ(r.rounds, snap.generation);
	EXPECT_EQ(RTSLOT_LEASE_NONE, snap.state);
}

static void *request_forever(void *arg)
{
	struct renewer *r = arg;
	struct rtslot_lease_request out;

	r->err = rt_request(r->fd, MSEC(1), SEC(20), &out);
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Two threads of one file are one task: it waits for one lease at a time. */
TEST_F_TIMEOUT(lease, second_request_while_waiting_ebusy, 120)
{
	struct renewer r = { .fd = self->fd };
	struct rtslot_lease_request out;
	pthread_t th;
	uint32_t hid;
	int holder = rt_open_task("holder", &hid);

	ASSERT_LE(0, holder);
	ASSERT_EQ(0, rt_request(holder, SEC(5), SEC(10), &out));
	ASSERT_EQ(0, pthread_create(&th, NULL, request_forever, &r));
	ASSERT_EQ(0, rt_wait_task_state(self->id, "waiting", RT_SETTLE));
	EXPECT_EQ(-EBUSY, rt_request(self->fd, MSEC(1), SEC(1), &out));
	EXPECT_EQ(-EBUSY, rt_renew(self->fd, MSEC(1), SEC(1), &out));
	EXPECT_EQ(-ENOLCK, rt_release(self->fd, 0, NULL));
	/* The first request is still queued and gets the lease. */
	EXPECT_EQ(0, r.done);
	ASSERT_EQ(0, rt_release(holder, 0, NULL));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, r.err);
	EXPECT_EQ(0, rt_release(self->fd, 0, NULL));
	close(holder);
}

TEST_HARNESS_MAIN
