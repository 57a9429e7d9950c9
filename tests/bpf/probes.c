// SPDX-License-Identifier: GPL-2.0
/*
 * In the QEMU guest with rtslot.ko: the BPF probes load and attach, and
 * what they count equals exactly what a workload of known grants, misses
 * and overruns made, by the kernel's own measure (ioctl results, sysfs).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <rtslot/dev.h>

#include "kselftest_harness.h"
#include "probes_test.h"

FIXTURE(probes) {
	struct rt_config saved;
	struct rtslot_probes *p;
	struct bt_seen seen;
	struct rtslot_dev d;
	char err[512];
};

FIXTURE_SETUP(probes)
{
	ASSERT_EQ(0, rt_setup(&self->saved));
	ASSERT_EQ(0, rt_attr_write("policy", "edf"));
	/* Jobs held past their deadline are slow, not overrunning. */
	ASSERT_EQ(0, rt_attr_write("overrun_action", "log"));
	ASSERT_EQ(0, rt_attr_write("overrun_grace_us", "1000000"));
	self->d.fd = -1;
}

FIXTURE_TEARDOWN(probes)
{
	rtslot_close(&self->d);
	rtslot_probes_close(self->p);
	EXPECT_EQ(0, rt_config_apply(&self->saved));
}

static int open_probes(struct __test_metadata *_metadata, FIXTURE_DATA(probes) *self,
		       struct rtslot_probes_opts *o)
{
	int ret;

	o->on_event = bt_collect;
	o->ctx = &self->seen;
	/* libbpf's messages (the verifier's log) into the test log. */
	rtslot_bpf_verbose(true);
	ret = rtslot_probes_open(&self->p, o, self->err, sizeof(self->err));
	if (ret)
		TH_LOG("rtslot_probes_open: %s", self->err);
	return ret;
}

static int new_task(FIXTURE_DATA(probes) *self, const char *name)
{
	int ret = rtslot_open(&self->d, 0);

	if (!ret)
		ret = rtslot_task_create(&self->d, name);
	if (!ret)
		self->seen.task = self->d.task_id;
	return ret;
}

/* K jobs without contention: every count and every kernel time, exactly. */
TEST_F_TIMEOUT(probes, grants_exact, 120)
{
	struct rtslot_probes_opts o = { .dev = RTSLOT_BPF_ANY, .stream = true };
	const int K = 25;
	uint64_t wait = 0, held = 0, actual = 0, h;
	struct rtslot_task_stats st;
	struct rtslot_hist hw, hh, hr, hs;
	struct rt_task_row row;
	struct rtslot_grant g;
	int i;

	ASSERT_EQ(0, open_probes(_metadata, self, &o));
	ASSERT_EQ(0, new_task(self, "bpf-grants"));
	for (i = 0; i < K; i++) {
		ASSERT_EQ(0, rtslot_lease_request(&self->d, USEC(1000), SEC(10), &g));
		ASSERT_EQ(0, rtslot_lease_release(&self->d, USEC(i + 1), &h));
		wait += g.wait_ns;
		held += h;
		actual += USEC(i + 1);
	}
	rtslot_probes_consume(self->p);

	ASSERT_EQ(0, bt_task(self->p, self->d.task_id, &st));
	EXPECT_EQ(getpid(), st.pid);
	EXPECT_STREQ("bpf-grants", st.name);
	EXPECT_EQ(K, st.requests);
	EXPECT_EQ(K, st.grants);
	EXPECT_EQ(K, st.releases);
	EXPECT_EQ(0, st.cancels);
	EXPECT_EQ(0, st.misses);
	EXPECT_EQ(wait, st.wait_ns);
	EXPECT_EQ(held, st.held_ns);
	EXPECT_EQ(actual, st.actual_ns);
	ASSERT_EQ(0, rt_task_row(self->d.task_id, &row));
	EXPECT_EQ(row.grants, st.grants);

	ASSERT_EQ(0, bt_hist(self->p, RTSLOT_HIST_WAIT, self->d.task_id, &hw));
	ASSERT_EQ(0, bt_hist(self->p, RTSLOT_HIST_HOLD, self->d.task_id, &hh));
	ASSERT_EQ(0, bt_hist(self->p, RTSLOT_HIST_RESP, self->d.task_id, &hr));
	EXPECT_EQ(K, hw.count);
	EXPECT_EQ(K, bt_slots(&hw));
	EXPECT_EQ(wait, hw.sum_ns);
	EXPECT_EQ(K, hh.count);
	EXPECT_EQ(held, hh.sum_ns);
	EXPECT_EQ(K, hr.count);
	EXPECT_EQ(wait + held, hr.sum_ns);
	/* Best effort: no deadline, no slack. */
	EXPECT_EQ(-ENOENT, bt_hist(self->p, RTSLOT_HIST_SLACK, self->d.task_id, &hs));

	EXPECT_EQ(1, self->seen.n[RTSLOT_EV_JOIN]);
	EXPECT_STREQ("bpf-grants", self->seen.join_name);
	EXPECT_EQ(getpid(), self->seen.join_pid);
	EXPECT_EQ(K, self->seen.n[RTSLOT_EV_REQUEST]);
	EXPECT_EQ(K, self->seen.n[RTSLOT_EV_GRANT]);
	EXPECT_EQ(K, self->seen.n[RTSLOT_EV_RELEASE]);
	EXPECT_EQ(held, self->seen.held_sum);
	EXPECT_EQ(wait, self->seen.wait_sum);
	EXPECT_EQ(0, rtslot_probes_drops(self->p));
}

/*
 * A reserved task that holds each job past its deadline misses once per
 * job; one that releases at once never does and has its slack measured.
 * Misses go to the ring buffer even when the rest is not streamed.
 */
TEST_F_TIMEOUT(probes, misses_exact, 120)
{
	struct rtslot_probes_opts o = { .dev = RTSLOT_BPF_ANY };
	const int M = 6, J = 5;
	struct rtslot_task_stats st;
	struct rtslot_hist hs;
	struct rt_task_row row;
	struct rtslot_grant g;
	struct rtslot_dev ok;
	int i;

	ASSERT_EQ(0, open_probes(_metadata, self, &o));
	ASSERT_EQ(0, new_task(self, "bpf-late"));
	ASSERT_EQ(0, rtslot_set_reservation(&self->d, MSEC(2), MSEC(5), MSEC(5), 0, 0));
	for (i = 0; i < M; i++) {
		ASSERT_EQ(0, rtslot_lease_request(&self->d, MSEC(1), SEC(10), &g));
		/* Deadline = request + 5 ms: hold past it, then wait out the period. */
		rt_sleep(MSEC(6));
		ASSERT_EQ(0, rtslot_lease_release(&self->d, 0, NULL));
		rt_sleep(MSEC(6));
	}
	ASSERT_EQ(0, rtslot_open(&ok, 0));
	ASSERT_EQ(0, rtslot_task_create(&ok, "bpf-ontime"));
	ASSERT_EQ(0, rtslot_set_reservation(&ok, MSEC(2), MSEC(200), MSEC(200), 0, 0));
	for (i = 0; i < J; i++) {
		ASSERT_EQ(0, rtslot_lease_request(&ok, MSEC(1), SEC(10), &g));
		ASSERT_EQ(0, rtslot_lease_release(&ok, 0, NULL));
		rt_sleep(MSEC(201));
	}
	rtslot_probes_consume(self->p);

	ASSERT_EQ(0, bt_task(self->p, self->d.task_id, &st));
	ASSERT_EQ(0, rt_task_row(self->d.task_id, &row));
	EXPECT_EQ(M, row.misses);
	EXPECT_EQ(M, st.misses);
	EXPECT_EQ(M, st.grants);
	EXPECT_EQ(M, self->seen.n[RTSLOT_EV_MISS]);
	EXPECT_EQ(M, self->seen.late);
	/* Not streamed: only the misses came. */
	EXPECT_EQ(0, self->seen.n[RTSLOT_EV_GRANT]);
	EXPECT_EQ(-ENOENT, bt_hist(self->p, RTSLOT_HIST_SLACK, self->d.task_id, &hs));

	ASSERT_EQ(0, bt_task(self->p, ok.task_id, &st));
	ASSERT_EQ(0, rt_task_row(ok.task_id, &row));
	EXPECT_EQ(0, row.misses);
	EXPECT_EQ(0, st.misses);
	ASSERT_EQ(0, bt_hist(self->p, RTSLOT_HIST_SLACK, ok.task_id, &hs));
	EXPECT_EQ(J, hs.count);
	rtslot_close(&ok);
}

/* Overruns with log keep the lease; with revoke they end it, unreleased. */
TEST_F_TIMEOUT(probes, overruns_exact, 180)
{
	struct rtslot_probes_opts o = { .dev = RTSLOT_BPF_ANY, .stream = true };
	const int O = 3;
	struct rtslot_task_stats st;
	struct rtslot_hist hh;
	struct rt_task_row row;
	struct rtslot_grant g;
	uint64_t end;
	int i;

	ASSERT_EQ(0, rt_attr_write("overrun_grace_us", "2000"));
	ASSERT_EQ(0, open_probes(_metadata, self, &o));
	ASSERT_EQ(0, new_task(self, "bpf-over"));
	for (i = 0; i < O + 1; i++) {
		if (i == O) {
			ASSERT_EQ(0, rt_attr_write("overrun_action", "revoke"));
		}
		ASSERT_EQ(0, rtslot_lease_request(&self->d, MSEC(1), SEC(10), &g));
		end = rt_now() + RT_SETTLE;
		do {
			rt_sleep(MSEC(2));
			ASSERT_EQ(0, rt_task_row(self->d.task_id, &row));
		} while (row.overruns < (uint64_t)i + 1 && rt_now() < end);
		ASSERT_EQ(i + 1, row.overruns);
		ASSERT_EQ(0, bt_wait_events(self->p, &self->seen, RTSLOT_EV_OVERRUN, i + 1,
					    RT_SETTLE));
		/* The revoked lease is gone: nothing to release. */
		ASSERT_EQ(i < O ? 0 : -ENOLCK, rtslot_lease_release(&self->d, 0, NULL));
	}
	rtslot_probes_consume(self->p);
	ASSERT_EQ(0, bt_task(self->p, self->d.task_id, &st));
	EXPECT_EQ(O + 1, st.overruns);
	EXPECT_EQ(1, st.revokes);
	EXPECT_EQ(O + 1, st.grants);
	EXPECT_EQ(O, st.releases);
	EXPECT_EQ(O + 1, self->seen.n[RTSLOT_EV_OVERRUN]);
	EXPECT_EQ(O, self->seen.n[RTSLOT_EV_RELEASE]);
	EXPECT_EQ((1u << 0) | (1u << 1), self->seen.actions);
	ASSERT_EQ(0, bt_hist(self->p, RTSLOT_HIST_HOLD, self->d.task_id, &hh));
	EXPECT_EQ(O, hh.count);
}

static int others;

static int runq_of_others(void *ctx, const struct rtslot_hist_key *k, const struct rtslot_hist *h)
{
	others += k->kind == RTSLOT_HIST_RUNQ && k->pid != (uint32_t)getpid();
	return 0;
}

/* voluntary_ctxt_switches and the state letter of process pid. */
static int sched_of(pid_t pid, uint64_t *switches, char *state)
{
	char path[64], line[128];
	unsigned long long v;
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "State: %c", state) == 1)
			found |= 1;
		if (sscanf(line, "voluntary_ctxt_switches: %llu", &v) == 1) {
			*switches = v;
			found |= 2;
		}
	}
	fclose(f);
	return found == 3 ? 0 : -EINVAL;
}

struct waker {
	pid_t reader;
	int fd;
};

/*
 * Wake the reader n times, each time only once it has switched out since
 * the last wakeup and sleeps: a wakeup that reached it still on the CPU
 * would make no run-queue sample.  This process itself has no task.
 */
static int waker(void *arg, int n)
{
	struct waker *w = arg;
	uint64_t last = 0, now;
	char state;
	int i;

	for (i = 0; i < n; i++) {
		do {
			rt_sleep(USEC(200));
			if (sched_of(w->reader, &now, &state))
				return 1;
		} while (now <= last || state != 'S');
		last = now;
		if (write(w->fd, "w", 1) != 1)
			return 2;
	}
	return 0;
}

static void check_runq(struct __test_metadata *_metadata, FIXTURE_DATA(probes) *self,
		       bool raw)
{
	struct rtslot_probes_opts o = {
		.dev = RTSLOT_BPF_ANY, .runq = true, .runq_raw = raw,
	};
	const int T = 40;
	struct waker w = { .reader = getpid() };
	struct rtslot_hist hq;
	const char *kind, *why;
	int fds[2], i;
	pid_t other;
	char c;

	ASSERT_EQ(0, open_probes(_metadata, self, &o));
	kind = rtslot_probes_runq(self->p, &why);
	if (!kind)
		TH_LOG("%s", why);
	ASSERT_NE(NULL, kind);
	EXPECT_STREQ(raw ? "raw_tp" : "tp_btf", kind);
	ASSERT_EQ(0, new_task(self, "bpf-runq"));
	others = 0;
	ASSERT_EQ(0, pipe(fds));
	w.fd = fds[1];
	/* Not rt_spawn(): the child needs the pipe, which that one closes. */
	fflush(NULL);
	other = fork();
	if (!other) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(self->d.fd);
		_exit(waker(&w, T));
	}
	ASSERT_LT(0, other);
	for (i = 0; i < T; i++)
		ASSERT_EQ(1, read(fds[0], &c, 1));
	ASSERT_EQ(0, rt_reap(other, RT_SETTLE));
	close(fds[0]);
	close(fds[1]);
	ASSERT_EQ(0, bt_hist(self->p, RTSLOT_HIST_RUNQ, self->d.task_id, &hq));
	EXPECT_LE(T, hq.count);
	EXPECT_EQ(hq.count, bt_slots(&hq));
	/* Only tasks' processes are followed: no sample of the other one. */
	EXPECT_EQ(0, rtslot_probes_hists(self->p, runq_of_others, NULL));
	EXPECT_EQ(0, others);
}

TEST_F_TIMEOUT(probes, runq_tp_btf, 120)
{
	check_runq(_metadata, self, false);
}

TEST_F_TIMEOUT(probes, runq_raw_tp, 120)
{
	check_runq(_metadata, self, true);
}

/* A task created before the probes is found in sysfs and counted. */
TEST_F_TIMEOUT(probes, task_from_before, 120)
{
	struct rtslot_probes_opts o = { .dev = RTSLOT_BPF_ANY };
	struct rtslot_task_stats st;
	struct rtslot_grant g;
	int i;

	ASSERT_EQ(0, new_task(self, "bpf-before"));
	ASSERT_EQ(0, open_probes(_metadata, self, &o));
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, rtslot_lease_request(&self->d, USEC(500), SEC(10), &g));
		ASSERT_EQ(0, rtslot_lease_release(&self->d, 0, NULL));
	}
	ASSERT_EQ(0, bt_task(self->p, self->d.task_id, &st));
	EXPECT_TRUE(st.flags & RTSLOT_TS_SEEDED);
	EXPECT_STREQ("bpf-before", st.name);
	EXPECT_EQ(getpid(), st.pid);
	EXPECT_EQ(5, st.grants);
}

static int child_jobs(void *arg, int n)
{
	struct rtslot_dev d;
	struct rtslot_grant g;
	uint32_t *id = arg;
	int i;

	if (rtslot_open(&d, 0) || rtslot_task_create(&d, "bpf-other"))
		return 1;
	*id = d.task_id;
	for (i = 0; i < n; i++)
		if (rtslot_lease_request(&d, USEC(500), SEC(10), &g) ||
		    rtslot_lease_release(&d, 0, NULL))
			return 2;
	rtslot_close(&d);
	return 0;
}

/* -p: another process's task is not even given an entry. */
TEST_F_TIMEOUT(probes, pid_filter, 120)
{
	struct rtslot_probes_opts o = { .dev = RTSLOT_BPF_ANY, .pid = getpid() };
	struct rtslot_task_stats st;
	struct rtslot_grant g;
	uint32_t *other = rt_shared(sizeof(*other));
	pid_t pid;
	int i;

	ASSERT_NE(NULL, other);
	ASSERT_EQ(0, open_probes(_metadata, self, &o));
	ASSERT_EQ(0, new_task(self, "bpf-mine"));
	pid = rt_spawn(child_jobs, other, 7);
	ASSERT_LT(0, pid);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, rtslot_lease_request(&self->d, USEC(500), SEC(10), &g));
		ASSERT_EQ(0, rtslot_lease_release(&self->d, 0, NULL));
	}
	ASSERT_EQ(0, rt_reap(pid, RT_SETTLE));
	ASSERT_NE(0, *other);
	ASSERT_EQ(0, bt_task(self->p, self->d.task_id, &st));
	EXPECT_EQ(3, st.grants);
	EXPECT_EQ(-ENOENT, bt_task(self->p, *other, &st));
}

TEST_HARNESS_MAIN
