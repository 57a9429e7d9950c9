// SPDX-License-Identifier: GPL-2.0
/*
 * The rr policy of the user backend: a lease lasts a timeslice, the
 * holder keeps it across kernel boundaries inside it, and a holder whose
 * timeslice is over goes behind the waiters.  Counted in grants and lease
 * generations, never in wall-clock thresholds.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "rtslot/dev.h"
#include "rd_test.h"

#define US	1000ULL		/* in ns */
/* Overruns only logged: a test may hold a lease past its end on purpose. */
#define ACCEL(ts) ", \"accelerators\": [ { \"name\": \"gpu0\", " \
		  "\"overrun_action\": \"log\"" ts " } ]"

FIXTURE(rr) {
	struct rdt d;
	struct rtslotc *c;
};

FIXTURE_SETUP(rr)
{
	memset(&self->d, 0, sizeof(self->d));
	self->c = NULL;
}

/* Whatever a test started, stopped here even when an assertion ended it. */
FIXTURE_TEARDOWN(rr)
{
	rtslotc_close(self->c);
	if (self->d.pid > 0)
		EXPECT_EQ(0, rdt_stop(&self->d));
	rdt_cleanup(&self->d);
}

static struct rtslotc_task *task(struct __test_metadata *_metadata, struct rtslotc *c,
				 const char *name)
{
	struct rtslotc_params p;
	struct rtslotc_task *t = NULL;

	rdt_params(&p, name, 100000, 1000);
	EXPECT_EQ(0, rtslotc_register(c, &p, &t, NULL, NULL, 0));
	return t;
}

static struct rtslot_lease_snap snap(const struct rtslotc_task *t)
{
	struct rtslot_lease_snap s;

	rtslot_lease_read(rtslotc_page(t), &s);
	return s;
}

/* Until the lease of t can take no more work: its timeslice is over. */
static void outlive(const struct rtslotc_task *t)
{
	while (rdt_now() <= snap(t).lease_end_ns)
		rdt_sleep_us(100);
}

/*
 * A 1 s timeslice: renewals inside it keep the lease (no grant, the same
 * generation) while another task waits; work that does not fit in the
 * rest of it goes behind the waiter.
 */
TEST_F(rr, renewal_inside_the_slice_keeps_the_lease)
{
	struct rtslotc_task *a, *b;
	struct rtslot_lease_snap s;
	struct rsp_stats st;
	struct rtslotc *c;
	int i;

	ASSERT_EQ(0, rdt_start(&self->d, "rr", ACCEL(", \"timeslice_us\": 1000000")));
	ASSERT_EQ(0, rdt_connect(&self->d, &self->c));
	c = self->c;
	ASSERT_EQ(RSP_POLICY_RR, rtslotc_policy(c));
	a = task(_metadata, c, "a");
	b = task(_metadata, c, "b");
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);

	ASSERT_EQ(RTSLOT_LEASE_HELD, rdt_lease_msg(c, a, RSP_LEASE_REQUEST, 100 * US));
	s = snap(a);
	EXPECT_LE(1000000 * US, s.lease_end_ns - s.granted_ns);
	EXPECT_EQ(1, s.generation);
	EXPECT_TRUE(rtslotc_lease_fits(a, 100 * US));
	ASSERT_EQ(RTSLOT_LEASE_WAITING, rdt_lease_msg(c, b, RSP_LEASE_REQUEST, 100 * US));
	for (i = 0; i < 5; i++)
		ASSERT_EQ(RTSLOT_LEASE_HELD, rdt_lease_msg(c, a, RSP_LEASE_RENEW, 100 * US));
	EXPECT_EQ(1, snap(a).generation);
	EXPECT_EQ(RTSLOT_LEASE_WAITING, snap(b).state);
	ASSERT_EQ(0, rtslotc_stats(c, &st));
	EXPECT_EQ(1, st.grants);
	EXPECT_EQ(0, st.releases);

	/* More than the slice has left: a's slice ends here, b's begins. */
	ASSERT_EQ(RTSLOT_LEASE_WAITING, rdt_lease_msg(c, a, RSP_LEASE_RENEW, 1100000 * US));
	s = snap(b);
	EXPECT_EQ(RTSLOT_LEASE_HELD, s.state);
	EXPECT_EQ(1, s.generation);
	EXPECT_LE(1000000 * US, s.lease_end_ns - s.granted_ns);
	ASSERT_EQ(0, rtslotc_lease_release(b, 0, NULL));
	/* Work longer than a slice gets a lease as long as the work. */
	s = snap(a);
	EXPECT_EQ(RTSLOT_LEASE_HELD, s.state);
	EXPECT_EQ(2, s.generation);
	EXPECT_LE(1100000 * US, s.lease_end_ns - s.granted_ns);
	ASSERT_EQ(0, rtslotc_lease_release(a, 0, NULL));
	/* est 0 is refused inside a slice as outside one. */
	ASSERT_EQ(RTSLOT_LEASE_HELD, rdt_lease_msg(c, a, RSP_LEASE_REQUEST, 100 * US));
	EXPECT_EQ(-EINVAL, rdt_lease_msg(c, a, RSP_LEASE_RENEW, 0));
	ASSERT_EQ(0, rtslotc_lease_release(a, 0, NULL));

	ASSERT_EQ(0, rtslotc_stats(c, &st));
	EXPECT_EQ(4, st.grants);
	EXPECT_EQ(4, st.releases);
	EXPECT_EQ(0, rtslotc_unregister(a));
	EXPECT_EQ(0, rtslotc_unregister(b));
}

/* The default timeslice: once it is over, a renewal hands the device over. */
TEST_F(rr, renewal_after_the_slice_goes_behind)
{
	enum { ROUNDS = 6 };
	struct rtslotc_task *t[2], *h;
	struct rtslot_lease_snap s;
	struct rsp_stats st;
	struct rtslotc *c;
	int i;

	ASSERT_EQ(0, rdt_start(&self->d, "rr", ACCEL("")));
	ASSERT_EQ(0, rdt_connect(&self->d, &self->c));
	c = self->c;
	t[0] = task(_metadata, c, "a");
	t[1] = task(_metadata, c, "b");
	ASSERT_NE(NULL, t[0]);
	ASSERT_NE(NULL, t[1]);
	ASSERT_EQ(RTSLOT_LEASE_HELD, rdt_lease_msg(c, t[0], RSP_LEASE_REQUEST, 100 * US));
	s = snap(t[0]);
	EXPECT_LE(2000 * US, s.lease_end_ns - s.granted_ns);
	ASSERT_EQ(RTSLOT_LEASE_WAITING, rdt_lease_msg(c, t[1], RSP_LEASE_REQUEST, 100 * US));
	for (i = 0; i < ROUNDS; i++) {
		h = t[i % 2];
		outlive(h);
		ASSERT_EQ(RTSLOT_LEASE_WAITING, rdt_lease_msg(c, h, RSP_LEASE_RENEW, 100 * US));
		s = snap(t[(i + 1) % 2]);
		ASSERT_EQ(RTSLOT_LEASE_HELD, s.state);
		EXPECT_EQ((uint64_t)(i / 2 + 1 + (i % 2)), s.generation);
	}
	ASSERT_EQ(0, rtslotc_stats(c, &st));
	EXPECT_EQ(ROUNDS + 1, st.grants);
	EXPECT_EQ(1, st.holders);
	EXPECT_EQ(1, st.waiters);
	/* Alone, a renewal after the slice starts the next slice at once. */
	h = t[ROUNDS % 2];
	ASSERT_EQ(0, rtslotc_unregister(t[(ROUNDS + 1) % 2]));
	outlive(h);
	ASSERT_EQ(RTSLOT_LEASE_HELD, rdt_lease_msg(c, h, RSP_LEASE_RENEW, 100 * US));
	ASSERT_EQ(0, rtslotc_stats(c, &st));
	EXPECT_EQ(ROUNDS + 2, st.grants);
	EXPECT_EQ(0, rtslotc_lease_release(h, 0, NULL));
	EXPECT_EQ(0, rtslotc_unregister(h));
}

/* What two processes record: who got each grant, and the kernels run. */
struct shared {
	uint32_t n;
	uint32_t who[64];
	uint32_t kernels[2];
	uint32_t gen[2];
};

enum { SLICES = 5, KERNEL_US = 500 };

/* a holds its first grant until b waits behind it, so that both policies start alike. */
static int await_waiter(struct rtslotc *c)
{
	uint64_t until = rdt_now() + RDT_SETTLE_NS;
	struct rsp_stats st;

	do {
		if (rtslotc_stats(c, &st))
			return -1;
		if (st.waiters)
			return 0;
		rdt_sleep_us(200);
	} while (rdt_now() < until);
	return -ETIME;
}

/*
 * A gate as the shim would run it: the kernel a grant was asked for runs
 * at once, the next ones while they fit the lease, and when one does not
 * fit the task renews; after SLICES grants it releases and leaves.
 */
static int gate(const struct rdt *d, struct shared *sh, uint32_t me, int rfd, int wfd)
{
	struct rtslotc_params p;
	struct rtslotc_task *t;
	struct rtslotc *c;
	uint32_t grants = 0;
	char b = 'x';
	int err;

	rdt_params(&p, me ? "b" : "a", 100000, 1000);
	if (rdt_connect(d, &c) || rtslotc_register(c, &p, &t, NULL, NULL, 0))
		return 1;
	/* a asks first; b only once a holds the device. */
	if (me && read(rfd, &b, 1) != 1)
		return 2;
	err = rtslotc_lease_request(t, KERNEL_US * US, RDT_SETTLE_NS);
	for (;;) {
		if (err)
			return 3;
		sh->who[__atomic_fetch_add(&sh->n, 1, __ATOMIC_SEQ_CST) % 64] = me;
		if (!me && !grants && (write(wfd, &b, 1) != 1 || await_waiter(c)))
			return 4;
		grants++;
		do {
			rdt_sleep_us(KERNEL_US);
			sh->kernels[me]++;
		} while (rtslotc_lease_fits(t, KERNEL_US * US));
		if (grants == SLICES)
			break;
		err = rtslotc_lease_renew(t, KERNEL_US * US, RDT_SETTLE_NS);
	}
	sh->gen[me] = (uint32_t)rtslotc_page(t)->generation;
	if (rtslotc_lease_release(t, 0, NULL) || rtslotc_unregister(t))
		return 5;
	rtslotc_close(c);
	return 0;
}

/* Run the two gates under policy; the grants in order, counters in *sh. */
static void alternate(struct __test_metadata *_metadata, struct rdt *d, const char *policy,
		      const char *accel, struct shared *sh, struct rsp_stats *st)
{
	int pfd[2], i, status;
	pid_t pid[2];

	memset(sh, 0, sizeof(*sh));
	ASSERT_EQ(0, rdt_start(d, policy, accel));
	ASSERT_EQ(0, pipe(pfd));
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i])
			_exit(gate(d, sh, (uint32_t)i, pfd[0], pfd[1]));
	}
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(pid[i], waitpid(pid[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status));
	}
	close(pfd[0]);
	close(pfd[1]);
	ASSERT_EQ(0, rdt_stats(d, st));
}

/* Each task's slices alternate with the other's, and each slice runs many kernels. */
TEST_F(rr, two_processes_alternate_in_timeslices)
{
	struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct rsp_stats st;
	uint32_t i;

	ASSERT_NE(MAP_FAILED, sh);
	alternate(_metadata, &self->d, "rr", ACCEL(", \"timeslice_us\": 20000"), sh, &st);
	ASSERT_EQ(2 * SLICES, sh->n);
	for (i = 0; i < sh->n; i++)
		EXPECT_EQ(i % 2, sh->who[i]) TH_LOG("grant %u went to %u", i, sh->who[i]);
	EXPECT_EQ(SLICES, sh->gen[0]);
	EXPECT_EQ(SLICES, sh->gen[1]);
	EXPECT_EQ(2 * SLICES, st.grants);
	/* A slice lasts beyond the kernel it was granted for. */
	EXPECT_LT(2 * SLICES, sh->kernels[0] + sh->kernels[1])
		TH_LOG("%u and %u kernels", sh->kernels[0], sh->kernels[1]);
	munmap(sh, sizeof(*sh));
}

/* The same gates under fifo: every kernel boundary hands the device over. */
TEST_F(rr, fifo_alternates_at_every_kernel)
{
	struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct rsp_stats st;
	uint32_t i;

	ASSERT_NE(MAP_FAILED, sh);
	alternate(_metadata, &self->d, "fifo", ACCEL(", \"timeslice_us\": 20000"), sh, &st);
	ASSERT_EQ(2 * SLICES, sh->n);
	for (i = 0; i < sh->n; i++)
		EXPECT_EQ(i % 2, sh->who[i]);
	EXPECT_EQ(SLICES, sh->kernels[0]);
	EXPECT_EQ(SLICES, sh->kernels[1]);
	EXPECT_EQ(2 * SLICES, st.grants);
	munmap(sh, sizeof(*sh));
}

TEST_HARNESS_MAIN
