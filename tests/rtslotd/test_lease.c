// SPDX-License-Identifier: GPL-2.0
/*
 * Leases of the user backend across processes: one holder at a time, the
 * next waiter granted when a holder dies, timeouts that cancel, overruns
 * revoked by the daemon's timer, clients that outlive the daemon.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "rtslot/dev.h"
#include "rd_test.h"

FIXTURE(lease) {
	struct rdt d;
	struct rtslotc *c;
};

FIXTURE_SETUP(lease)
{
	ASSERT_EQ(0, rdt_start(&self->d, "edf", RDT_KEEP_LEASES));
	ASSERT_EQ(0, rdt_connect(&self->d, &self->c));
}

FIXTURE_TEARDOWN(lease)
{
	rtslotc_close(self->c);
	EXPECT_EQ(0, rdt_stop(&self->d));
	rdt_cleanup(&self->d);
}

static struct rtslotc_task *task(struct __test_metadata *_metadata, struct rtslotc *c,
				 const char *name)
{
	struct rtslotc_params p;
	struct rtslotc_task *t = NULL;

	rdt_params(&p, name, 100000, 1000);
	p.criticality = RSP_CRIT_BEST_EFFORT;
	EXPECT_EQ(0, rtslotc_register(c, &p, &t, NULL, NULL, 0));
	return t;
}

/* A child that takes a lease, says so on the pipe, and waits to be killed. */
static pid_t holder(const struct rdt *d, int wfd)
{
	pid_t pid = fork();
	struct rtslotc_params p;
	struct rtslotc_task *t;
	struct rtslotc *c;

	if (pid)
		return pid;
	rdt_params(&p, "doomed", 100000, 1000);
	p.criticality = RSP_CRIT_BEST_EFFORT;
	if (rdt_connect(d, &c) || rtslotc_register(c, &p, &t, NULL, NULL, 0) ||
	    rtslotc_lease_request(t, 1000000, RDT_SETTLE_NS))
		_exit(1);
	if (write(wfd, "h", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

TEST_F(lease, killed_holder_hands_over)
{
	struct rtslotc_task *t = task(_metadata, self->c, "waiter");
	struct rsp_stats s;
	int pfd[2], st;
	pid_t pid;
	char b;

	ASSERT_NE(NULL, t);
	ASSERT_EQ(0, pipe(pfd));
	pid = holder(&self->d, pfd[1]);
	ASSERT_LT(0, pid);
	ASSERT_EQ(1, read(pfd[0], &b, 1));
	ASSERT_EQ(RTSLOT_LEASE_WAITING, rdt_lease_msg(self->c, t, RSP_LEASE_REQUEST, 10000));
	/* Nobody else can hand the lease over: it stays ours to wait for. */
	rdt_sleep_us(20000);
	EXPECT_EQ(RTSLOT_LEASE_WAITING, rtslotc_page(t)->state);

	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_EQ(0, rdt_wait_state(rtslotc_page(t), RTSLOT_LEASE_HELD, RDT_SETTLE_NS));
	ASSERT_EQ(0, rtslotc_stats(self->c, &s));
	EXPECT_EQ(1, s.cleanups);
	EXPECT_EQ(1, s.tasks);
	EXPECT_EQ(1, s.holders);
	EXPECT_EQ(0, s.waiters);
	EXPECT_EQ(2, s.grants);
	EXPECT_EQ(0, rtslotc_lease_release(t, 0, NULL));
	EXPECT_EQ(0, rtslotc_unregister(t));
	close(pfd[0]);
	close(pfd[1]);
}

TEST_F(lease, killed_waiter_is_forgotten)
{
	struct rtslotc_task *t = task(_metadata, self->c, "holder");
	struct rsp_stats s;
	int pfd[2], i;
	pid_t pid;
	char b;

	ASSERT_NE(NULL, t);
	ASSERT_EQ(0, rtslotc_lease_request(t, 1000000, RDT_SETTLE_NS));
	ASSERT_EQ(0, pipe(pfd));
	/* The child queues behind us, says so, and blocks in the futex wait. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct rtslotc *c;
		struct rtslotc_task *w;

		if (rdt_connect(&self->d, &c))
			_exit(1);
		w = task(_metadata, c, "victim");
		if (!w || write(pfd[1], "w", 1) != 1)
			_exit(1);
		rtslotc_lease_request(w, 1000, 0);
		_exit(2);
	}
	ASSERT_EQ(1, read(pfd[0], &b, 1));
	for (i = 0; i < 20000; i++) {
		ASSERT_EQ(0, rtslotc_stats(self->c, &s));
		if (s.waiters)
			break;
		rdt_sleep_us(1000);
	}
	ASSERT_EQ(1, s.waiters);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	for (i = 0; i < 20000; i++) {
		ASSERT_EQ(0, rtslotc_stats(self->c, &s));
		if (s.tasks == 1)
			break;
		rdt_sleep_us(1000);
	}
	EXPECT_EQ(0, rtslotc_lease_release(t, 0, NULL));
	ASSERT_EQ(0, rtslotc_stats(self->c, &s));
	EXPECT_EQ(1, s.tasks);
	EXPECT_EQ(1, s.cleanups);
	EXPECT_EQ(0, s.waiters);
	EXPECT_EQ(0, s.holders);
	EXPECT_EQ(1, s.grants);
	EXPECT_EQ(0, rtslotc_unregister(t));
	close(pfd[0]);
	close(pfd[1]);
}

/* Processes hammering one device: never two holders, every grant released. */
TEST_F(lease, one_holder_at_a_time)
{
	enum { PROCS = 4, ROUNDS = 150 };
	uint32_t *shared;
	struct rsp_stats s;
	int i, st, bad = 0;
	pid_t pid[PROCS];

	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, shared);
	shared[0] = 0;	/* the holder, 0 none */
	shared[1] = 0;	/* violations */
	for (i = 0; i < PROCS; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i]) {
			struct rtslotc *c;
			struct rtslotc_task *t;
			char name[16];
			uint32_t me = (uint32_t)i + 1, none;
			int k;

			snprintf(name, sizeof(name), "p%d", i);
			if (rdt_connect(&self->d, &c))
				_exit(1);
			t = task(_metadata, c, name);
			if (!t)
				_exit(1);
			for (k = 0; k < ROUNDS; k++) {
				if (rtslotc_lease_request(t, 200000, RDT_SETTLE_NS))
					_exit(3);
				none = 0;
				if (!__atomic_compare_exchange_n(&shared[0], &none, me, 0,
								 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
					__atomic_add_fetch(&shared[1], 1, __ATOMIC_SEQ_CST);
				rdt_sleep_us(20);
				__atomic_store_n(&shared[0], 0, __ATOMIC_SEQ_CST);
				if (rtslotc_lease_release(t, 0, NULL))
					_exit(4);
			}
			rtslotc_unregister(t);
			rtslotc_close(c);
			_exit(0);
		}
	}
	for (i = 0; i < PROCS; i++) {
		ASSERT_EQ(pid[i], waitpid(pid[i], &st, 0));
		EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) bad = 1;
	}
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, shared[1]);
	ASSERT_EQ(0, rtslotc_stats(self->c, &s));
	EXPECT_EQ(PROCS * ROUNDS, s.grants);
	EXPECT_EQ(PROCS * ROUNDS, s.releases);
	EXPECT_EQ(0, s.tasks);
	EXPECT_EQ(0, s.holders);
	EXPECT_EQ(0, s.waiters);
	EXPECT_EQ(0, s.errors);
	munmap(shared, 4096);
}

TEST_F(lease, timeout_cancels_the_request)
{
	struct rtslotc_task *a = task(_metadata, self->c, "a");
	struct rtslotc_task *b = task(_metadata, self->c, "b");
	struct rtslot_lease_snap snap;
	struct rsp_stats s;

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, rtslotc_lease_request(a, 1000000, RDT_SETTLE_NS));
	EXPECT_EQ(-ETIME, rtslotc_lease_request(b, 1000, 30ULL * 1000 * 1000));
	rtslot_lease_read(rtslotc_page(b), &snap);
	EXPECT_EQ(RTSLOT_LEASE_NONE, snap.state);
	ASSERT_EQ(0, rtslotc_stats(self->c, &s));
	EXPECT_EQ(1, s.cancels);
	EXPECT_EQ(0, s.waiters);
	/* The release grants nobody: b gave up. */
	EXPECT_EQ(0, rtslotc_lease_release(a, 0, NULL));
	ASSERT_EQ(0, rtslotc_stats(self->c, &s));
	EXPECT_EQ(1, s.grants);
	EXPECT_EQ(0, rtslotc_unregister(a));
	EXPECT_EQ(0, rtslotc_unregister(b));
}

struct waiter {
	struct rtslotc_task *t;
	int ret, done;
};

static void *wait_lease(void *p)
{
	struct waiter *w = p;

	w->ret = rtslotc_lease_request(w->t, 1000, RDT_SETTLE_NS);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * A connection is shared by threads: a reply on its way to another
 * thread is no hang-up for a thread waiting on its lease page.
 */
TEST_F(lease, waiter_shares_its_connection)
{
	struct rtslotc_task *h = task(_metadata, self->c, "holder");
	struct waiter w = { 0 };
	union rsp_msg m, r;
	struct rtslotc *c2;
	struct stat st;
	pthread_t th;
	int sfd;

	ASSERT_NE(NULL, h);
	ASSERT_EQ(0, rtslotc_lease_request(h, 1000000, RDT_SETTLE_NS));
	/* The connection's socket takes the lowest free descriptor. */
	sfd = dup(0);
	ASSERT_LE(0, sfd);
	close(sfd);
	ASSERT_EQ(0, rdt_connect(&self->d, &c2));
	ASSERT_EQ(0, fstat(sfd, &st));
	ASSERT_TRUE(S_ISSOCK(st.st_mode));
	w.t = task(_metadata, c2, "waiter");
	ASSERT_NE(NULL, w.t);
	ASSERT_EQ(0, pthread_create(&th, NULL, wait_lease, &w));
	ASSERT_EQ(0, rdt_wait_state(rtslotc_page(w.t), RTSLOT_LEASE_WAITING, RDT_SETTLE_NS));

	/* Another thread's request is answered; its reply waits on the socket. */
	memset(&m, 0, sizeof(m));
	rsp_init(&m.hdr, RSP_STATS, 0x7fff);
	ASSERT_EQ((ssize_t)m.hdr.size, send(sfd, &m, m.hdr.size, MSG_NOSIGNAL));
	rdt_sleep_us(20000);
	syscall(SYS_futex, &rtslotc_page(w.t)->seq, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
	/* Past one liveness check of the waiter as well. */
	rdt_sleep_us(250000);
	EXPECT_EQ(0, __atomic_load_n(&w.done, __ATOMIC_ACQUIRE)) TH_LOG("waiter gave up: %d", w.ret);
	ASSERT_LT(0, recv(sfd, &r, sizeof(r), 0));
	EXPECT_EQ(0x7fff, r.hdr.seq);

	ASSERT_EQ(0, rtslotc_lease_release(h, 0, NULL));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(0, rtslotc_lease_release(w.t, 0, NULL));
	EXPECT_EQ(0, rtslotc_unregister(w.t));
	EXPECT_EQ(0, rtslotc_unregister(h));
	rtslotc_close(c2);
}

/*
 * The blocking admission charges a task is the longest lease it gets: its
 * declared longest kernel, best effort or not, shown on its lease page.
 */
TEST_F(lease, leases_are_bounded_by_the_declared_kernel)
{
	struct rtslotc_task *be, *rt, *blank;
	struct rtslotc_params p;

	rdt_params(&p, "hog", 100000, 40000);
	p.criticality = RSP_CRIT_BEST_EFFORT;
	p.max_kernel_us = 2000;
	ASSERT_EQ(0, rtslotc_register(self->c, &p, &be, NULL, NULL, 0));
	EXPECT_EQ(2000000, rtslotc_page(be)->max_lease_ns);
	EXPECT_EQ(-E2BIG, rtslotc_lease_request(be, 2000001, RDT_SETTLE_NS));
	ASSERT_EQ(0, rtslotc_lease_request(be, 2000000, RDT_SETTLE_NS));
	EXPECT_EQ(0, rtslotc_lease_release(be, 0, NULL));

	/* An admitted task's bound is its own longest kernel too. */
	rdt_params(&p, "cam", 100000, 9000);
	p.kernels = 3;
	ASSERT_EQ(0, rtslotc_register(self->c, &p, &rt, NULL, NULL, 0));
	EXPECT_EQ(3000000, rtslotc_page(rt)->max_lease_ns);
	EXPECT_EQ(-E2BIG, rtslotc_lease_request(rt, 3000001, RDT_SETTLE_NS));

	/* Nothing declared: the accelerator's unknown_kernel_us until learned. */
	rdt_params(&p, "blank", 100000, 0);
	p.criticality = RSP_CRIT_BEST_EFFORT;
	ASSERT_EQ(0, rtslotc_register(self->c, &p, &blank, NULL, NULL, 0));
	EXPECT_EQ(2000000, rtslotc_page(blank)->max_lease_ns);
	EXPECT_EQ(-E2BIG, rtslotc_lease_request(blank, 2000001, RDT_SETTLE_NS));
	EXPECT_EQ(0, rtslotc_unregister(blank));
	EXPECT_EQ(0, rtslotc_unregister(rt));
	EXPECT_EQ(0, rtslotc_unregister(be));
}

/* The daemon's timeout fires at lease end + grace and takes the lease back. */
TEST(overrun_is_revoked_by_the_timer)
{
	struct rtslotc_task *t, *w;
	struct rtslotc_params p;
	struct rsp_stats s;
	struct rtslotc *c;
	struct rdt d;

	ASSERT_EQ(0, rdt_start(&d, "edf", ", \"accelerators\": [ { \"name\": \"gpu0\", "
			       "\"overrun_action\": \"revoke\", \"overrun_grace_us\": 1000 } ]"));
	ASSERT_EQ(0, rdt_connect(&d, &c));
	rdt_params(&p, "greedy", 100000, 1000);
	p.criticality = RSP_CRIT_BEST_EFFORT;
	ASSERT_EQ(0, rtslotc_register(c, &p, &t, NULL, NULL, 0));
	/*
	 * Keep holding; the waiter gets the device once the holder is revoked,
	 * and asks for long enough that it is not revoked in turn before the
	 * checks below are done, however slow the machine: a lease may be no
	 * longer than the work its task declared, so it declares a second.
	 */
	rdt_params(&p, "next", 5000000, 1000000);
	p.criticality = RSP_CRIT_BEST_EFFORT;
	ASSERT_EQ(0, rtslotc_register(c, &p, &w, NULL, NULL, 0));
	ASSERT_EQ(0, rtslotc_lease_request(t, 1000000, RDT_SETTLE_NS));
	ASSERT_EQ(0, rtslotc_lease_request(w, 1000ULL * 1000 * 1000, RDT_SETTLE_NS));
	EXPECT_EQ(RTSLOT_LEASE_NONE, rtslotc_page(t)->state);
	EXPECT_EQ(-ENOLCK, rtslotc_lease_release(t, 0, NULL));
	ASSERT_EQ(0, rtslotc_stats(c, &s));
	EXPECT_EQ(1, s.revokes);
	EXPECT_EQ(1, s.overruns);
	EXPECT_EQ(1, s.holders);
	EXPECT_EQ(0, rtslotc_lease_release(w, 0, NULL));
	rtslotc_close(c);
	EXPECT_EQ(0, rdt_stop(&d));
	rdt_cleanup(&d);
}

/* A waiter in the futex wait does not hang when rtslotd goes away. */
TEST(waiter_outlives_the_daemon)
{
	struct rtslotc_task *a;
	struct rtslotc_params p;
	struct rsp_stats s;
	struct rtslotc *c;
	struct rdt d;
	int i, st;
	pid_t pid;

	ASSERT_EQ(0, rdt_start(&d, "edf", RDT_KEEP_LEASES));
	ASSERT_EQ(0, rdt_connect(&d, &c));
	rdt_params(&p, "a", 100000, 1000);
	p.criticality = RSP_CRIT_BEST_EFFORT;
	ASSERT_EQ(0, rtslotc_register(c, &p, &a, NULL, NULL, 0));
	ASSERT_EQ(0, rtslotc_lease_request(a, 1000000, RDT_SETTLE_NS));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct rtslotc_task *b;
		struct rtslotc *cc;

		strcpy(p.name, "b");
		if (rdt_connect(&d, &cc) || rtslotc_register(cc, &p, &b, NULL, NULL, 0))
			_exit(1);
		_exit(rtslotc_lease_request(b, 1000, RDT_SETTLE_NS) == -ECONNRESET ? 0 : 2);
	}
	for (i = 0; i < 20000; i++) {
		ASSERT_EQ(0, rtslotc_stats(c, &s));
		if (s.waiters)
			break;
		rdt_sleep_us(1000);
	}
	ASSERT_EQ(1, s.waiters);
	ASSERT_EQ(0, kill(d.pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
	rtslotc_close(c);
	rdt_cleanup(&d);
	free(a);
}

TEST_HARNESS_MAIN
